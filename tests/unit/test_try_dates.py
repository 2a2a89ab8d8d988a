"""The README's "Try it" dates make a valid period on any day (year turn and DST included)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from deploy.try_dates import assignments
from tests.dates import is_working_day


@pytest.mark.parametrize(
    "today",
    [date(2030, 1, 1), date(2030, 3, 1), date(2030, 9, 28), date(2030, 12, 2), date(2031, 2, 28)],
)
def test_the_period_is_open_today_and_holds_the_session_and_the_production_start(
    today: date,
) -> None:
    values = assignments(today)
    starts, ends = date.fromisoformat(values["STARTS"]), date.fromisoformat(values["ENDS"])
    opens, closes = date.fromisoformat(values["OPENS"]), date.fromisoformat(values["CLOSES"])
    session = datetime.fromisoformat(values["SESSION_STARTS"])
    assert int(values["YEAR"]) == starts.year  # R1: a period is numbered in its start year
    assert opens <= today < closes < ends
    assert starts <= session.date() <= ends and is_working_day(session.date())
    summer = session.utcoffset() == timedelta(hours=3)
    assert summer == (4 <= session.month <= 10) or session.month in (3, 10)
    planned = date.fromisoformat(values["PLANNED"])
    assert planned <= ends and planned - today >= timedelta(days=90)  # R7 and R6
