"""Bodies of deployment tests (R10); input models refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.registration.app.schemas.notices import Body, LongText, Text
from shared.paging import Page
from shared.text import SafeLine


class DeploymentTestCreate(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"planned_on": "2027-03-10", "environment": "production"}]},
    )

    planned_on: date
    environment: Literal["production"] = "production"
    service: Annotated[SafeLine, StringConstraints(max_length=64)] | None = Field(
        default=None, description="Defaults to the registration's service."
    )


class DeploymentTestResult(Body):
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
    test_identities: list[Annotated[SafeLine, StringConstraints(max_length=11)]] = Field(
        min_length=1, max_length=50, description="Kela's test identity codes (900 series, R10)."
    )
    notes: LongText | None = None


class DeploymentTestReport(Body):
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
    reporter_email: EmailStr
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
    reported_late: bool | None = Field(
        default=None,
        description="R10: true when the report came after `report_due_on` (null: not yet).",
    )
    report: dict[str, Any] | None


class DeploymentTestPage(Page[DeploymentTestPublic]):
    """One page of deployment tests; pass `next_cursor` as `cursor` for the next."""
