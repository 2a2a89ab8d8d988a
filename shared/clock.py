"""The one clock: the only module that reads the system time.

Every use case, consumer and background loop gets a `Clock` from its service's composition
root, the way it gets settings; tests hand in a `SettableClock`. `now()` is an aware UTC
instant; `today()` is the calendar day in Finland, where periods, windows and deadlines are
dates (R1). A ruff banned-API rule keeps `datetime.now`, `date.today` and `utcnow` out of
every other module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")
"""The time zone of every date a person reads: periods, windows, deadlines, sessions."""


def helsinki_date(instant: datetime) -> date:
    """The calendar day in Finland at `instant` (aware)."""
    return instant.astimezone(HELSINKI).date()


class Clock(Protocol):
    """Where time comes from."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...

    def today(self) -> date:
        """The current calendar day in Europe/Helsinki."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return helsinki_date(self.now())


class SettableClock:
    """A clock for tests: it stands still until set or advanced.

    Starts at the real time unless given an instant, so tests that only need "a now" stay
    near the calendar they run on.
    """

    def __init__(self, at: datetime | None = None) -> None:
        start = at if at is not None else datetime.now(UTC)
        if start.tzinfo is None:
            raise ValueError("a clock is set to an aware instant")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return helsinki_date(self._now)

    def set(self, at: datetime) -> None:
        """Jump to `at` (aware)."""
        if at.tzinfo is None:
            raise ValueError("a clock is set to an aware instant")
        self._now = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward (or back, with a negative delta)."""
        self._now += delta
