"""API models of the registration service: the form, its parts, and what the API answers.

Every input model refuses unknown fields; read-only fields (`id`, `state`, timestamps) are
not part of any input, so a body that sends them is refused too.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from services.registration.app.samples import EXAMPLE_FORM
from services.registration.domain.identifiers import check_oid, normalise_business_id
from services.registration.domain.states import RegistrationState
from shared.contracts.common import ContactRole, Domain, Language, Sector
from shared.numbers import Integer
from shared.paging import Page
from shared.text import SafeLine, SafeText

Name = SafeLine
"""A name on one line (organisation, contact, product): no control characters, NFC."""
Text = SafeText
"""Staff's free text (a reason, the changes asked for, a note): line breaks allowed."""
BusinessId = Annotated[
    SafeLine, StringConstraints(max_length=16), AfterValidator(normalise_business_id)
]
Reason = Literal["first_deployment", "new_service_or_functionality", "significant_extension"]
ServiceCode = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Organisation(_In):
    """The registering organisation."""

    name: Name = Field(examples=["Esimerkki Terveys Oy"])
    business_id: BusinessId = Field(examples=["2077474-0"])
    oid: Annotated[SafeLine, StringConstraints(max_length=64)] = Field(
        description="OID of the SOTE organisation register (1.2.246.10.<business ID digits>"
        ".10.0, or a unit's .10.<n>), or the IAH id of an independent practitioner.",
        examples=["1.2.246.10.20774740.10.0"],
    )
    sector: Sector = Field(examples=["private"])
    domain: Domain = Field(examples=["health_care"])

    @field_validator("oid")
    @classmethod
    def _oid(cls, value: str, info: ValidationInfo) -> str:
        business_id = info.data.get("business_id")
        if business_id is None:  # already refused; its own error says why
            return value
        return check_oid(value, business_id=business_id)


class InformationSystem(_In):
    """The information system used with the service."""

    product: Name = Field(examples=["Potilas Pro"])
    vendor: Name = Field(examples=["Toimittaja Oy"])
    version: Annotated[SafeLine, StringConstraints(max_length=50)]
    certified: bool = Field(examples=[True])
    profile: Annotated[SafeLine, StringConstraints(max_length=100)] | None = Field(
        default=None, description="Information-system profile (social welfare only)."
    )


class Period(_In):
    """A deployment period: `{"year": 2027, "number": 1}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: Integer = Field(ge=2000, le=2100, examples=[2027])
    number: Integer = Field(ge=1, le=3, examples=[1])


class Customership(_In):
    """R8: Kanta customership; for a first deployment, the commitment steps and when done."""

    existing_customer: bool = Field(examples=[False])
    commitment_signed_on: date | None = Field(
        default=None, description="Customer commitment and general terms signed."
    )
    service_application_on: date | None = Field(default=None, description="Service applied for.")
    service_description_accepted_on: date | None = Field(
        default=None, description="Service description accepted."
    )
    details_submitted_on: date | None = Field(
        default=None, description="Administrative and technical details given to Kela."
    )


class ContactIn(_In):
    """A contact person of the registration."""

    name: Name = Field(examples=["Tekninen Yhteyshenkilö"])
    email: EmailStr = Field(examples=["maija@example.fi"])
    role: ContactRole = Field(examples=["technical"])
    language: Language = Field(default="fi", examples=["fi"])
    participates: bool = Field(default=True, description="Takes part in Kela's events.")


class RegistrationCreate(_In):
    """The body of `POST /v1/registrations`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_FORM]})

    organisation: Organisation
    service: ServiceCode = Field(description="A code of `GET /v1/services`.")
    reason: Reason = Field(description="R3: why the organisation registers.")
    system: InformationSystem
    vendor_handles_support: bool = Field(
        default=False,
        description="R5 (health care only): the system vendor handles the deployment support; "
        "registering is then optional.",
    )
    period: Period
    planned_production_start: date = Field(description="R7: by the period's last day.")
    customership: Customership
    contacts: list[ContactIn] = Field(min_length=1, max_length=50)


class RegistrationUpdate(_In):
    """The body of `PATCH /v1/registrations/{id}`: the sections to replace, whole.

    A section left out (or null) stays as it is; the business ID cannot change.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"planned_production_start": "2027-05-02", "system": EXAMPLE_FORM["system"]}
            ]
        },
    )

    organisation: Organisation | None = None
    service: ServiceCode | None = None
    reason: Reason | None = None
    system: InformationSystem | None = None
    vendor_handles_support: bool | None = None
    period: Period | None = None
    planned_production_start: date | None = None
    customership: Customership | None = None
    contacts: list[ContactIn] | None = Field(default=None, min_length=1, max_length=50)


class RejectBody(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "The organisation deploys the service already."}]
        },
    )

    reason: Text = Field(examples=["The organisation deploys the service already."])


class ReturnBody(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"changes_requested": "Name a technical contact."}]},
    )

    changes_requested: Text = Field(examples=["Name a technical contact."])


class MoveBody(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"period": {"year": 2027, "number": 2}, "note": "At the organisation's request."}
            ]
        },
    )

    period: Period
    note: Text | None = Field(default=None, examples=["Moved at the organisation's request."])


class DeployBody(_In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"deployed_on": "2027-04-20"}]}
    )

    deployed_on: date = Field(examples=["2027-04-20"], description="Production use started.")


class WarningOut(BaseModel):
    code: str = Field(examples=["short_lead_time"])
    message: str


class CustomershipOut(Customership):
    pending: list[str] = Field(
        default_factory=list,
        description="R8: commitment steps still without a date.",
        examples=[["commitment_signed_on"]],
    )


class RegistrationPublic(BaseModel):
    """A registration as the API shows it."""

    id: uuid.UUID
    state: RegistrationState
    organisation: Organisation
    service: str
    reason: Reason
    system: InformationSystem
    vendor_handles_support: bool
    period: Period
    planned_production_start: date
    customership: CustomershipOut
    contacts: list[ContactIn]
    registration_required: bool = Field(description="R5: false when registering was optional.")
    warnings: list[WarningOut]
    state_note: str | None = Field(
        default=None, description="Why it was rejected, or what to change when returned."
    )
    deployed_on: date | None = None
    revision: int = Field(
        default=1, ge=1, description="Rises by one with every change of the registration."
    )
    submitted_at: datetime
    updated_at: datetime


class RegistrationPage(Page[RegistrationPublic]):
    """One page of registrations; pass `next_cursor` as `cursor` for the next."""


class Actor(BaseModel):
    """Who made a change; organisations see staff changes as Kela's."""

    client_id: str | None
    role: str
    name: str | None = None


class HistoryEntry(BaseModel):
    """One change: who, in which role, when, and old → new."""

    at: datetime
    actor: Actor
    action: str = Field(examples=["accept"])
    from_state: str | None = Field(examples=["submitted"])
    to_state: str = Field(examples=["accepted"])
    changes: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        examples=[{"planned_production_start": {"old": "2027-04-15", "new": "2027-05-02"}}],
    )
    note: str | None = None
