"""Composition root of the registration service.

Run: `uvicorn --factory services.registration.main:create_app --port 8001`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.registration.adapters.export import SheetWriter
from services.registration.adapters.secret_guard import SecretGuard
from services.registration.adapters.tables import messaging, metadata
from services.registration.adapters.uow import RegistrationUnitOfWork
from services.registration.api import (
    customerships,
    deployment_tests,
    notices,
    registrations,
    review,
    token,
)
from services.registration.api.addresses import trusted_networks
from services.registration.app.deadlines import report_deadline_pass
from services.registration.consumers import consumer_specs
from services.registration.settings import RegistrationSettings
from shared.app import create_service_app
from shared.auth import TokenIssuer
from shared.clock import Clock
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(settings: ServiceSettings, clock: Clock) -> Runtime[RegistrationUnitOfWork]:
    """Wire the service's tables, consumers and broker from its settings and clock."""
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        uow_class=RegistrationUnitOfWork,
        clock=clock,
        consumer_specs=consumer_specs(),
    )


def create_app(
    settings: RegistrationSettings | None = None, *, clock: Clock | None = None
) -> FastAPI:
    """The registration service's ASGI app; settings are read here, not at import."""
    settings = settings or load_settings(RegistrationSettings)
    interval_s = settings.deadline_watch_interval_s

    async def start_deadline_watch(runtime: Runtime[RegistrationUnitOfWork]) -> None:
        watch = report_deadline_pass(runtime.uow, clock=runtime.clock)
        runtime.run_loop("deployment-test-deadlines", watch, interval_s=interval_s)

    app = create_service_app(
        settings=settings,
        build_runtime=build_runtime,
        routers=[
            token.router,
            registrations.router,
            review.router,
            notices.router,
            deployment_tests.router,
            customerships.router,
        ],
        on_started=start_deadline_watch,
        clock=clock,
        title="Kanta deployment periods: registration",
        description=(
            "Organisations register for a Kanta deployment period (käyttöönottojakso). "
            "Errors are RFC 9457 problem details with a stable `code`. Authenticate with an "
            "access token from `POST /v1/token` (OAuth2 client credentials)."
        ),
    )
    app.state.token_issuer = TokenIssuer(settings, ttl_s=settings.token_ttl_s)
    app.state.sheet_writer = SheetWriter()
    app.state.secret_guard = SecretGuard(
        per_client=settings.rate_limit_token_failures,
        per_host=settings.rate_limit_token_failures_per_host,
        storage_url=settings.rate_limit_storage_url,
    )
    app.state.trusted_proxies = trusted_networks(settings.forwarded_allow_ips)
    return app
