"""Events of the webhooks service (`webhook.*`)."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime

from shared.events import EventPayload, register

DisableCause = Literal["gone", "attempts_exhausted", "failing_too_long"]


@register
class WebhookSubscriptionDisabled(EventPayload):
    """A subscription was disabled: its endpoint answered 410 Gone, failed every attempt of a
    delivery, or failed without a success for too long. Nothing is sent to it until its
    organisation resumes it. Published for the record (a mail to the organisation's contacts
    would consume it)."""

    event_type: ClassVar[str] = "webhook.subscription_disabled"
    version: ClassVar[int] = 1
    expects_consumers: ClassVar[bool] = False

    subscription_id: uuid.UUID
    business_id: str
    url: str
    cause: DisableCause
    reason: str
    disabled_at: AwareDatetime
