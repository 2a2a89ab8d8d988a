"""The FastAPI application every service builds the same way around its own Runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response

from shared.asyncapi import packaged_text
from shared.auth import TokenVerifier
from shared.clock import Clock, SystemClock
from shared.http import (
    Readiness,
    RelayState,
    install_correlation_and_metrics,
    install_error_handlers,
    install_operational_routes,
    install_request_guards,
)
from shared.logging import configure_logging
from shared.openapi import install_problem_openapi
from shared.ratelimit import RateLimiter
from shared.runtime import Runtime
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork

Hook = Callable[[Runtime[Any]], Awaitable[None]]
BuildRuntime = Callable[[ServiceSettings, Clock], Runtime[Any]]


def runtime_of(request: Request) -> Runtime[Any]:
    """The running service's runtime."""
    runtime: Runtime[Any] = request.app.state.runtime
    return runtime


async def unit_of_work(request: Request) -> Any:
    """A fresh unit of work of the running service (each service's `api/deps.py` types it)."""
    # async: a plain `def` dependency would run in the thread pool on every request.
    return runtime_of(request).uow()


async def _clock(request: Request) -> Clock:
    return runtime_of(request).clock


UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
"""A route parameter of this type gets a fresh unit of work of the running service."""
ClockDep = Annotated[Clock, Depends(_clock)]
"""A route parameter of this type gets the service's clock."""


def create_service_app(
    *,
    settings: ServiceSettings,
    build_runtime: BuildRuntime,
    routers: Sequence[APIRouter],
    title: str,
    description: str,
    on_started: Hook | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """An app whose lifespan builds, starts and stops the service's runtime.

    `clock` is the service's clock (the system's unless a test sets one).
    """
    service_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            settings.service_name, level=settings.log_level, json_logs=settings.log_json
        )
        runtime = build_runtime(settings, service_clock)
        app.state.runtime = runtime
        await runtime.start()
        if on_started is not None:
            await on_started(runtime)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings)
    app.state.rate_limiter = RateLimiter(
        writes=settings.rate_limit_writes,
        token=settings.rate_limit_token,
        token_per_host=settings.rate_limit_token_per_host,
        storage_url=settings.rate_limit_storage_url,
    )
    install_error_handlers(app)
    install_request_guards(app)
    install_correlation_and_metrics(app, service=settings.service_name)

    async def readiness() -> Readiness:
        runtime: Runtime[Any] = app.state.runtime
        checks = await runtime.readiness()
        relay = runtime.relay_health()
        return Readiness(
            status="ok" if all(value == "ok" for value in checks.values()) else "unavailable",
            checks=checks,
            broker=runtime.broker_state(),
            relay=RelayState(
                status=relay.status,
                last_success_at=relay.last_success_at,
                last_error=relay.last_error,
            ),
        )

    install_operational_routes(app, readiness)

    # Like /openapi.json, a document rather than an operation: outside the OpenAPI schema.
    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> Response:
        """The whole system's event contract (AsyncAPI 3.0), the same from every service."""
        return Response(packaged_text(), media_type="application/json")

    for router in routers:
        app.include_router(router)
    install_problem_openapi(app)
    return app
