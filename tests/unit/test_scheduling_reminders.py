"""Reminders through the use cases on SQLite: planned per seat, sent once, re-planned on a move."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scheduling.adapters.tables import Reminder, messaging
from services.scheduling.adapters.uow import SchedulingUnitOfWork
from services.scheduling.app import participation, periods, sessions
from services.scheduling.app.policy import Policy
from services.scheduling.app.registrations import apply_registration_event
from services.scheduling.app.reminders import emit_due_reminders
from services.scheduling.app.schemas import PeriodCreate, SessionCreate, SessionUpdate
from services.scheduling.main import MIGRATIONS
from shared.auth import Principal
from shared.clock import SettableClock
from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import OrganisationRef, RegistrationAccepted
from shared.db import create_engine, session_factory
from shared.migrations import upgrade_to_head

POLICY = Policy()
STAFF = Principal(client_id="staff", role="staff")
# A fixed calendar: the clock stands in December 2026, before the period of 2027.
SETUP_AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'scheduling.db'}")
    await upgrade_to_head(engine, MIGRATIONS)
    yield engine
    await engine.dispose()


def _uow(engine: AsyncEngine) -> SchedulingUnitOfWork:
    return SchedulingUnitOfWork(
        session_factory(engine),
        tables=messaging,
        producer="scheduling",
        clock=SettableClock(SETUP_AT),
    )


async def _reminders(engine: AsyncEngine) -> list[tuple[int, datetime, bool]]:
    async with engine.connect() as conn:
        table = Reminder.__table__  # type: ignore[attr-defined]
        rows = await conn.execute(select(table).order_by(table.c.due_at))
        return [(r.offset_s, r.due_at, r.sent_at is not None) for r in rows]


async def _events(engine: AsyncEngine, event_type: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(messaging.outbox.c.body)
            .where(messaging.outbox.c.event_type == event_type)
            .order_by(messaging.outbox.c.id)
        )
        return [json.loads(body)["payload"] for body in rows.scalars()]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _seated(engine: AsyncEngine) -> uuid.UUID:
    """One session with one seat, two participants: one seated, one waiting."""
    clock = SettableClock(SETUP_AT)
    period = await periods.create_period(
        PeriodCreate.model_validate(
            {
                "year": 2027,
                "number": 1,
                "starts_on": "2027-01-11",
                "ends_on": "2027-04-30",
                "registration_opens_on": "2026-10-01",
                "registration_closes_on": "2027-02-12",
            }
        ),
        _uow(engine),
        POLICY,
        clock=clock,
    )
    session = await sessions.add_session(
        period.id,
        SessionCreate.model_validate(
            {
                "kind": "preparation",
                "title": {"fi": "Valmistelutilaisuus", "sv": "Förberedande tillfälle"},
                "starts_at": "2027-02-02T09:00:00+02:00",
                "ends_at": "2027-02-02T11:00:00+02:00",
                "place": "Helsinki",
                "language": "fi",
                "capacity": 1,
            }
        ),
        _uow(engine),
        POLICY,
        clock=clock,
    )
    await periods.publish_period(period.id, _uow(engine), POLICY, clock=clock)
    payload = RegistrationAccepted.model_validate(
        {
            "registration_id": uuid.uuid4(),
            "state": "accepted",
            "organisation": OrganisationRef(
                name="Esimerkki Oy", business_id="2077474-0", domain="health_care", sector="private"
            ),
            "service": "patient_data_repository",
            "reason": "first_deployment",
            "period": PeriodRef(year=2027, number=1),
            "contacts": [
                Contact(name="Ensimmäinen", email="first@example.fi"),
                Contact(name="Toinen", email="second@example.fi"),
            ],
        }
    )
    async with _uow(engine) as uow:
        await apply_registration_event(uow, POLICY, payload=payload, clock=clock)
        await uow.commit()
    return session.id


async def test_reminders_are_planned_for_seats_only_and_each_goes_out_once(
    engine: AsyncEngine,
) -> None:
    await _seated(engine)
    assert await _reminders(engine) == [
        (7 * 86400, _utc("2027-01-26T07:00"), False),
        (86400, _utc("2027-02-01T07:00"), False),
    ]
    later = SettableClock(_utc("2027-01-27T00:00"))
    for _ in range(2):  # a second pass (another replica, say) finds nothing more to send
        async with _uow(engine) as uow:
            await emit_due_reminders(uow, POLICY, clock=later)
            await uow.commit()
    (sent,) = await _events(engine, "session.reminder_due")
    assert (sent["offset"], sent["participant"]["email"]) == ("P7D", "first@example.fi")
    assert sent["due_at"] == "2027-01-26T07:00:00Z"
    assert sent["feed_url"]
    assert [s for _, _, s in await _reminders(engine)] == [True, False]


async def test_a_moved_session_plans_its_reminders_again_and_a_freed_seat_moves_them(
    engine: AsyncEngine,
) -> None:
    session_id = await _seated(engine)
    clock = SettableClock(_utc("2027-01-27T00:00"))
    async with _uow(engine) as uow:
        await emit_due_reminders(uow, POLICY, clock=clock)
        await uow.commit()
    change = SessionUpdate.model_validate(
        {"starts_at": "2027-02-09T09:00:00+02:00", "ends_at": "2027-02-09T11:00:00+02:00"}
    )
    await sessions.update_session(session_id, change, _uow(engine), POLICY, clock=clock)
    # The week-before reminder went out for the old date: it is due again for the new one.
    assert await _reminders(engine) == [
        (7 * 86400, _utc("2027-02-02T07:00"), False),
        (86400, _utc("2027-02-08T07:00"), False),
    ]

    seated = await participation.list_participants(session_id, _uow(engine))
    first = next(e for e in seated if e.status == "confirmed")
    await participation.cancel_enrolment(first.id, _uow(engine), POLICY, STAFF, clock=clock)
    promoted = await _events(engine, "enrolment.promoted")
    assert [p["participant"]["email"] for p in promoted] == ["second@example.fi"]
    async with engine.connect() as conn:
        table = Reminder.__table__  # type: ignore[attr-defined]
        owners = set((await conn.execute(select(table.c.enrolment_id))).scalars())
    assert owners == {uuid.UUID(promoted[0]["enrolment_id"])}
    assert len(await _reminders(engine)) == 2
