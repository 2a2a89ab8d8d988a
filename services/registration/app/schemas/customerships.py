"""What the API shows of a Kanta customership (R8)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


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
