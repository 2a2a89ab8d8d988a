"""Calendar files' VTIMEZONE: rule-based, and read by an independent parser as zoneinfo reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]

from shared.clock import HELSINKI
from shared.vtimezone import TZID, helsinki_vtimezone


def _calendar(local: datetime) -> str:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//test//")
    calendar.add("VERSION", "2.0")
    calendar.add_component(helsinki_vtimezone())
    event = icalendar.Event()
    event.add("UID", "test@kanta")
    event.add("DTSTAMP", datetime(2030, 1, 1, tzinfo=UTC))
    event.add("DTSTART", local.replace(tzinfo=None), parameters={"TZID": TZID})
    calendar.add_component(event)
    text: str = calendar.to_ical().decode()
    return text


def test_the_block_is_two_yearly_rules_and_no_rdate() -> None:
    text = helsinki_vtimezone().to_ical()
    assert b"RDATE" not in text
    zone = icalendar.Timezone.from_ical(text)  # as a reader of the file sees it
    rules: dict[Any, Any] = {}
    for part in zone.subcomponents:
        values: Any = part  # the property values are icalendar's v* types
        rules[part.name] = (
            dict(values["RRULE"]),
            values["TZOFFSETFROM"].td,
            values["TZOFFSETTO"].td,
        )
    march = {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    october = {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    two, three = timedelta(hours=2), timedelta(hours=3)
    assert rules == {"DAYLIGHT": (march, two, three), "STANDARD": (october, three, two)}


@pytest.mark.parametrize("year", [2027, 2031])
@pytest.mark.parametrize("month", range(1, 13))
def test_an_independent_parser_gives_the_same_instant_as_zoneinfo(year: int, month: int) -> None:
    local = datetime(year, month, 15, 9, 0)
    parsed = vobject.readOne(_calendar(local))
    start = parsed.vevent.dtstart.value
    expected = local.replace(tzinfo=HELSINKI).astimezone(UTC)
    assert start.astimezone(UTC) == expected


@pytest.mark.parametrize(
    ("local", "offset_hours"),
    [
        # The last Sunday of March 2030 is the 31st: 02:00 is winter, 04:00 already summer.
        (datetime(2030, 3, 31, 2, 0), 2),
        (datetime(2030, 3, 31, 4, 0), 3),
        # The last Sunday of October 2030 is the 27th: 02:00 is summer, 05:00 winter again.
        (datetime(2030, 10, 27, 2, 0), 3),
        (datetime(2030, 10, 27, 5, 0), 2),
    ],
)
def test_the_change_days_switch_at_the_right_hour(local: datetime, offset_hours: int) -> None:
    parsed = vobject.readOne(_calendar(local))
    start = parsed.vevent.dtstart.value
    assert start.utcoffset() == timedelta(hours=offset_hours)
    assert local.replace(tzinfo=HELSINKI).utcoffset() == timedelta(hours=offset_hours)
