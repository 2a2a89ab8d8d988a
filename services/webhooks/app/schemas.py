"""What the webhooks use cases take and give (the API's bodies)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from services.webhooks.domain.catalogue import EVENT_TYPES
from services.webhooks.domain.model import DeliveryStatus, SubscriptionStatus
from shared.paging import Page
from shared.text import SafeLine

Url = Annotated[SafeLine, StringConstraints(min_length=8, max_length=2000)]
Description = Annotated[SafeLine, StringConstraints(max_length=200)]
EventTypes = Annotated[
    list[Annotated[str, StringConstraints(max_length=100)]],
    Field(
        min_length=1,
        max_length=len(EVENT_TYPES),
        json_schema_extra={"items": {"type": "string", "enum": list(EVENT_TYPES)}},
        description="The event types to receive (the OpenAPI document's `webhooks`).",
    ),
]
EXAMPLE_URL = "https://hooks.example.fi/kanta"
EXAMPLE_TYPES: list[JsonValue] = [
    "registration.accepted",
    "registration.returned",
    "enrolment.confirmed",
]


class SubscriptionCreate(BaseModel):
    """A new subscription: where to send, and which events."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": EXAMPLE_URL, "event_types": EXAMPLE_TYPES, "description": "ERP"}]
        },
    )

    url: Url
    event_types: EventTypes
    description: Description | None = None


class SubscriptionUpdate(BaseModel):
    """Fields to change; `paused: false` also resumes a disabled subscription."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"paused": True}, {"event_types": EXAMPLE_TYPES}]},
    )

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    paused: bool | None = None


class SubscriptionPublic(BaseModel):
    """A subscription as the API shows it (its secret is never shown again)."""

    id: uuid.UUID
    business_id: str = Field(examples=["2077474-0"])
    url: str = Field(examples=[EXAMPLE_URL])
    event_types: list[str] = Field(examples=[EXAMPLE_TYPES])
    description: str | None = None
    status: SubscriptionStatus
    status_reason: str | None = Field(
        default=None, examples=["the endpoint answered 410 Gone"], description="Why disabled"
    )
    previous_secret_valid_until: datetime | None = Field(
        default=None, description="Until then deliveries carry the old secret's signature too"
    )
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    """The new subscription and its signing secret, shown this once."""

    secret: str = Field(examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr"])


class SecretRotated(BaseModel):
    """The new signing secret (shown this once) and until when the old one still signs."""

    secret: str = Field(examples=["whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA=="])
    previous_secret_valid_until: datetime


class SubscriptionPage(Page[SubscriptionPublic]):
    """One page of subscriptions; pass `next_cursor` as `cursor` for the next one."""


class DeliveryPublic(BaseModel):
    """One event's delivery to a subscription."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The `webhook-id` of every attempt")
    event_type: str = Field(examples=["registration.accepted"])
    round: int = Field(description="0: the event's own delivery; 1, 2…: redeliveries")
    status: DeliveryStatus
    attempts: int = Field(examples=[1])
    last_status_code: int | None = Field(examples=[200])
    last_error: str | None = None
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None


class AttemptPublic(BaseModel):
    """One HTTP attempt of the delivery log."""

    number: int
    url: str
    request_headers: dict[str, str]
    status_code: int | None
    duration_ms: int
    response_excerpt: str | None
    error: str | None
    outcome: str = Field(examples=["succeeded", "retry", "gone", "failed"])
    started_at: datetime


class DeliveryDetail(DeliveryPublic):
    """A delivery with the body it sends and every attempt so far."""

    body: dict[str, Any]
    attempt_log: list[AttemptPublic]


class DeliveryPage(Page[DeliveryPublic]):
    """One page of deliveries; pass `next_cursor` as `cursor` for the next one."""
