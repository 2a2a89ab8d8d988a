"""Value types that several services' events share."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Language = Literal["fi", "sv", "en"]
Domain = Literal["health_care", "social_welfare", "pharmacy"]
Sector = Literal["public", "private"]
# Addresses were validated by the API that took them; events only check their shape (a full
# RFC 5321 check of every address in every event cost a tenth of a consumer's time).
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)]
ContactRole = Literal[
    "administrative",
    "technical",
    "data_protection_officer",
    "archivist",
    "implementer",
    "reader",
]


class _Value(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Contact(_Value):
    """A contact person as events carry it: enough to write to them in their language."""

    name: str
    email: Email
    language: Language = "fi"
    role: ContactRole | None = None
    participates: bool = True


class PeriodRef(_Value):
    """A deployment period named as the API names it: `{"year": 2027, "number": 1}`."""

    year: int = Field(ge=2000, le=2100)
    number: int = Field(ge=1, le=3)


class Participant(_Value):
    """One enrolled person of a session (a contact of an accepted registration).

    Each person holds a calendar entry of their own: `calendar_uid` is stable for the
    enrolment's life and `calendar_sequence` rises with every change the person's calendar
    shows (time, place, link, title, seat, cancellation). `seat` says whether the person holds
    a seat or waits (a waiting person holds a tentative entry). Events from before these
    fields fall back to the session's `uid` and `sequence`.
    """

    enrolment_id: uuid.UUID
    registration_id: uuid.UUID
    name: str
    email: Email
    language: Language = "fi"
    role: ContactRole | None = None
    seat: Literal["confirmed", "waiting"] = "confirmed"
    calendar_uid: str | None = None
    calendar_sequence: int | None = Field(default=None, ge=0)
