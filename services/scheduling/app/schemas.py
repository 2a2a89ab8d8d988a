"""What the use cases take and return (the API's bodies): requests refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, field_serializer

from shared.clock import HELSINKI
from shared.contracts.common import ContactRole, Domain, Language

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

    year: int = Field(ge=2000, le=2100)
    number: int = Field(ge=1, le=3)
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
    fi: str = Field(min_length=1, max_length=300)
    sv: str = Field(min_length=1, max_length=300)
    en: str | None = Field(default=None, min_length=1, max_length=300)


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
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    online_url: str | None = Field(default=None, pattern=URL_PATTERN, max_length=2000)
    place: str | None = Field(default=None, min_length=1, max_length=500)
    language: Language
    capacity: int = Field(ge=1, le=10_000)
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
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    online_url: str | None = Field(default=None, pattern=URL_PATTERN, max_length=2000)
    place: str | None = Field(default=None, min_length=1, max_length=500)
    language: Language | None = None
    capacity: int | None = Field(default=None, ge=1, le=10_000)
    audience: AudienceIn | None = None
    confirm_holiday: bool = False


class SessionCancel(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "The trainer fell ill; a new date follows."}]},
    )

    note: str | None = Field(default=None, max_length=2000)


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
    name: str = Field(min_length=1, max_length=200)
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
