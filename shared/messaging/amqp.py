"""Mapping between the event envelope and AMQP messages (properties, not invented headers)."""

from __future__ import annotations

from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from shared.errors import MalformedMessage
from shared.events import Envelope

CONTENT_TYPE = "application/json"
VERSION_HEADER = "x-event-version"


def to_amqp_message(envelope: Envelope, *, body: bytes | None = None) -> aio_pika.Message:
    """A persistent message whose properties mirror the envelope; the body is the envelope."""
    return aio_pika.Message(
        body=body if body is not None else envelope.model_dump_json().encode(),
        content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(envelope.event_id),
        type=envelope.event_type,
        correlation_id=envelope.correlation_id,
        app_id=envelope.producer,
        timestamp=envelope.occurred_at,
        headers={VERSION_HEADER: envelope.version},
    )


def from_amqp_message(message: AbstractIncomingMessage) -> Envelope:
    """Read the envelope back; raise MalformedMessage with a reason a person can act on."""
    if message.content_type not in (None, CONTENT_TYPE):
        raise MalformedMessage(f"content type {message.content_type!r} is not {CONTENT_TYPE}")
    try:
        # One pass in pydantic-core: JSON parsing and validation together.
        envelope = Envelope.model_validate_json(message.body)
    except ValidationError as exc:
        errors = exc.errors()
        if errors and errors[0]["type"] == "json_invalid":
            raise MalformedMessage(f"body is not JSON: {errors[0]['msg']}") from exc
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in errors
        )
        raise MalformedMessage(f"body is not an event envelope: {problems}") from exc
    if message.message_id is not None and message.message_id != str(envelope.event_id):
        raise MalformedMessage(
            f"message_id {message.message_id!r} differs from event_id {envelope.event_id}"
        )
    if message.type is not None and message.type != envelope.event_type:
        raise MalformedMessage(f"type {message.type!r} differs from {envelope.event_type!r}")
    return envelope


def copy_message(message: AbstractIncomingMessage, *, headers: dict[str, Any]) -> aio_pika.Message:
    """A persistent copy of a received message with the same properties and new headers."""
    return aio_pika.Message(
        body=message.body,
        headers=headers,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
        correlation_id=message.correlation_id,
        app_id=message.app_id,
        timestamp=message.timestamp,
    )
