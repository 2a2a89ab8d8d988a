"""#14.1 (support): a registration snapshot older than one already seen mails nobody.

Registration raises `revision` on every change; a retried `registration.accepted` (rev 2)
applied after `registration.withdrawn` (rev 3) must not tell the contacts "accepted".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.notifications.app import registration_mails
from shared.contracts import registration as reg
from shared.events import make_envelope
from tests.integration.test_notifications_claim import (
    CLOCK,
    engine,
    mailer,
    mails_of,
    uow_factory,
)
from tests.support import submitted_event

__all__ = ["engine"]  # the fixture, on SQLite and PostgreSQL


def snapshot(base: reg.RegistrationSubmitted, model: type[Any], **fields: Any) -> Any:
    data = base.model_dump(mode="json", exclude={"submitted_at"})
    return model.model_validate({**data, **fields})


async def apply(engine: AsyncEngine, event: Any) -> int:
    uow = uow_factory(engine)()
    async with uow:
        queued = await registration_mails.on_registration_event(
            uow, event, make_envelope(event, producer="test"), mailer=mailer(), clock=CLOCK
        )
        await uow.commit()
    return queued


async def test_an_older_snapshot_arriving_late_sends_nothing(engine: AsyncEngine) -> None:
    submitted = submitted_event().model_copy(update={"revision": 1})
    withdrawn = snapshot(
        submitted,
        reg.RegistrationWithdrawn,
        state="withdrawn",
        previous_state="accepted",
        revision=3,
    )
    accepted = snapshot(submitted, reg.RegistrationAccepted, state="accepted", revision=2)

    assert await apply(engine, submitted) == 1
    assert await apply(engine, withdrawn) == 1
    assert await apply(engine, accepted) == 0, "rev 2 after rev 3: nothing to tell"

    templates = sorted(m.template for m in await mails_of(engine, submitted.registration_id))
    assert templates == ["registration_received", "registration_withdrawn"]


async def test_a_newer_snapshot_still_mails_and_old_events_without_revisions_do_too(
    engine: AsyncEngine,
) -> None:
    legacy = submitted_event()  # revision 0: sent before revisions existed
    accepted = snapshot(legacy, reg.RegistrationAccepted, state="accepted")
    assert await apply(engine, legacy) == 1
    assert await apply(engine, accepted) == 1
    returned = snapshot(legacy, reg.RegistrationReturned, state="returned", note="x", revision=5)
    assert await apply(engine, returned) == 1
    rejected = snapshot(legacy, reg.RegistrationRejected, state="rejected", note="y", revision=4)
    assert await apply(engine, rejected) == 0
