"""Pure rules of change notices (R9)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class NoticeState(StrEnum):
    """A notice is received, then acknowledged by Kela's staff (once)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"


def earliest_connection_point_change(today: date, lead_days: int) -> date:
    """R9: a technical connection point change is notified at least `lead_days` ahead."""
    return today + timedelta(days=lead_days)


def connection_point_change_in_time(effective_on: date, today: date, lead_days: int) -> bool:
    """R9: True when `effective_on` is at least `lead_days` after `today`."""
    return effective_on >= earliest_connection_point_change(today, lead_days)


def volume_growth_is_significant(document_increase: int, threshold: int) -> bool:
    """R9: growth *over* the threshold (500,000 by default) is notified to Kela."""
    return document_increase > threshold
