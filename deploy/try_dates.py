"""Dates for the README's "Try it", computed from today: `eval "$(python deploy/try_dates.py)"`.

Prints shell assignments: a period that starts in 30 days with its registration window open
today (YEAR, STARTS, ENDS, OPENS, CLOSES), a training on a working day three weeks into it
with Helsinki's offset of that day (SESSION_STARTS, SESSION_ENDS), and a production start
five months away (PLANNED: inside the period, no R6 warning with a certified system).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import holidays

from shared.clock import HELSINKI, SystemClock


def working_day(day: date) -> date:
    """The first day on or after `day` that is Monday to Friday and no Finnish holiday."""
    finnish = holidays.country_holidays("FI")
    while day.weekday() >= 5 or day in finnish:
        day += timedelta(days=1)
    return day


def assignments(today: date) -> dict[str, str]:
    """The variables, by name."""
    starts = today + timedelta(days=30)
    session = working_day(starts + timedelta(days=21))
    return {
        "YEAR": str(starts.year),
        "STARTS": starts.isoformat(),
        "ENDS": (starts + timedelta(days=240)).isoformat(),
        "OPENS": (today - timedelta(days=30)).isoformat(),
        "CLOSES": (starts + timedelta(days=30)).isoformat(),
        "SESSION_STARTS": datetime.combine(session, time(9), HELSINKI).isoformat(),
        "SESSION_ENDS": datetime.combine(session, time(12), HELSINKI).isoformat(),
        "PLANNED": (today + timedelta(days=150)).isoformat(),
    }


if __name__ == "__main__":
    for name, value in assignments(SystemClock().today()).items():
        print(f"{name}={value}")
