"""Request and response bodies of the extension-of-use API (unknown fields refused)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
DocumentGroup = Literal["sw_old_documents", "sw_phase_1_documents", "sw_phase_2_documents"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConnectionPointChange(_Body):
    """R9: notified at least 14 days (a setting) before `effective_on`."""

    kind: Literal["connection_point_change"]
    change: Literal["new_connection_point", "end_of_production_use", "data_link_change"]
    connection_point: Text = Field(examples=["Liityntäpiste 2 (Kanta-palvelut)"])
    effective_on: date = Field(examples=["2027-03-01"])


class NewCertifiedSystem(_Body):
    kind: Literal["new_certified_system"]
    product: Text = Field(examples=["Potilas Pro"])
    vendor: Text = Field(examples=["Toimittaja Oy"])
    certification_class: Text = Field(examples=["A"])
    in_use_from: date = Field(examples=["2027-02-01"])


class DocumentGroupChange(_Body):
    """Social welfare document groups taken into use (always notified to Kela)."""

    kind: Literal["document_group_change"]
    document_groups: list[DocumentGroup] = Field(min_length=1, max_length=3)
    effective_on: date


class SystemProfileChange(_Body):
    kind: Literal["system_profile_change"]
    old_profile: Text
    new_profile: Text
    effective_on: date


class DocumentVolumeGrowth(_Body):
    """Notified to Kela when the increase is over 500,000 documents (a setting)."""

    kind: Literal["document_volume_growth"]
    document_increase: int = Field(ge=0, le=10_000_000_000, examples=[650_000])
    effective_on: date | None = None


class ArchivingExtension(_Body):
    """Archiving extended to new service tasks; notified to Kela only with significant growth."""

    kind: Literal["archiving_extension"]
    service_tasks: list[Text] = Field(min_length=1, max_length=50)
    document_increase: int = Field(ge=0, le=10_000_000_000, examples=[20_000])


NoticeBody = Annotated[
    ConnectionPointChange
    | NewCertifiedSystem
    | DocumentGroupChange
    | SystemProfileChange
    | DocumentVolumeGrowth
    | ArchivingExtension,
    Field(discriminator="kind"),
]


class NoticeCreate(_Body):
    """`POST /v1/notices`: the organisation's name and one notice of the kinds below."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_name": "Esimerkki Terveys Oy",
                    "notice": {
                        "kind": "connection_point_change",
                        "change": "new_connection_point",
                        "connection_point": "Liityntäpiste 2",
                        "effective_on": "2027-03-01",
                    },
                },
                {
                    "organisation_name": "Esimerkin kunta",
                    "notice": {"kind": "document_volume_growth", "document_increase": 650000},
                },
            ]
        },
    )

    organisation_name: Text
    notice: NoticeBody


class NoticeHistoryEntry(BaseModel):
    at: datetime
    actor: str
    role: str
    action: str
    old_state: str | None
    new_state: str


class NoticePublic(BaseModel):
    id: uuid.UUID
    kind: str
    business_id: str
    organisation_name: str
    details: dict[str, Any]
    effective_on: date | None
    routed_to_kela: bool = Field(description="True when Kela's mailbox was sent the notice (R9).")
    state: Literal["received", "acknowledged"]
    created_at: datetime
    acknowledged_at: datetime | None
    history: list[NoticeHistoryEntry] = Field(default_factory=list)


class NoticePage(BaseModel):
    items: list[NoticePublic]
    next_cursor: str | None


class DeploymentTestCreate(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"planned_on": "2027-03-10", "environment": "production"}]},
    )

    planned_on: date
    environment: Literal["production"] = "production"
    service: str | None = Field(
        default=None, description="Defaults to the registration's service.", max_length=64
    )


class DeploymentTestResult(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "success",
                    "tested_on": "2027-03-10",
                    "test_identities": ["010181-900C"],
                    "notes": "Recording and reading a visit worked.",
                }
            ]
        },
    )

    outcome: Literal["success", "failure"]
    tested_on: date
    test_identities: list[Annotated[str, StringConstraints(max_length=11)]] = Field(
        min_length=1, max_length=50, description="Kela's test identity codes (900 series, R10)."
    )
    notes: LongText | None = None


class DeploymentTestReport(_Body):
    """R10: the report to Kela of a successful test (who, when, what, outcome)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reporter_name": "Maija Meikäläinen",
                    "reporter_email": "maija@example.fi",
                    "tested_at": "2027-03-10T10:00:00+02:00",
                    "what_was_tested": "Recording a visit and reading it back from Kanta.",
                    "outcome": "Everything worked as expected.",
                }
            ]
        },
    )

    reporter_name: Text
    reporter_email: Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
    tested_at: datetime
    what_was_tested: LongText
    outcome: LongText


class DeploymentTestPublic(BaseModel):
    id: uuid.UUID
    registration_id: uuid.UUID
    business_id: str
    service: str
    environment: str
    planned_on: date
    state: Literal["planned", "succeeded", "failed", "reported"]
    tested_on: date | None
    test_identities: list[str]
    report_due_on: date | None
    report_overdue: bool
    reported_at: datetime | None
    report: dict[str, Any] | None


class DeploymentTestPage(BaseModel):
    items: list[DeploymentTestPublic]
    next_cursor: str | None


class CustomershipPublic(BaseModel):
    business_id: str
    organisation_name: str
    existing_customer: bool
    checklist: dict[str, date | None] = Field(
        examples=[
            {
                "commitment_signed_on": "2026-11-01",
                "service_application_on": "2026-11-01",
                "service_description_accepted_on": None,
                "details_submitted_on": None,
            }
        ]
    )
    missing: list[str]
    formed: bool
    formed_on: date | None
