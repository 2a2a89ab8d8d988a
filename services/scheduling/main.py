"""Composition root of the scheduling service.

Run: `uvicorn --factory services.scheduling.main:create_app --port 8002`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from services.scheduling import api, enrolment_api, files_api
from services.scheduling.consumers import consumer_specs
from services.scheduling.models import messaging, metadata
from services.scheduling.policy import Policy
from services.scheduling.reminders import run_reminders
from services.scheduling.settings import SchedulingSettings
from shared.app import create_service_app
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(settings: ServiceSettings) -> Runtime:
    """Wire the service's tables, consumers and broker from its settings."""
    policy = (
        Policy.from_settings(settings) if isinstance(settings, SchedulingSettings) else Policy()
    )
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        consumer_specs=consumer_specs(policy),
    )


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    """The scheduling service's ASGI app; settings are read here, not at import."""
    config = settings or load_settings(SchedulingSettings)

    async def start_reminders(runtime: Runtime) -> None:
        task = run_reminders(
            runtime.uow,
            Policy.from_settings(config),
            interval_s=config.reminder_poll_interval_s,
            batch_size=config.reminder_batch_size,
        )
        runtime.spawn(asyncio.create_task(task, name="reminders"))

    return create_service_app(
        settings=config,
        build_runtime=build_runtime,
        # The .ics routes first: `/sessions/{id}.ics` must not be read as a session id.
        routers=[files_api.router, api.router, enrolment_api.router],
        title="Kanta deployment periods: scheduling",
        description=(
            "Kela's staff run the calendar of the three deployment periods a year (R1), their "
            "preparation events and trainings (R2); accepted registrations' participants get "
            "seats, calendar files and reminders. Errors are RFC 9457 problem details with a "
            "stable `code`."
        ),
        on_started=start_reminders,
    )
