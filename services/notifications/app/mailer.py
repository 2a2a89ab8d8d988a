"""What queueing a mail needs from the settings, and whom to wake once it is committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.notifications.app.ports import Rerender


@dataclass(frozen=True)
class Mailer:
    """The sender's identity (Message-ID domain, calendar organiser) and the sender's doorbell."""

    message_id_domain: str
    organizer: str
    organizer_name: str
    on_queued: Callable[[], None]
    staff_mailbox: str | None = None
    # The staff mailbox's language, and Kela's contact address that every mail gives (#14.6).
    staff_language: str = "fi"
    contact_address: str | None = None
    # Renders a stored mail again from the current state for a staff resend (#14.4).
    rerender: Rerender | None = None
