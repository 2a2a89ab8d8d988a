"""Events of the extension of use (R8–R10), produced by the registration service.

`notice.*`: change notices an organisation files (R9); `deployment_test.*`: deployment tests
and their two-day report (R10); `customership.formed`: the Kanta customership (R8).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.common import Contact
from shared.events import EventPayload, register

NoticeKind = Literal[
    "connection_point_change",
    "new_certified_system",
    "document_group_change",
    "system_profile_change",
    "document_volume_growth",
    "archiving_extension",
]


class NoticeEvent(EventPayload):
    notice_id: uuid.UUID
    kind: NoticeKind
    business_id: str
    organisation_name: str
    details: dict[str, Any] = Field(default_factory=dict)
    effective_on: date | None = None


@register
class NoticeReceived(NoticeEvent):
    """An organisation filed a notice. `kela_mailbox` is set when Kela must be told (R9)."""

    event_type: ClassVar[str] = "notice.received"
    version: ClassVar[int] = 1

    routed_to_kela: bool
    kela_mailbox: str | None = None
    contacts: list[Contact] = Field(default_factory=list)


@register
class NoticeAcknowledged(NoticeEvent):
    event_type: ClassVar[str] = "notice.acknowledged"
    version: ClassVar[int] = 1
    expects_consumers: ClassVar[bool] = False  # for the record

    acknowledged_by: str


class DeploymentTestEvent(EventPayload):
    test_id: uuid.UUID
    registration_id: uuid.UUID
    business_id: str
    organisation_name: str
    service: str
    tested_on: date | None = None
    report_due_on: date | None = None
    contacts: list[Contact] = Field(default_factory=list)


@register
class DeploymentTestPlanned(DeploymentTestEvent):
    event_type: ClassVar[str] = "deployment_test.planned"
    version: ClassVar[int] = 1
    expects_consumers: ClassVar[bool] = False  # for the record

    planned_on: date


@register
class DeploymentTestSucceeded(DeploymentTestEvent):
    """A successful test: the report is due within two days (R10); contacts are reminded."""

    event_type: ClassVar[str] = "deployment_test.succeeded"
    version: ClassVar[int] = 1


@register
class DeploymentTestFailed(DeploymentTestEvent):
    event_type: ClassVar[str] = "deployment_test.failed"
    version: ClassVar[int] = 1
    expects_consumers: ClassVar[bool] = False  # for the record


@register
class DeploymentTestReportReminderDue(DeploymentTestEvent):
    """One day before the report deadline, no report yet: remind the contacts again."""

    event_type: ClassVar[str] = "deployment_test.report_reminder_due"
    version: ClassVar[int] = 1


@register
class DeploymentTestReportOverdue(DeploymentTestEvent):
    """The report deadline passed without a report: flagged to staff."""

    event_type: ClassVar[str] = "deployment_test.report_overdue"
    version: ClassVar[int] = 1


@register
class DeploymentTestReported(DeploymentTestEvent):
    event_type: ClassVar[str] = "deployment_test.reported"
    version: ClassVar[int] = 1
    expects_consumers: ClassVar[bool] = False  # for the record

    reported_at: AwareDatetime
    reported_by: str
    reported_late: bool | None = Field(
        default=None,
        description="R10: True when the report came after `report_due_on` (None: sent before "
        "this field existed).",
    )


@register
class CustomershipFormed(EventPayload):
    """The organisation's Kanta customership formed with its first accepted deployment (R8)."""

    event_type: ClassVar[str] = "customership.formed"
    version: ClassVar[int] = 1
    expects_consumers: ClassVar[bool] = False  # for the record

    business_id: str
    organisation_name: str
    formed_on: date
    registration_id: uuid.UUID | None = None
