"""Stored rows into the API's bodies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from services.webhooks.app.ports import AttemptRecord, DeliveryRecord, SubscriptionRecord
from services.webhooks.app.schemas import (
    AttemptPublic,
    DeliveryDetail,
    DeliveryPublic,
    SubscriptionPublic,
)
from services.webhooks.domain.model import DeliveryStatus, SubscriptionStatus


def event_types_of(row: SubscriptionRecord) -> list[str]:
    """The subscription's event types (stored as a JSON list)."""
    types: list[str] = json.loads(row.event_types)
    return types


def subscription_public(row: SubscriptionRecord, *, now: datetime) -> SubscriptionPublic:
    until = row.previous_secret_until
    return SubscriptionPublic(
        id=row.id,
        business_id=row.business_id,
        url=row.url,
        event_types=event_types_of(row),
        description=row.description,
        status=SubscriptionStatus(row.status),
        status_reason=row.status_reason,
        previous_secret_valid_until=until if until is not None and until > now else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def delivery_public(row: DeliveryRecord) -> DeliveryPublic:
    return DeliveryPublic(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        round=row.round,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def delivery_detail(row: DeliveryRecord, attempts: Sequence[AttemptRecord]) -> DeliveryDetail:
    return DeliveryDetail(
        **delivery_public(row).model_dump(),
        body=json.loads(row.body),
        attempt_log=[
            AttemptPublic(
                number=a.number,
                url=a.url,
                request_headers=json.loads(a.request_headers),
                status_code=a.status_code,
                duration_ms=a.duration_ms,
                response_excerpt=a.response_excerpt,
                error=a.error,
                outcome=a.outcome,
                started_at=a.started_at,
            )
            for a in attempts
        ],
    )
