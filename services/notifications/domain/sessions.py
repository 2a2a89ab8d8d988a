"""Which sessions a registration's mails list, and how a reschedule's changes are ordered."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from shared.contracts.common import Participant

# Fields of a rescheduled session in the order a mail lists their changes; others follow.
CHANGE_ORDER = ("title", "starts_at", "ends_at", "place", "online_url")


def change_order(fields: Collection[str]) -> list[str]:
    """Changed fields in reading order: time first, then place, then anything else by name."""
    known = [name for name in CHANGE_ORDER if name in fields]
    return known + sorted(name for name in fields if name not in CHANGE_ORDER)


def audience_includes(
    *,
    services: Collection[str] | None,
    domains: Collection[str] | None,
    service: str,
    domain: str,
) -> bool:
    """True when a session is meant for a registration of this service and domain (None: all)."""
    return (services is None or service in services) and (domains is None or domain in domains)


@dataclass(frozen=True)
class EntryState:
    """A person's own calendar entry of a session as last heard: who, live or cancelled."""

    participant: Participant
    live: bool
    position: int | None = None


@dataclass(frozen=True)
class CurrentMail:
    """Which session mail tells a person the current state, and its calendar part."""

    template: str
    method: str | None  # iTIP METHOD of the calendar part, None: no calendar part
    status: str | None  # STATUS of the event


_CANCELLED_TEMPLATES = ("enrolment_cancelled", "session_cancelled")


def current_session_mail(
    template: str, *, session_cancelled: bool, entry: EntryState | None
) -> CurrentMail:
    """#14.4: the mail a resend of `template` sends now, from the current state.

    An invitation, a change or a promotion is resent as the current invitation (tentative
    while the person waits); once the session or the person's place is cancelled, as that
    cancellation; a reminder stays a reminder while the entry is live. Without a known entry
    (mails from before entries were kept), the original template says whether it was live.
    """
    live = entry.live if entry is not None else template not in _CANCELLED_TEMPLATES
    waiting = (
        entry.participant.seat == "waiting"
        if entry is not None
        else template == "enrolment_waitlisted"
    )
    if session_cancelled:
        return CurrentMail("session_cancelled", "CANCEL", "CANCELLED")
    if not live:
        return CurrentMail("enrolment_cancelled", "CANCEL", "CANCELLED")
    if template == "session_reminder":
        return CurrentMail("session_reminder", None, None)
    if waiting:
        return CurrentMail("enrolment_waitlisted", "REQUEST", "TENTATIVE")
    return CurrentMail("enrolment_confirmed", "REQUEST", "CONFIRMED")
