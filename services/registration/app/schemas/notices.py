"""Bodies of change notices (R9); input models refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.numbers import Integer
from shared.paging import Page
from shared.text import SafeLine, SafeText

Text = SafeLine
"""One line of at most 200 characters: no control characters, no line breaks, NFC."""
LongText = SafeText
"""Free text of at most 2,000 characters with line breaks, no other control characters."""
DocumentGroup = Literal["sw_old_documents", "sw_phase_1_documents", "sw_phase_2_documents"]


class Body(BaseModel):
    """An input body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class ConnectionPointChange(Body):
    """R9: notified at least 14 days (a setting) before `effective_on`."""

    kind: Literal["connection_point_change"]
    change: Literal["new_connection_point", "end_of_production_use", "data_link_change"]
    connection_point: Text = Field(examples=["Liityntäpiste 2 (Kanta-palvelut)"])
    effective_on: date = Field(examples=["2027-03-01"])


class NewCertifiedSystem(Body):
    kind: Literal["new_certified_system"]
    product: Text = Field(examples=["Potilas Pro"])
    vendor: Text = Field(examples=["Toimittaja Oy"])
    certification_class: Text = Field(examples=["A"])
    in_use_from: date = Field(examples=["2027-02-01"])


class DocumentGroupChange(Body):
    """Social welfare document groups taken into use (always notified to Kela)."""

    kind: Literal["document_group_change"]
    document_groups: list[DocumentGroup] = Field(min_length=1, max_length=3)
    effective_on: date


class SystemProfileChange(Body):
    kind: Literal["system_profile_change"]
    old_profile: Text
    new_profile: Text
    effective_on: date


class DocumentVolumeGrowth(Body):
    """Notified to Kela when the increase is over 500,000 documents (a setting)."""

    kind: Literal["document_volume_growth"]
    document_increase: Integer = Field(ge=0, le=10_000_000_000, examples=[650_000])
    effective_on: date | None = None


class ArchivingExtension(Body):
    """Archiving extended to new service tasks; notified to Kela only with significant growth."""

    kind: Literal["archiving_extension"]
    service_tasks: list[Text] = Field(min_length=1, max_length=50)
    document_increase: Integer = Field(ge=0, le=10_000_000_000, examples=[20_000])


NoticeBody = Annotated[
    ConnectionPointChange
    | NewCertifiedSystem
    | DocumentGroupChange
    | SystemProfileChange
    | DocumentVolumeGrowth
    | ArchivingExtension,
    Field(discriminator="kind"),
]


class NoticeCreate(Body):
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


class NoticePage(Page[NoticePublic]):
    """One page of notices; pass `next_cursor` as `cursor` for the next."""
