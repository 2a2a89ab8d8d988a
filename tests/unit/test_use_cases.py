"""Use cases through each service's own API on SQLite, with the in-memory broker: the fast tier.

What crosses the real broker (queues, retries, redelivery) is tested against RabbitMQ in
tests/integration; here a commit's events are read where the relay confirmed them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.main import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.registration.settings import RegistrationSettings
from shared.events import make_envelope
from shared.messaging.memory import InMemoryBroker
from shared.runtime import Runtime
from tests.integration.registration_support import form, registration_env
from tests.integration.scheduling_support import add_session, create_period, scheduling_service
from tests.support import eventually, running, submitted_event


def _published(runtime: Runtime[Any]) -> InMemoryBroker:
    assert isinstance(runtime.broker, InMemoryBroker)
    return runtime.broker


async def test_a_submitted_then_accepted_registration_publishes_both_events(
    fast_settings: Callable[..., Any],
) -> None:
    async with registration_env(fast_settings(RegistrationSettings)) as env:
        broker = _published(env.runtime)
        created = await env.submit(form())
        refused = await env.client.post(
            "/v1/registrations", json=form(service="x_ray"), headers=env.org_a
        )
        assert refused.status_code == 422
        accepted = await env.client.post(
            f"/v1/registrations/{created['id']}/accept", headers=env.staff
        )
        assert accepted.status_code == 200, accepted.text
        await eventually(lambda: len(broker.published) >= 2, what="both events confirmed")
        assert broker.event_types() == ["registration.submitted", "registration.accepted"]
        ids = {p.envelope.payload["registration_id"] for p in broker.published}
        assert ids == {created["id"]}


async def test_publishing_a_period_publishes_the_period_and_its_sessions(
    fast_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(fast_settings) as service:
        broker = _published(service.runtime)
        period = await create_period(service)
        await add_session(service, period["id"])
        await add_session(service, period["id"], kind="preparation", capacity=20)
        published = await service.client.post(
            f"/v1/periods/{period['id']}/publish", headers=service.staff
        )
        assert published.status_code == 200, published.text
        await eventually(lambda: len(broker.published) >= 3, what="three events confirmed")
        assert sorted(broker.event_types()) == [
            "period.published",
            "session.published",
            "session.published",
        ]


async def test_a_submitted_registration_queues_a_receipt_per_contact(
    fast_settings: Callable[..., Any],
) -> None:
    app = create_notifications(
        fast_settings(NotificationsSettings, smtp_port=1, staff_mailbox=None)
    )
    async with running(app):
        runtime: Runtime[NotificationsUnitOfWork] = app.state.runtime
        (spec,) = [s for s in runtime.consumer_specs if s.name == "registrations"]
        event = submitted_event()
        async with runtime.uow() as uow:
            await spec.handlers[event.event_type](
                uow, event, make_envelope(event, producer="registration")
            )
            await uow.commit()
        async with runtime.uow() as uow:
            page = await uow.mails.find(limit=50, registration_id=event.registration_id)
        recipients = sorted(mail.recipient for mail in page)
        assert recipients == sorted(c.email for c in event.contacts)
