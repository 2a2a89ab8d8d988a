"""What queueing a mail needs from the settings, and whom to wake once it is committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Mailer:
    """The sender's identity (Message-ID domain, calendar organiser) and the sender's doorbell."""

    message_id_domain: str
    organizer: str
    organizer_name: str
    on_queued: Callable[[], None]
    staff_mailbox: str | None = None
