"""Pure rules of enrolment: who joins which session (R2), seats and the waiting list, reminders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from services.scheduling.domain import HELSINKI

LANGUAGE_FALLBACK = ("fi", "sv", "en")


@dataclass(frozen=True)
class SessionChoice:
    """What selection needs to know of a scheduled session."""

    session_id: object
    kind: Literal["preparation", "training"]
    language: str
    services: tuple[str, ...] | None
    domains: tuple[str, ...] | None
    roles: tuple[str, ...] | None

    @property
    def group(self) -> tuple[object, ...]:
        """Sessions of one group are language versions of the same event."""
        return (self.kind, self.services, self.domains, self.roles)


def audience_matches(choice: SessionChoice, *, service: str, domain: str, role: str | None) -> bool:
    """R2: the preparation event is for everyone in the period (unless narrowed by its
    audience); a training only for the services, domains and (optionally) roles it names."""
    if choice.services is not None and service not in choice.services:
        return False
    if choice.domains is not None and domain not in choice.domains:
        return False
    return choice.roles is None or (role is not None and role in choice.roles)


def sessions_for(
    choices: Sequence[SessionChoice],
    *,
    service: str,
    domain: str,
    role: str | None,
    language: str,
) -> list[SessionChoice]:
    """The sessions one participant is enrolled in (R2, R12).

    Sessions with the same kind and audience are versions of one event in several languages:
    the participant gets the versions in their language, else in Finnish, Swedish, English.
    """
    groups: dict[tuple[object, ...], list[SessionChoice]] = {}
    for choice in choices:
        if audience_matches(choice, service=service, domain=domain, role=role):
            groups.setdefault(choice.group, []).append(choice)
    chosen: list[SessionChoice] = []
    for members in groups.values():
        present = {m.language for m in members}
        preferred = next(
            (lang for lang in (language, *LANGUAGE_FALLBACK) if lang in present),
            members[0].language,
        )
        chosen += [m for m in members if m.language == preferred]
    return chosen


def seat_status(*, capacity: int, confirmed: int) -> Literal["confirmed", "waitlisted"]:
    """Capacity is hard: a full session puts the newcomer on the waiting list."""
    return "confirmed" if confirmed < capacity else "waitlisted"


@dataclass(frozen=True)
class Waiting:
    """One waiting-list entry: `queue_no` grows with every enrolment in the session."""

    enrolment_id: object
    queue_no: int


def to_promote(*, capacity: int, confirmed: int, waiting: Sequence[Waiting]) -> list[object]:
    """Enrolment ids that take the free seats, first in line first."""
    free = max(0, capacity - confirmed)
    return [w.enrolment_id for w in sorted(waiting, key=lambda w: w.queue_no)[:free]]


def reminder_due_at(starts_at: datetime, offset: timedelta) -> datetime:
    """When to remind of a session starting at `starts_at`, as a UTC instant.

    Whole-day offsets are calendar days in Helsinki: "7 days before 09:00" is 09:00 local
    a week earlier, across a DST change too. Other offsets are exact durations.
    """
    if offset % timedelta(days=1) == timedelta(0):
        # Same-zone arithmetic in Python is wall-clock arithmetic; astimezone then resolves
        # the UTC offset of the new wall time (EET or EEST).
        local = starts_at.astimezone(HELSINKI)
        return (local - offset).astimezone(UTC)
    return starts_at.astimezone(UTC) - offset


def reminders_to_keep(
    starts_at: datetime, offsets: Sequence[timedelta], *, now: datetime
) -> dict[timedelta, datetime]:
    """Offset → due instant for the reminders still ahead; a past one is never sent."""
    due = {offset: reminder_due_at(starts_at, offset) for offset in offsets}
    return {offset: at for offset, at in due.items() if at > now}


def iso_duration(offset: timedelta) -> str:
    """`P7D`, `P1D`, `PT2H`, `P1DT30M`: the ISO 8601 duration events carry."""
    days, rest = offset.days, offset.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
    )
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "") if offset else "PT0S"
