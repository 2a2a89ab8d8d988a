"""Composition root of the notifications service (ASGI factory `main:create_app`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from services.notifications import api
from services.notifications.consumers import consumer_specs
from services.notifications.models import messaging, metadata
from services.notifications.queueing import Mailer
from services.notifications.sender import Doorbell, MailSender
from services.notifications.settings import NotificationsSettings
from shared.app import create_service_app
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def mailer_for(settings: NotificationsSettings, doorbell: Doorbell) -> Mailer:
    """What queueing mail needs from the settings; queued mail rings `doorbell`."""
    return Mailer(
        message_id_domain=settings.message_id_domain,
        organizer=settings.mail_from_address,
        organizer_name=settings.mail_from_name,
        on_queued=doorbell.ring,
        staff_mailbox=str(settings.staff_mailbox) if settings.staff_mailbox else None,
    )


def build_runtime(settings: NotificationsSettings, *, doorbell: Doorbell | None = None) -> Runtime:
    """Wire the service's tables, consumers and broker from its settings.

    `doorbell` wakes the mail sender after a commit that queued mail.
    """
    doorbell = doorbell or Doorbell()
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        consumer_specs=consumer_specs(mailer=mailer_for(settings, doorbell)),
    )


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """The notifications service's ASGI app; settings are read here, not at import."""
    config = settings or load_settings(NotificationsSettings)
    doorbell = Doorbell()

    def runtime_for(_: ServiceSettings) -> Runtime:
        return build_runtime(config, doorbell=doorbell)

    async def start_sender(runtime: Runtime) -> None:
        sender = MailSender(uow_factory=runtime.uow, settings=config, doorbell=doorbell)
        runtime.spawn(asyncio.create_task(sender.run(), name="mail-sender"))

    app = create_service_app(
        settings=config,
        build_runtime=runtime_for,
        routers=[api.router],
        title="Kanta deployment periods: notifications",
        description=(
            "Mails to organisations' contacts and participants in their language (receipts, "
            "decisions, invitations with calendar files, changes, reminders), sent from an "
            "outbox with retries, and their delivery records. Staff see every record; an "
            "organisation sees those of its own registrations. Errors are RFC 9457 problem "
            "details with a stable `code`."
        ),
        on_started=start_sender,
    )
    app.state.doorbell = doorbell
    return app
