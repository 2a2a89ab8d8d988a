"""Test dates, always relative to the clock's today: the suite passes on any date.

Never write a calendar date into a test (except a pure unit test that passes its own fixed
`today`). Build it here: days from today, the next working day, a period that lies ahead,
a session time with the offset Helsinki really has on that day (summer +03:00, winter
+02:00).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import holidays

from shared.clock import HELSINKI, SystemClock

_FINNISH_HOLIDAYS = holidays.country_holidays("FI")


def today() -> date:
    """Today in Helsinki, from the clock."""
    return SystemClock().today()


def now() -> datetime:
    """The current instant, from the clock."""
    return SystemClock().now()


def in_days(days: int, *, start: date | None = None) -> date:
    """`days` after `start` (today by default); negative for the past."""
    return (start or today()) + timedelta(days=days)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Finnish public holiday (the calendar's R2 check)."""
    return day.weekday() < 5 and day not in _FINNISH_HOLIDAYS


def working_day(on_or_after: date) -> date:
    """The first working day on or after `on_or_after`."""
    day = on_or_after
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def weekend_day(on_or_after: date) -> date:
    """The first Saturday on or after `on_or_after`."""
    return on_or_after + timedelta(days=(5 - on_or_after.weekday()) % 7)


def helsinki(day: date, at: str = "09:00") -> datetime:
    """`day` at `at` (HH:MM) in Helsinki, aware."""
    return datetime.combine(day, time.fromisoformat(at), tzinfo=HELSINKI)


def iso(day: date, at: str = "09:00") -> str:
    """`helsinki(day, at)` as ISO 8601 with the offset of that day."""
    return helsinki(day, at).isoformat()


def period_body(
    *,
    number: int = 1,
    starts_in: int = 30,
    length_days: int = 240,
    opened_days_ago: int = 30,
    closes_after_start: int = 30,
) -> dict[str, Any]:
    """A period that starts `starts_in` days from today and whose window is open now.

    Its year is the year it starts in (R1); it ends `length_days` later, so a production
    start five months from today lies inside it.
    """
    starts_on = in_days(starts_in)
    return {
        "year": starts_on.year,
        "number": number,
        "starts_on": starts_on.isoformat(),
        "ends_on": in_days(length_days, start=starts_on).isoformat(),
        "registration_opens_on": in_days(-opened_days_ago).isoformat(),
        "registration_closes_on": in_days(closes_after_start, start=starts_on).isoformat(),
    }


def next_year() -> int:
    """A year wholly ahead: three periods of it all lie in the future."""
    return today().year + 1


def period_of_year(year: int, number: int) -> dict[str, Any]:
    """Period `number` of a future `year` in thirds (Jan–Apr, May–Aug, Sep–Dec); open now."""
    starts, ends = {
        1: ((1, 11), (4, 30)),
        2: ((5, 4), (8, 31)),
        3: ((9, 1), (12, 18)),
    }[number]
    starts_on, ends_on = date(year, *starts), date(year, *ends)
    return {
        "year": year,
        "number": number,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "registration_opens_on": in_days(-30).isoformat(),
        "registration_closes_on": in_days(14, start=starts_on).isoformat(),
    }


def session_day(period: dict[str, Any], *, offset_days: int = 21) -> date:
    """A working day `offset_days` after the period starts."""
    return working_day(in_days(offset_days, start=date.fromisoformat(period["starts_on"])))
