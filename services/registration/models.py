"""Tables and API models of the registration service (SQLModel families on its own metadata)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import Column, ForeignKey, Uuid
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from services.registration.domain import RegistrationState, normalise_business_id
from shared.contracts.common import Language
from shared.messaging.tables import messaging_tables
from shared.types import UTCDateTime


class RegistrationBase(SQLModel, registry=registry()):
    """Base of this service's tables: its own metadata, so its migrations see only these."""


metadata = RegistrationBase.metadata
messaging = messaging_tables(metadata)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
BusinessId = Annotated[str, AfterValidator(normalise_business_id)]


# --- API models ---------------------------------------------------------------------------


class OrganisationIn(BaseModel):
    """The registering organisation."""

    model_config = ConfigDict(extra="forbid")

    name: Name = PydanticField(examples=["Esimerkki Terveys Oy"])
    business_id: BusinessId = PydanticField(examples=["2077474-0"])


class ContactIn(BaseModel):
    """A contact person of the registration."""

    model_config = ConfigDict(extra="forbid")

    name: Name = PydanticField(examples=["Maija Meikäläinen"])
    email: EmailStr = PydanticField(examples=["maija@example.fi"])
    language: Language = PydanticField(default="fi", examples=["fi"])


class RegistrationCreate(BaseModel):
    """The body of `POST /v1/registrations` (the foundation's minimal form)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation": {"name": "Esimerkki Terveys Oy", "business_id": "2077474-0"},
                    "contacts": [
                        {"name": "Maija Meikäläinen", "email": "maija@example.fi", "language": "fi"}
                    ],
                }
            ]
        },
    )

    organisation: OrganisationIn
    contacts: list[ContactIn] = PydanticField(min_length=1, max_length=50)


class ContactPublic(BaseModel):
    name: str
    email: str
    language: Language


class OrganisationPublic(BaseModel):
    name: str
    business_id: str


class RegistrationPublic(BaseModel):
    """A registration as the API shows it."""

    id: uuid.UUID
    state: RegistrationState
    organisation: OrganisationPublic
    contacts: list[ContactPublic]
    submitted_at: datetime


# --- Tables -------------------------------------------------------------------------------


class Registration(RegistrationBase, table=True):
    __tablename__ = "registrations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_name: str = Field(max_length=200)
    business_id: str = Field(max_length=9, index=True)
    state: str = Field(max_length=32, index=True)
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class RegistrationContact(RegistrationBase, table=True):
    __tablename__ = "registration_contacts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("registrations.id"), nullable=False, index=True)
    )
    position: int
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    language: str = Field(max_length=2)
