"""Composition root of the registration service.

Run: `uvicorn --factory services.registration.main:create_app --port 8001`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from services.registration import api, token_api
from services.registration.clients import ApiClient
from services.registration.consumers import consumer_specs
from services.registration.extension import api as extension_api
from services.registration.extension import models as extension_models
from services.registration.extension.watch import watch_report_deadlines
from services.registration.models import messaging, metadata
from services.registration.settings import RegistrationSettings
from shared.app import create_service_app
from shared.auth import TokenIssuer
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
# Tables defined beside models.py share its metadata (migrations and tests see them all).
TABLES = (ApiClient, extension_models.Notice, extension_models.DeploymentTest)


def build_runtime(settings: ServiceSettings) -> Runtime:
    """Wire the service's tables, consumers and broker from its settings."""
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        consumer_specs=consumer_specs(),
    )


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    """The registration service's ASGI app; settings are read here, not at import."""
    settings = settings or load_settings(RegistrationSettings)

    async def start_deadline_watch(runtime: Runtime) -> None:
        task = watch_report_deadlines(runtime, settings.deadline_watch_interval_s)
        runtime.spawn(asyncio.create_task(task, name="deployment-test-deadlines"))

    app = create_service_app(
        settings=settings,
        build_runtime=build_runtime,
        routers=[token_api.router, api.router, extension_api.router],
        on_started=start_deadline_watch,
        title="Kanta deployment periods: registration",
        description=(
            "Organisations register for a Kanta deployment period (käyttöönottojakso). "
            "Errors are RFC 9457 problem details with a stable `code`. Authenticate with an "
            "access token from `POST /v1/token` (OAuth2 client credentials)."
        ),
    )
    app.state.token_issuer = TokenIssuer(settings, ttl_s=settings.token_ttl_s)
    return app
