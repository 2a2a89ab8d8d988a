"""The FastAPI application every service builds the same way around its own Runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request

from shared.auth import TokenVerifier
from shared.http import (
    install_correlation_and_metrics,
    install_error_handlers,
    install_operational_routes,
)
from shared.logging import configure_logging
from shared.openapi import install_problem_openapi
from shared.ratelimit import RateLimiter
from shared.runtime import Runtime
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork

Hook = Callable[[Runtime], Awaitable[None]]


async def _unit_of_work(request: Request) -> UnitOfWork:
    # async: a plain `def` dependency would run in the thread pool on every request.
    runtime: Runtime = request.app.state.runtime
    return runtime.uow()


UoW = Annotated[UnitOfWork, Depends(_unit_of_work)]
"""A route parameter of this type gets a fresh unit of work of the running service."""


def create_service_app(
    *,
    settings: ServiceSettings,
    build_runtime: Callable[[ServiceSettings], Runtime],
    routers: Sequence[APIRouter],
    title: str,
    description: str,
    on_started: Hook | None = None,
) -> FastAPI:
    """An app whose lifespan builds, starts and stops the service's runtime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            settings.service_name, level=settings.log_level, json_logs=settings.log_json
        )
        runtime = build_runtime(settings)
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
    install_correlation_and_metrics(app, service=settings.service_name)

    async def readiness() -> dict[str, str]:
        runtime: Runtime = app.state.runtime
        return await runtime.readiness()

    install_operational_routes(app, readiness)
    for router in routers:
        app.include_router(router)
    install_problem_openapi(app)
    return app
