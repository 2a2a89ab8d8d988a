"""Events of the scheduling service (`period.*`, `session.*`, `enrolment.*`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.common import Domain, Language, Participant, PeriodRef
from shared.events import EventPayload, register


class _Value(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PeriodInfo(_Value):
    """A deployment period and its registration window (dates are Finnish calendar days)."""

    period_id: uuid.UUID
    year: int
    number: int
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date


class LocalizedText(_Value):
    fi: str
    sv: str
    en: str | None = None


class Audience(_Value):
    services: list[str] | None = None
    domains: list[Domain] | None = None
    roles: list[str] | None = None


class SessionInfo(_Value):
    """A session as events carry it, with what a calendar invitation needs.

    `uid` is stable for the session's life; `sequence` rises on every change (RFC 5545).
    Times are aware UTC instants; show them in Europe/Helsinki.
    """

    session_id: uuid.UUID
    uid: str
    sequence: int
    period_id: uuid.UUID
    period: PeriodRef
    kind: Literal["preparation", "training"]
    title: LocalizedText
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    online_url: str | None = None
    place: str | None = None
    language: Language
    capacity: int
    audience: Audience = Audience()
    status: Literal["draft", "scheduled", "cancelled"] = "scheduled"


@register
class PeriodPublished(PeriodInfo, EventPayload):
    """Staff published a period; its window is now what registrations are checked against."""

    event_type: ClassVar[str] = "period.published"
    version: ClassVar[int] = 1


@register
class PeriodUpdated(PeriodInfo, EventPayload):
    """Staff changed the dates of a published period."""

    event_type: ClassVar[str] = "period.updated"
    version: ClassVar[int] = 1


@register
class SessionPublished(EventPayload):
    event_type: ClassVar[str] = "session.published"
    version: ClassVar[int] = 1

    session: SessionInfo


class FieldChange(_Value):
    old: Any
    new: Any


@register
class SessionRescheduled(EventPayload):
    """Time or place of a published session changed; one event may fold several edits.

    `changes` maps a field (`starts_at`, `ends_at`, `place`, `online_url`, and `title` when
    the session's title changed) to old → new. `participants` are everyone who holds a
    calendar entry of the session: confirmed participants (`seat="confirmed"`) and those on
    the waiting list (`seat="waiting"`, a tentative entry), each with the person's own
    `calendar_uid` and the raised `calendar_sequence` to write into the update.
    """

    event_type: ClassVar[str] = "session.rescheduled"
    version: ClassVar[int] = 1

    session: SessionInfo
    changes: dict[str, FieldChange]
    participants: list[Participant] = Field(default_factory=list)


@register
class SessionCancelled(EventPayload):
    """Staff cancelled a session: `participants` are everyone who held an entry of it
    (confirmed and waiting, `seat` says which), each with the raised `calendar_sequence`
    of the person's own entry for the CANCEL."""

    event_type: ClassVar[str] = "session.cancelled"
    version: ClassVar[int] = 1

    session: SessionInfo
    participants: list[Participant] = Field(default_factory=list)
    note: str | None = None


class EnrolmentEvent(EventPayload):
    """What every `enrolment.*` event carries."""

    enrolment_id: uuid.UUID
    participant: Participant
    session: SessionInfo
    feed_url: str | None = None


@register
class EnrolmentConfirmed(EnrolmentEvent):
    """The participant holds a seat.

    `resend` is true when staff asked to send the current invitation again (nothing
    changed): render a fresh REQUEST from this event's `session` and the participant's
    current `calendar_uid`/`calendar_sequence`, never a stored earlier rendering.
    """

    event_type: ClassVar[str] = "enrolment.confirmed"
    version: ClassVar[int] = 1

    resend: bool = False


@register
class EnrolmentWaitlisted(EnrolmentEvent):
    event_type: ClassVar[str] = "enrolment.waitlisted"
    version: ClassVar[int] = 1

    position: int
    resend: bool = False


@register
class EnrolmentPromoted(EnrolmentEvent):
    """A freed seat went to this participant from the waiting list."""

    event_type: ClassVar[str] = "enrolment.promoted"
    version: ClassVar[int] = 1


@register
class EnrolmentCancelled(EnrolmentEvent):
    """The person's seat or place in the queue ended: a per-person CANCEL of the entry
    `participant.calendar_uid`, with the raised `participant.calendar_sequence`."""

    event_type: ClassVar[str] = "enrolment.cancelled"
    version: ClassVar[int] = 1

    reason: str | None = None


@register
class SessionReminderDue(EnrolmentEvent):
    """Emitted once per participant and offset (`offset` as ISO 8601 duration, e.g. P7D)."""

    event_type: ClassVar[str] = "session.reminder_due"
    version: ClassVar[int] = 1

    offset: str
    due_at: AwareDatetime
