"""Events of the registration service (`registration.*`).

Every registration event carries the same snapshot of the registration after the change,
so a consumer never has to ask the registration service anything; event-specific fields
follow it. Consumers read them as tolerant readers (unknown fields are ignored).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.common import Contact, Domain, PeriodRef, Sector
from shared.events import EventPayload, register

RegistrationStateName = Literal[
    "submitted", "accepted", "rejected", "returned", "moved", "withdrawn", "deployed", "completed"
]


class OrganisationRef(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    business_id: str
    domain: Domain
    sector: Sector


class RegistrationWarning(BaseModel):
    """A warning the registration was accepted with (R6 `short_lead_time`, …)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    code: str
    message: str


class RegistrationEvent(EventPayload):
    """The snapshot every `registration.*` event carries (the state after the change)."""

    registration_id: uuid.UUID
    state: RegistrationStateName
    organisation: OrganisationRef
    service: str
    reason: str
    period: PeriodRef
    planned_production_start: date | None = None
    registration_required: bool = True
    warnings: list[RegistrationWarning] = Field(default_factory=list)
    contacts: list[Contact]
    revision: int = Field(
        default=0,
        ge=0,
        description="Rises by one with every change of the registration. A consumer keeps the "
        "snapshot with the highest revision it has seen and ignores an older one that arrives "
        "late (a retry, a redelivery). 0: sent before revisions existed.",
    )


@register
class RegistrationSubmitted(RegistrationEvent):
    """An organisation submitted a registration for a deployment period."""

    event_type: ClassVar[str] = "registration.submitted"
    version: ClassVar[int] = 1

    submitted_at: AwareDatetime


@register
class RegistrationUpdated(RegistrationEvent):
    """The organisation edited its registration; `changed` names the top-level fields."""

    event_type: ClassVar[str] = "registration.updated"
    version: ClassVar[int] = 1

    changed: list[str] = Field(default_factory=list)
    previous_state: RegistrationStateName


@register
class RegistrationAccepted(RegistrationEvent):
    """Staff accepted the registration for its period."""

    event_type: ClassVar[str] = "registration.accepted"
    version: ClassVar[int] = 1


@register
class RegistrationRejected(RegistrationEvent):
    """Staff rejected the registration; `note` says why."""

    event_type: ClassVar[str] = "registration.rejected"
    version: ClassVar[int] = 1

    note: str


@register
class RegistrationReturned(RegistrationEvent):
    """Staff returned the registration for changes; `note` says what to change."""

    event_type: ClassVar[str] = "registration.returned"
    version: ClassVar[int] = 1

    note: str


@register
class RegistrationMoved(RegistrationEvent):
    """Staff moved an accepted registration from `from_period` to `period`."""

    event_type: ClassVar[str] = "registration.moved"
    version: ClassVar[int] = 1

    from_period: PeriodRef
    note: str | None = None


@register
class RegistrationWithdrawn(RegistrationEvent):
    """The organisation withdrew its registration from `previous_state`."""

    event_type: ClassVar[str] = "registration.withdrawn"
    version: ClassVar[int] = 1

    previous_state: RegistrationStateName


@register
class RegistrationDeployed(RegistrationEvent):
    """Production use started on `deployed_on`."""

    event_type: ClassVar[str] = "registration.deployed"
    version: ClassVar[int] = 1

    deployed_on: date


@register
class RegistrationCompleted(RegistrationEvent):
    """The deployment is complete; nothing further is expected."""

    event_type: ClassVar[str] = "registration.completed"
    version: ClassVar[int] = 1
