"""States of a subscription and of a delivery."""

from __future__ import annotations

import enum


class SubscriptionStatus(enum.StrEnum):
    """`active` is delivered to; `paused` (by its owner) holds new deliveries until resumed;
    `disabled` (410 Gone, or failing for too long) gets nothing until its owner resumes it."""

    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"


class DeliveryStatus(enum.StrEnum):
    """One event for one subscription: `pending` (due at `next_attempt_at`), `sending` (claimed
    by a sender under a lease), then `succeeded`, `failed` or `cancelled` (its subscription
    was disabled or deleted first)."""

    PENDING = "pending"
    SENDING = "sending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL = frozenset({DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED})
