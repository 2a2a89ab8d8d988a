"""Composition root of the scheduling service.

Run: `uvicorn --factory services.scheduling.main:create_app --port 8002`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.scheduling import api
from services.scheduling.consumers import consumer_specs
from services.scheduling.models import messaging, metadata
from services.scheduling.settings import SchedulingSettings
from shared.app import create_service_app
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(settings: ServiceSettings) -> Runtime:
    """Wire the service's tables, consumers and broker from its settings."""
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        consumer_specs=consumer_specs(),
    )


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    """The scheduling service's ASGI app; settings are read here, not at import."""
    settings = settings or load_settings(SchedulingSettings)
    return create_service_app(
        settings=settings,
        build_runtime=build_runtime,
        routers=[api.router],
        title="Kanta deployment periods: scheduling",
        description=(
            "Kela's staff run the calendar of the three deployment periods a year, their "
            "preparation events and trainings. Errors are RFC 9457 problem details."
        ),
    )
