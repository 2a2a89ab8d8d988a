"""Pure rules of change notices (R9)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class NoticeState(StrEnum):
    """A notice is received, then acknowledged by Kela's staff (once)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"


# R9: information-system profiles and document groups exist in social welfare only.
SOCIAL_WELFARE_KINDS = frozenset({"system_profile_change", "document_group_change"})


def kind_fits_domains(kind: str, domains: frozenset[str]) -> bool:
    """R9: a social-welfare-only kind needs the organisation to be in social welfare.

    `domains` are those of the organisation's registrations; none known (an organisation
    that deployed before this service) is not held against it."""
    return kind not in SOCIAL_WELFARE_KINDS or not domains or "social_welfare" in domains


def earliest_connection_point_change(today: date, lead_days: int) -> date:
    """R9: a technical connection point change is notified at least `lead_days` ahead."""
    return today + timedelta(days=lead_days)


def connection_point_change_in_time(effective_on: date, today: date, lead_days: int) -> bool:
    """R9: True when `effective_on` is at least `lead_days` after `today`."""
    return effective_on >= earliest_connection_point_change(today, lead_days)


def volume_growth_is_significant(document_increase: int, threshold: int) -> bool:
    """R9: growth *over* the threshold (500,000 by default) is notified to Kela."""
    return document_increase > threshold
