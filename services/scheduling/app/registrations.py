"""The read model of registrations: the newest snapshot of each, and the seats it gives.

Every `registration.*` event carries the whole registration after the change, with a
`revision` that registration raises on every change. The newest snapshot wins: one whose
revision is not above the stored one (a retry or a redelivery that arrives late) changes
nothing; an event without a revision (0, from before revisions) is ordered by its
`occurred_at`. After the snapshot, the one reconcile step brings the seats to it (R2).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.reconcile import reconcile_registration
from services.scheduling.app.records import RegistrationRecord
from services.scheduling.app.schemas import KnownRegistrationPublic
from services.scheduling.app.views import known_registration_public
from services.scheduling.domain import errors
from services.scheduling.domain.enrolment import participants
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.registration import (
    RegistrationEvent,
    RegistrationSubmitted,
)


def is_stale(
    row: RegistrationRecord, payload: RegistrationEvent, occurred_at: datetime | None
) -> bool:
    """Whether `payload` is older than (or the same as) the snapshot already kept."""
    if payload.revision > 0 and row.revision > 0:
        return payload.revision <= row.revision
    if occurred_at is not None and row.last_event_at is not None:
        return occurred_at < row.last_event_at
    # Without revisions or times: a submission is old news once later events were seen.
    return isinstance(payload, RegistrationSubmitted)


def _snapshot(
    uow: SchedulingUoW,
    registration: RegistrationRecord | None,
    payload: RegistrationEvent,
    *,
    occurred_at: datetime | None,
    clock: Clock,
) -> RegistrationRecord:
    """The read-model row brought up to the event's snapshot (a new row on first sight)."""
    now = clock.now()
    row = registration or uow.registrations.create(
        registration_id=payload.registration_id,
        organisation_name=payload.organisation.name,
        business_id=payload.organisation.business_id,
        submitted_at=getattr(payload, "submitted_at", now),
        received_at=now,
    )
    row.organisation_name = payload.organisation.name
    row.business_id = payload.organisation.business_id
    row.participants = [c.model_dump(mode="json") for c in participants(payload.contacts)]
    row.state = payload.state
    row.period_year, row.period_number = payload.period.year, payload.period.number
    row.service, row.domain = payload.service, payload.organisation.domain
    row.revision = max(row.revision or 0, payload.revision)
    if occurred_at is not None:
        last = row.last_event_at
        row.last_event_at = occurred_at if last is None else max(last, occurred_at)
    return row


async def apply_registration_event(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    payload: RegistrationEvent,
    clock: Clock,
    occurred_at: datetime | None = None,
) -> bool:
    """Keep the newest snapshot and reconcile the registration's seats; False when the event
    was older than what is kept (nothing changes)."""
    # The row lock orders two events of one registration handled at once (PostgreSQL).
    existing = await uow.registrations.get(registration_id=payload.registration_id, lock=True)
    if existing is not None and is_stale(existing, payload, occurred_at):
        return False
    row = _snapshot(uow, existing, payload, occurred_at=occurred_at, clock=clock)
    await uow.flush()
    await reconcile_registration(uow, policy, registration_id=row.registration_id, clock=clock)
    return True


async def get_known_registration(
    registration_id: uuid.UUID, uow: SchedulingUoW, caller: Principal
) -> KnownRegistrationPublic:
    """What scheduling knows of one registration: staff all, an organisation its own (404)."""
    async with uow:
        row = await uow.registrations.get(registration_id=registration_id)
    if row is None or not caller.may_see(row.business_id):
        raise errors.REGISTRATION_NOT_FOUND(
            f"Scheduling has no registration {registration_id} (yet)."
        )
    return known_registration_public(row)
