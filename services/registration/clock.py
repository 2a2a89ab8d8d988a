"""Today as a Finnish calendar day: periods and windows are dates in Finland."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def finnish_today() -> date:
    """The current date in Europe/Helsinki."""
    return datetime.now(HELSINKI).date()
