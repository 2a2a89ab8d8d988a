"""Composition root of the scheduling service.

Run: `uvicorn --factory services.scheduling.main:create_app --port 8002`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.scheduling.adapters.ics import calendar as write_calendar
from services.scheduling.adapters.tables import messaging, metadata
from services.scheduling.adapters.uow import SchedulingUnitOfWork
from services.scheduling.api import calendar, enrolment, files, registrations
from services.scheduling.app.policy import Policy
from services.scheduling.app.reminders import reminders_pass, replan_on_start
from services.scheduling.consumers import consumer_specs
from services.scheduling.settings import SchedulingSettings
from shared.app import create_service_app
from shared.clock import Clock
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def _policy(settings: ServiceSettings) -> Policy:
    return Policy.from_settings(settings) if isinstance(settings, SchedulingSettings) else Policy()


def build_runtime(settings: ServiceSettings, clock: Clock) -> Runtime[SchedulingUnitOfWork]:
    """Wire the service's tables, consumers and broker from its settings and clock."""
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        uow_class=SchedulingUnitOfWork,
        clock=clock,
        consumer_specs=consumer_specs(_policy(settings), clock),
    )


def create_app(
    settings: SchedulingSettings | None = None, *, clock: Clock | None = None
) -> FastAPI:
    """The scheduling service's ASGI app; settings are read here, not at import."""
    config = settings or load_settings(SchedulingSettings)

    async def start_reminders(runtime: Runtime[SchedulingUnitOfWork]) -> None:
        policy = Policy.from_settings(config)
        # Offsets may have changed since the last start: existing enrolments follow them.
        await replan_on_start(runtime.uow, policy, clock=runtime.clock)
        one_pass = reminders_pass(
            runtime.uow,
            policy,
            clock=runtime.clock,
            batch_size=config.reminder_batch_size,
        )
        runtime.run_loop("reminders", one_pass, interval_s=config.reminder_poll_interval_s)

    app = create_service_app(
        settings=config,
        build_runtime=build_runtime,
        # The .ics routes first: `/sessions/{id}.ics` must not be read as a session id.
        routers=[files.router, calendar.router, registrations.router, enrolment.router],
        title="Kanta deployment periods: scheduling",
        description=(
            "Kela's staff run the calendar of the three deployment periods a year (R1), their "
            "preparation events and trainings (R2); accepted registrations' participants get "
            "seats, calendar files and reminders. Errors are RFC 9457 problem details with a "
            "stable `code`."
        ),
        on_started=start_reminders,
        clock=clock,
    )
    app.state.calendar_writer = write_calendar
    return app
