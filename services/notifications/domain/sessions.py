"""Which sessions a registration's mails list, and how a reschedule's changes are ordered."""

from __future__ import annotations

from collections.abc import Collection

# Fields of a rescheduled session in the order a mail lists their changes; others follow.
CHANGE_ORDER = ("starts_at", "ends_at", "place", "online_url")


def change_order(fields: Collection[str]) -> list[str]:
    """Changed fields in reading order: time first, then place, then anything else by name."""
    known = [name for name in CHANGE_ORDER if name in fields]
    return known + sorted(name for name in fields if name not in CHANGE_ORDER)


def audience_includes(
    *,
    services: Collection[str] | None,
    domains: Collection[str] | None,
    service: str,
    domain: str,
) -> bool:
    """True when a session is meant for a registration of this service and domain (None: all)."""
    return (services is None or service in services) and (domains is None or domain in domains)
