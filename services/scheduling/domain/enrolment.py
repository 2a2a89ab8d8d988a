"""Pure rules of enrolment: who joins which session (R2, R12), seats and the waiting list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from shared.contracts.common import Contact

LANGUAGE_FALLBACK = ("fi", "sv", "en")


@dataclass(frozen=True)
class Person:
    """Who is enrolled, and for which registration."""

    registration_id: uuid.UUID
    business_id: str
    name: str
    email: str
    language: str
    role: str | None = None


def participants(contacts: list[Contact]) -> list[Contact]:
    """The contacts who take part in the period's events (R2), in the order given, once each."""
    seen: set[str] = set()
    result: list[Contact] = []
    for contact in contacts:
        key = str(contact.email).lower()
        if contact.participates and key not in seen:
            seen.add(key)
            result.append(contact)
    return result


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
