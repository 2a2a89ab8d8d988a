"""What the API shows of a Kanta customership (R8)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


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


class ChecklistSteps(BaseModel):
    """`PATCH /v1/customerships/{business_id}`: R8 steps staff record, each with its date.

    A step left out stays as it is; null clears a date recorded by mistake."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "service_description_accepted_on": "2026-11-20",
                    "details_submitted_on": "2026-11-21",
                }
            ]
        },
    )

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
