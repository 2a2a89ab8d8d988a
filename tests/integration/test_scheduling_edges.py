"""#14.5 and #15 on scheduling's side: sessions inside their period, no period without a
preparation event (R2), reminders that follow changed offsets, sane dates and clean text,
and calendar feeds bound to one contact of one registration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import pytest
from sqlmodel import select

from services.scheduling.adapters.tables import Reminder
from shared.contracts.registration import RegistrationWithdrawn
from tests.dates import in_days, iso, working_day
from tests.integration.scheduling_support import (
    OTHER_BUSINESS_ID,
    PERIOD,
    Service,
    accepted,
    add_session,
    body,
    contact,
    create_period,
    publish,
    publish_event,
    scheduling_service,
    session_body,
)
from tests.support import catch_events, eventually

pytestmark = pytest.mark.asyncio

EVERYONE = {"services": None, "domains": None, "roles": None}


async def _post_session(service: Service, period_id: str, **changes: Any) -> Any:
    return await service.client.post(
        f"/v1/periods/{period_id}/sessions",
        json=session_body(**changes),
        headers=service.staff,
    )


async def test_r2_sessions_lie_inside_their_period_and_a_preparation_event_may_precede_it(
    make_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        starts = date.fromisoformat(PERIOD["starts_on"])
        ends = date.fromisoformat(PERIOD["ends_on"])
        before = working_day(in_days(-20, start=starts))
        after = working_day(in_days(3, start=ends))
        for day in (before, after):
            late = await _post_session(
                service, period["id"], starts_at=iso(day, "09:00"), ends_at=iso(day, "12:00")
            )
            assert (late.status_code, late.json()["code"]) == (422, "session_outside_period")
        early_prep = await _post_session(
            service,
            period["id"],
            kind="preparation",
            audience=EVERYONE,
            starts_at=iso(before, "09:00"),
            ends_at=iso(before, "12:00"),
        )
        assert early_prep.status_code == 201, early_prep.text  # within the 60 days' lead
        too_early = working_day(in_days(-90, start=starts))
        refused = await _post_session(
            service,
            period["id"],
            kind="preparation",
            audience=EVERYONE,
            starts_at=iso(too_early, "09:00"),
            ends_at=iso(too_early, "12:00"),
        )
        assert refused.json()["code"] == "session_outside_period"


async def test_r2_a_period_without_a_preparation_event_is_not_published(
    make_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        await add_session(service, period["id"])  # a training only
        response = await service.client.post(
            f"/v1/periods/{period['id']}/publish", headers=service.staff
        )
        assert (response.status_code, response.json()["code"]) == (
            409,
            "period_without_preparation",
        )


@pytest.mark.parametrize(
    "starts_at",
    ["9999-12-31T20:00:00-05:00", "0001-01-01T01:00:00+14:00", "1999-12-01T09:00:00+02:00"],
)
async def test_extreme_session_dates_are_a_422_not_a_500(
    make_settings: Callable[..., Any], starts_at: str
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        response = await _post_session(service, period["id"], starts_at=starts_at)
        assert response.status_code == 422, response.text
        session = await add_session(service, period["id"])
        patched = await service.client.patch(
            f"/v1/sessions/{session['id']}", json={"starts_at": starts_at}, headers=service.staff
        )
        assert patched.status_code == 422, patched.text


async def test_text_fields_refuse_control_characters(make_settings: Callable[..., Any]) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        for changes in (
            {"title": {"fi": "Nul\u0000Nimi", "sv": "Namn"}},
            {"place": "Kela\r\nBcc: x@example.fi"},
        ):
            response = await _post_session(service, period["id"], **changes)
            assert response.status_code == 422, response.text


async def test_reminders_of_existing_enrolments_follow_changed_offsets(
    make_settings: Callable[..., Any],
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'scheduling.db'}"
    async with scheduling_service(make_settings, database_url=url) as service:
        period = await create_period(service)
        await add_session(service, period["id"], kind="preparation", audience=EVERYONE)
        await publish(service, period["id"])
        exchange = service.settings.exchange
        async with catch_events(amqp_connection, exchange, "enrolment.confirmed") as caught:
            await publish_event(amqp_connection, exchange, accepted([contact("Tekninen")]))
            await caught.next(timeout=15)
    two_days = timedelta(days=2)
    async with scheduling_service(
        make_settings, database_url=url, reminder_offsets=[two_days]
    ) as service:
        async with service.runtime.sessions() as db:
            offsets = {r.offset_s for r in await db.exec(select(Reminder))}
        assert offsets == {int(two_days.total_seconds())}


async def test_15_7_a_feed_is_one_contact_of_one_registration_and_can_be_rotated(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    """Organisation A enters organisation B's contact's address: A's feed shows A's seats
    only, B's feed stays B's, a rotated URL stops working, and so does a removed contact's."""
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        await add_session(service, period["id"], kind="preparation", audience=EVERYONE)
        welfare = await add_session(
            service, period["id"], audience={"services": ["sw_phase_1_documents"]}
        )
        await add_session(service, period["id"])  # A's training (health care)
        await publish(service, period["id"])
        shared_person = contact("Jaettu")
        exchange = service.settings.exchange
        b = accepted(
            [shared_person],
            business_id=OTHER_BUSINESS_ID,
            service="sw_phase_1_documents",
            domain="social_welfare",
        )
        a = accepted([shared_person])
        async with catch_events(amqp_connection, exchange, "enrolment.*") as caught:
            await publish_event(amqp_connection, exchange, b)
            b_events = [body(await caught.next(timeout=15)) for _ in range(2)]
            await publish_event(amqp_connection, exchange, a)
            a_event = body(await caught.next(timeout=15))
        assert a_event["payload"]["participant"]["registration_id"] == str(a.registration_id)
        a_feed = urlsplit(a_event["payload"]["feed_url"]).path
        b_feed = urlsplit(b_events[0]["payload"]["feed_url"]).path
        assert a_feed != b_feed
        a_view = await service.client.get(a_feed)
        assert a_view.status_code == 200
        # A's feed shows A's seat only: not B's training nor the preparation seat B holds.
        assert a_view.text.count("BEGIN:VEVENT") == 1
        assert a_event["payload"]["participant"]["calendar_uid"] in a_view.text
        for seen in b_events:
            assert seen["payload"]["participant"]["calendar_uid"] not in a_view.text
        assert welfare["id"] in {e["payload"]["session"]["session_id"] for e in b_events}

        rotated = await service.client.post(
            f"/v1/registrations/{b.registration_id}/feeds/rotate",
            json={"email": str(shared_person.email)},
            headers=service.staff,
        )
        assert rotated.status_code == 200, rotated.text
        assert (await service.client.get(b_feed)).status_code == 404
        new_feed = urlsplit(rotated.json()["feed_url"]).path
        assert (await service.client.get(new_feed)).status_code == 200
        not_theirs = await service.client.post(
            f"/v1/registrations/{b.registration_id}/feeds/rotate",
            json={"email": str(shared_person.email)},
            headers=service.organisation(OTHER_BUSINESS_ID),
        )
        assert not_theirs.status_code == 403

        # The contact leaves B's registration: B's feed of them is revoked.
        withdrawn = {**b.model_dump(mode="json"), "state": "withdrawn", "revision": 2}
        event = RegistrationWithdrawn.model_validate({**withdrawn, "previous_state": "accepted"})
        await publish_event(amqp_connection, exchange, event)

        async def revoked() -> bool:
            return (await service.client.get(new_feed)).status_code == 404

        await eventually(revoked, what="the withdrawn contact's feed to be revoked")
