"""The event contract: one envelope, one typed payload model per event type and version.

Events are past tense (`registration.submitted`). An incompatible change gets a new version,
published beside the old one for a while; consumers parse payloads as tolerant readers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from shared.clock import SystemClock
from shared.context import current_correlation_id
from shared.correlation import CORRELATION_ID_MAX_LENGTH, check_correlation_id

EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"


class Envelope(BaseModel):
    """Metadata every event carries, with the payload as a plain JSON object."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID
    event_type: str = Field(pattern=EVENT_TYPE_PATTERN, max_length=200)
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1, max_length=100)
    correlation_id: str = Field(min_length=1, max_length=CORRELATION_ID_MAX_LENGTH)
    payload: dict[str, Any]

    @field_validator("correlation_id")
    @classmethod
    def _correlation_id(cls, value: str) -> str:
        # The HTTP path's rule (shared.correlation): a CR/LF here would reach log lines and
        # mail headers, so such a message is malformed (dead-lettered) at the door.
        return check_correlation_id(value)

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class EventPayload(BaseModel):
    """Base of every payload model; subclasses name their type and version."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int]
    # True: some service consumes it, so a publish that reaches no queue is an error and the
    # event stays in the outbox (mandatory). False: published for the record (audit, a future
    # consumer); the broker confirms it and drops it while no queue is bound.
    expects_consumers: ClassVar[bool] = True


class UnknownEventType(LookupError):
    """No payload model is registered for this event type and version."""


_REGISTRY: dict[tuple[str, int], type[EventPayload]] = {}


def register(model: type[EventPayload]) -> type[EventPayload]:
    """Class decorator: make a payload model known to `parse_payload`."""
    _REGISTRY[(model.event_type, model.version)] = model
    return model


def payload_model(event_type: str, version: int) -> type[EventPayload]:
    """Return the payload model for an event type and version, or raise UnknownEventType."""
    try:
        return _REGISTRY[(event_type, version)]
    except KeyError:
        raise UnknownEventType(f"no model for event {event_type!r} version {version}") from None


def parse_payload(envelope: Envelope) -> EventPayload:
    """Validate the envelope's payload against its registered model."""
    return payload_model(envelope.event_type, envelope.version).model_validate(envelope.payload)


def expects_consumers(event_type: str, version: int) -> bool:
    """Whether a publish of this event must reach a queue (unknown types: yes, to be safe)."""
    try:
        return payload_model(event_type, version).expects_consumers
    except UnknownEventType:
        return True


def known_event_types() -> list[tuple[str, int]]:
    """Every registered (event type, version), sorted."""
    return sorted(_REGISTRY)


def make_envelope(
    payload: EventPayload,
    *,
    producer: str,
    correlation_id: str | None = None,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> Envelope:
    """Wrap a payload in a new envelope carrying the current correlation id."""
    return Envelope(
        event_id=event_id or uuid.uuid4(),
        event_type=payload.event_type,
        version=payload.version,
        occurred_at=occurred_at or SystemClock().now(),
        producer=producer,
        correlation_id=correlation_id or current_correlation_id(),
        payload=payload.model_dump(mode="json"),
    )
