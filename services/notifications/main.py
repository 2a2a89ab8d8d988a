"""Composition root of the notifications service (ASGI factory `main:create_app`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.notifications.adapters.tables import messaging, metadata
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.api import deliveries, suppressions
from services.notifications.app.mailer import Mailer
from services.notifications.app.ports import DeliveryUnitOfWork
from services.notifications.app.resend import rerender_mail
from services.notifications.app.sender import MailSender
from services.notifications.consumers import consumer_specs
from services.notifications.settings import NotificationsSettings
from shared.app import create_service_app
from shared.clock import Clock
from shared.loops import Doorbell
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"

# The routes' use cases name the unit of work by protocol; this one must satisfy it.
_PORT: type[DeliveryUnitOfWork] = NotificationsUnitOfWork


def mailer_for(settings: NotificationsSettings, doorbell: Doorbell) -> Mailer:
    """What queueing mail needs from the settings; queued mail rings `doorbell`."""
    return Mailer(
        message_id_domain=settings.message_id_domain,
        organizer=settings.mail_from_address,
        organizer_name=settings.mail_from_name,
        on_queued=doorbell.ring,
        staff_mailbox=str(settings.staff_mailbox) if settings.staff_mailbox else None,
        staff_language=settings.staff_language,
        contact_address=str(settings.kela_contact_email) if settings.kela_contact_email else None,
        rerender=rerender_mail,
    )


def build_runtime(
    settings: ServiceSettings, clock: Clock, *, doorbell: Doorbell | None = None
) -> Runtime[NotificationsUnitOfWork]:
    """Wire the service's tables, consumers and broker from its settings.

    `doorbell` wakes the mail sender after a commit that queued mail.
    """
    if not isinstance(settings, NotificationsSettings):
        raise TypeError(f"the notifications service needs NotificationsSettings, not {settings!r}")
    mailer = mailer_for(settings, doorbell or Doorbell())
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        uow_class=NotificationsUnitOfWork,
        clock=clock,
        consumer_specs=consumer_specs(mailer=mailer, clock=clock),
    )


def create_app(
    settings: NotificationsSettings | None = None, *, clock: Clock | None = None
) -> FastAPI:
    """The notifications service's ASGI app; settings are read here, not at import."""
    config = settings or load_settings(NotificationsSettings)
    doorbell = Doorbell()

    def runtime_for(settings: ServiceSettings, clock: Clock) -> Runtime[NotificationsUnitOfWork]:
        return build_runtime(settings, clock, doorbell=doorbell)

    async def start_sender(runtime: Runtime[NotificationsUnitOfWork]) -> None:
        sender = MailSender(uow_factory=runtime.uow, settings=config, clock=runtime.clock)
        runtime.run_loop(
            "mail-sender",
            sender.one_pass,
            interval_s=config.mail_poll_interval_s,
            doorbell=doorbell,
        )

    app = create_service_app(
        settings=config,
        build_runtime=runtime_for,
        routers=[deliveries.router, suppressions.router],
        title="Kanta deployment periods: notifications",
        description=(
            "Mails to organisations' contacts and participants in their language (receipts, "
            "decisions, invitations with calendar files, changes, reminders), sent from an "
            "outbox with retries, and their delivery records. Staff see every record; an "
            "organisation sees those of its own registrations. Errors are RFC 9457 problem "
            "details with a stable `code`."
        ),
        on_started=start_sender,
        clock=clock,
    )
    app.state.mailer = mailer_for(config, doorbell)
    return app
