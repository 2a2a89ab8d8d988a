"""What the use cases take and return (the API's bodies): requests refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_serializer,
)

from shared.clock import HELSINKI
from shared.contracts.common import ContactRole, Domain, Language
from shared.numbers import Integer
from shared.text import SafeLine, SafeText, clean_text

ServiceCode = Literal[
    "patient_data_repository",
    "social_welfare_client_data_repository",
    "prescription",
    "certificate_delivery",
    "old_patient_data_archiving",
    "imaging_data_repository",
    "sw_old_documents",
    "sw_phase_1_documents",
    "sw_phase_2_documents",
]
SessionKind = Literal["preparation", "training"]
URL_PATTERN = r"^https?://\S+$"


def _representable(value: datetime) -> datetime:
    """An instant that has a UTC time at all (`9999-12-31T20:00:00-05:00` has none): #15."""
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(
            "the instant lies outside the dates this service takes (2000-01-01–2100-12-31)"
        ) from None
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_representable)]
"""An aware instant that converts to UTC; its range is checked against the settings."""


def _one_line(value: str) -> str:
    return clean_text(value, line=True)


# `SafeLine`'s rules with the longer bounds these fields have always had (a SafeLine is 200).
Title300 = Annotated[
    str,
    AfterValidator(_one_line),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
]
Place = Annotated[
    str,
    AfterValidator(_one_line),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
]
Url = Annotated[
    str,
    AfterValidator(_one_line),
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=URL_PATTERN),
]
Name = SafeLine


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PeriodCreate(_Request):
    """A new deployment period (R1): staff enter every date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2027,
                    "number": 1,
                    "starts_on": "2027-01-11",
                    "ends_on": "2027-04-30",
                    "registration_opens_on": "2026-10-01",
                    "registration_closes_on": "2027-02-12",
                }
            ]
        },
    )

    year: Integer = Field(ge=2000, le=2100)
    number: Integer = Field(ge=1, le=3)
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date


class PeriodUpdate(_Request):
    """New dates for a period; fields left out keep their value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"ends_on": "2027-05-07"}]},
    )

    starts_on: date | None = None
    ends_on: date | None = None
    registration_opens_on: date | None = None
    registration_closes_on: date | None = None


class Title(_Request):
    fi: Title300
    sv: Title300
    en: Title300 | None = None


class AudienceIn(_Request):
    """Who a session is for; `null` means everyone of the period."""

    services: list[ServiceCode] | None = None
    domains: list[Domain] | None = None
    roles: list[ContactRole] | None = None


SESSION_EXAMPLE: dict[str, Any] = {
    "kind": "training",
    "title": {"fi": "Toimintamallikoulutus", "sv": "Utbildning i verksamhetsmodeller"},
    "starts_at": "2027-02-02T09:00:00+02:00",
    "ends_at": "2027-02-02T12:00:00+02:00",
    "online_url": "https://meet.example.fi/kanta-2027-1",
    "place": None,
    "language": "fi",
    "capacity": 80,
    "audience": {
        "services": ["patient_data_repository"],
        "domains": ["health_care"],
        "roles": None,
    },
    "confirm_holiday": False,
}


class SessionCreate(_Request):
    """A preparation event or a training of a period (R2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SESSION_EXAMPLE]})

    kind: SessionKind
    title: Title
    starts_at: Instant
    ends_at: Instant
    online_url: Url | None = None
    place: Place | None = None
    language: Language
    capacity: Integer = Field(ge=1, le=10_000)
    audience: AudienceIn = AudienceIn()
    confirm_holiday: bool = False


class SessionUpdate(_Request):
    """Changes to a session; fields left out keep their value, `null` clears a link or place."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "starts_at": "2027-02-03T09:00:00+02:00",
                    "ends_at": "2027-02-03T12:00:00+02:00",
                    "place": "Kela, Nordenskiöldinkatu 12, Helsinki",
                }
            ]
        },
    )

    title: Title | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    online_url: Url | None = None
    place: Place | None = None
    language: Language | None = None
    capacity: Integer | None = Field(default=None, ge=1, le=10_000)
    audience: AudienceIn | None = None
    confirm_holiday: bool = False


class SessionCancel(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "The trainer fell ill; a new date follows."}]},
    )

    note: SafeText | None = None


class _Helsinki(BaseModel):
    """Responses show instants in Europe/Helsinki (stored as UTC)."""

    @field_serializer("starts_at", "ends_at", check_fields=False)
    def _local(self, value: datetime) -> str:
        return value.astimezone(HELSINKI).isoformat()


class SessionPublic(_Helsinki):
    id: uuid.UUID
    period_id: uuid.UUID
    uid: str
    sequence: int
    kind: SessionKind
    title: Title
    starts_at: datetime
    ends_at: datetime
    online_url: str | None
    place: str | None
    language: Language
    capacity: int
    seats_taken: int
    waiting: int
    audience: AudienceIn
    status: Literal["draft", "scheduled", "cancelled"]


class PeriodPublic(BaseModel):
    id: uuid.UUID
    year: int
    number: int
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date
    status: Literal["draft", "published"]
    sessions: list[SessionPublic] = Field(default_factory=list)


class CalendarPublic(BaseModel):
    """The periods of a year with their sessions (drafts only for staff)."""

    year: int
    periods: list[PeriodPublic]


class ParticipantAdd(_Request):
    """Staff add a contact of a known registration to a session."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "registration_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "name": "Yhteyshenkilö Esimerkki",
                    "email": "tekninen@example.fi",
                    "language": "fi",
                    "role": "technical",
                }
            ]
        },
    )

    registration_id: uuid.UUID
    name: Name
    email: EmailStr
    language: Language = "fi"
    role: ContactRole | None = None


class EnrolmentMove(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"session_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}]},
    )

    session_id: uuid.UUID


class EnrolmentPublic(BaseModel):
    id: uuid.UUID
    session_id: uuid.UUID
    registration_id: uuid.UUID
    business_id: str
    name: str
    email: str
    language: Language
    role: str | None
    status: Literal["confirmed", "waitlisted", "cancelled"]
    position: int | None = Field(default=None, description="Place in the waiting list, 1 first")
    created_at: datetime


class ParticipantPublic(BaseModel):
    name: str
    email: str
    language: Language


class KnownRegistrationPublic(BaseModel):
    """What scheduling knows of a registration: who will take part in the events."""

    registration_id: uuid.UUID
    organisation_name: str
    business_id: str
    state: str
    participants: list[ParticipantPublic]
    submitted_at: datetime
    received_at: datetime


class FeedRotate(_Request):
    """Staff rotate one contact's calendar feed: the old URL stops working."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "tekninen@example.fi"}]}
    )

    email: EmailStr


class FeedPublic(BaseModel):
    """A contact's calendar feed (the URL is the key: pass it to the person only)."""

    registration_id: uuid.UUID
    email: str
    feed_url: str


class InvitationsResent(BaseModel):
    """How many current invitations of a session were sent again."""

    session_id: uuid.UUID
    confirmed: int
    waiting: int
