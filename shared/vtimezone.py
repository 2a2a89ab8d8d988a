"""The VTIMEZONE of Europe/Helsinki as calendar clients read it: two RRULEs, no RDATE lists.

Outlook reads only TZID, DTSTART, RRULE, TZOFFSETFROM and TZOFFSETTO of a VTIMEZONE
(MS-STANOICAL 2.2.47); a block of RDATE lists, as `icalendar`'s generated zones are, puts
every summer session an hour late there. Finland follows the EU rule (since 1996 in this
form): summer time from the last Sunday of March at 03:00 (+02:00 → +03:00) to the last Sunday
of October at 04:00 local time (+03:00 → +02:00). Every calendar file the services write
uses this block.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

TZID = "Europe/Helsinki"
WINTER, SUMMER = timedelta(hours=2), timedelta(hours=3)


def _observance(
    kind: type[icalendar.TimezoneDaylight | icalendar.TimezoneStandard],
    *,
    name: str,
    start: datetime,
    month: int,
    offset_from: timedelta,
    offset_to: timedelta,
) -> icalendar.Component:
    part = kind()
    part.add("TZNAME", name)
    part.add("DTSTART", start)
    part.add("TZOFFSETFROM", offset_from)
    part.add("TZOFFSETTO", offset_to)
    part.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
    return part


def helsinki_vtimezone() -> icalendar.Timezone:
    """The fixed, rule-based VTIMEZONE of Europe/Helsinki."""
    zone = icalendar.Timezone()
    zone.add("TZID", TZID)
    zone.add_component(
        _observance(
            icalendar.TimezoneDaylight,
            name="EEST",
            start=datetime(1996, 3, 31, 3, 0),
            month=3,
            offset_from=WINTER,
            offset_to=SUMMER,
        )
    )
    zone.add_component(
        _observance(
            icalendar.TimezoneStandard,
            name="EET",
            start=datetime(1996, 10, 27, 4, 0),
            month=10,
            offset_from=SUMMER,
            offset_to=WINTER,
        )
    )
    return zone
