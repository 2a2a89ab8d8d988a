"""Composition root of the registration service.

Run: `uvicorn --factory services.registration.main:create_app --port 8001`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.registration import api, token_api
from services.registration.clients import ApiClient
from services.registration.consumers import consumer_specs
from services.registration.models import messaging, metadata
from services.registration.settings import RegistrationSettings
from shared.app import create_service_app
from shared.auth import TokenIssuer
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
TABLES = (ApiClient,)  # modules beside models.py whose tables share its metadata


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
    app = create_service_app(
        settings=settings,
        build_runtime=build_runtime,
        routers=[token_api.router, api.router],
        title="Kanta deployment periods: registration",
        description=(
            "Organisations register for a Kanta deployment period (käyttöönottojakso). "
            "Errors are RFC 9457 problem details with a stable `code`. Authenticate with an "
            "access token from `POST /v1/token` (OAuth2 client credentials)."
        ),
    )
    app.state.token_issuer = TokenIssuer(settings, ttl_s=settings.token_ttl_s)
    return app
