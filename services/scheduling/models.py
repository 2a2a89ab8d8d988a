"""Tables and API models of the scheduling service (on its own metadata)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.contracts.common import Language
from shared.messaging.tables import messaging_tables
from shared.types import UTCDateTime


class SchedulingBase(SQLModel, registry=registry()):
    """Base of this service's tables: its own metadata, so its migrations see only these."""


metadata = SchedulingBase.metadata
messaging = messaging_tables(metadata)


class KnownRegistration(SchedulingBase, table=True):
    """Scheduling's read model of a registration, built from registration events."""

    __tablename__ = "known_registrations"

    registration_id: uuid.UUID = Field(primary_key=True)
    organisation_name: str = Field(max_length=200)
    business_id: str = Field(max_length=9, index=True)
    participants: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ParticipantPublic(BaseModel):
    name: str
    email: str
    language: Language


class KnownRegistrationPublic(BaseModel):
    """What scheduling knows of a registration: who will take part in the events."""

    registration_id: uuid.UUID
    organisation_name: str
    business_id: str
    participants: list[ParticipantPublic]
    submitted_at: datetime
    received_at: datetime
