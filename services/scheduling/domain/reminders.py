"""Reminder maths: when each reminder of a session falls due, and how its offset is written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from shared.clock import HELSINKI


def reminder_due_at(starts_at: datetime, offset: timedelta) -> datetime:
    """When to remind of a session starting at `starts_at`, as a UTC instant.

    Whole-day offsets are calendar days in Helsinki: "7 days before 09:00" is 09:00 local
    a week earlier, across a DST change too. Other offsets are exact durations.
    """
    if offset % timedelta(days=1) == timedelta(0):
        # Same-zone arithmetic in Python is wall-clock arithmetic; astimezone then resolves
        # the UTC offset of the new wall time (EET or EEST).
        local = starts_at.astimezone(HELSINKI)
        return (local - offset).astimezone(UTC)
    return starts_at.astimezone(UTC) - offset


def reminders_to_keep(
    starts_at: datetime, offsets: Sequence[timedelta], *, now: datetime
) -> dict[timedelta, datetime]:
    """Offset → due instant for the reminders still ahead; a past one is never sent."""
    due = {offset: reminder_due_at(starts_at, offset) for offset in offsets}
    return {offset: at for offset, at in due.items() if at > now}


def iso_duration(offset: timedelta) -> str:
    """`P7D`, `P1D`, `PT2H`, `P1DT30M`: the ISO 8601 duration events carry."""
    days, rest = offset.days, offset.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
    )
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "") if offset else "PT0S"
