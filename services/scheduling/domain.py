"""Pure rules of scheduling: the period calendar (R1), sessions (R2), holidays. No I/O here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from shared.contracts.common import Contact
from shared.errors import Conflict, RuleViolation

HELSINKI = ZoneInfo("Europe/Helsinki")
PERIODS_PER_YEAR = 3


def participants(contacts: list[Contact]) -> list[Contact]:
    """The contacts who take part in the period's events (R2), in the order given, once each."""
    seen: set[str] = set()
    result: list[Contact] = []
    for contact in contacts:
        key = str(contact.email).lower()
        if contact.participates and key not in seen:
            seen.add(key)
            result.append(contact)
    return result


@dataclass(frozen=True)
class PeriodDates:
    """A deployment period as the calendar rules see it (R1: staff enter every date)."""

    year: int
    number: int
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date


def check_period(candidate: PeriodDates, others: Sequence[PeriodDates]) -> None:
    """R1: raise the first calendar rule `candidate` breaks among the year's `others`.

    At most three periods a year, numbered 1–3 in date order without overlap; the
    registration window opens before it closes, and closes before the period ends.
    """
    if not 1 <= candidate.number <= PERIODS_PER_YEAR:
        raise RuleViolation(
            f"A year has periods 1 to {PERIODS_PER_YEAR}; {candidate.number} is not one.",
            code="period_number_invalid",
            field="number",
        )
    if candidate.starts_on.year != candidate.year:
        raise RuleViolation(
            f"Period {candidate.number}/{candidate.year} must start in {candidate.year}, "
            f"not on {candidate.starts_on}.",
            code="period_year_mismatch",
            field="starts_on",
        )
    if candidate.ends_on < candidate.starts_on:
        raise RuleViolation(
            f"The period ends ({candidate.ends_on}) before it starts ({candidate.starts_on}).",
            code="period_dates_invalid",
            field="ends_on",
        )
    if candidate.registration_closes_on <= candidate.registration_opens_on:
        raise RuleViolation(
            f"The registration window must open ({candidate.registration_opens_on}) before "
            f"it closes ({candidate.registration_closes_on}).",
            code="registration_window_invalid",
            field="registration_closes_on",
        )
    if candidate.registration_closes_on >= candidate.ends_on:
        raise RuleViolation(
            f"Registration must close ({candidate.registration_closes_on}) before the period "
            f"ends ({candidate.ends_on}).",
            code="registration_window_invalid",
            field="registration_closes_on",
        )
    same_year = [p for p in others if p.year == candidate.year]
    if any(p.number == candidate.number for p in same_year):
        raise Conflict(
            f"Period {candidate.number}/{candidate.year} exists already.",
            code="period_number_taken",
            field="number",
        )
    if len(same_year) >= PERIODS_PER_YEAR:
        raise Conflict(
            f"{candidate.year} has its {PERIODS_PER_YEAR} periods already.",
            code="period_limit_reached",
            field="year",
        )
    for other in same_year:
        if candidate.starts_on <= other.ends_on and other.starts_on <= candidate.ends_on:
            raise RuleViolation(
                f"The period overlaps period {other.number}/{other.year} "
                f"({other.starts_on}–{other.ends_on}).",
                code="period_overlap",
                field="starts_on",
            )
        if (other.number < candidate.number) != (other.starts_on < candidate.starts_on):
            raise RuleViolation(
                f"Periods are numbered in date order: period {other.number} starts on "
                f"{other.starts_on}, so period {candidate.number} cannot start on "
                f"{candidate.starts_on}.",
                code="period_order",
                field="number",
            )


@lru_cache(maxsize=32)
def _finnish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FI", years=year, language="en_US")


def non_working_day(day: date) -> str | None:
    """Why `day` is not a working day in Finland (weekend or public holiday), or None."""
    holiday = _finnish_holidays(day.year).get(day)
    if holiday:
        return str(holiday)
    if day.weekday() >= 5:
        return "Saturday" if day.weekday() == 5 else "Sunday"
    return None


def check_session_time(starts_at: datetime, ends_at: datetime, *, confirm_holiday: bool) -> None:
    """R2: a session ends after it starts, and falls on a Finnish working day unless confirmed."""
    if ends_at <= starts_at:
        raise RuleViolation(
            "The session must end after it starts.", code="session_time_invalid", field="ends_at"
        )
    if confirm_holiday:
        return
    first, last = starts_at.astimezone(HELSINKI).date(), ends_at.astimezone(HELSINKI).date()
    for day in (first, last) if last != first else (first,):
        reason = non_working_day(day)
        if reason is not None:
            raise RuleViolation(
                f"{day.isoformat()} is a {reason} in Finland; send `confirm_holiday: true` "
                "to schedule the session anyway.",
                code="session_on_holiday",
                field="starts_at" if day == first else "ends_at",
            )


def check_place(online_url: str | None, place: str | None) -> None:
    """A session happens somewhere: an online link, a place, or both."""
    if not (online_url or place):
        raise RuleViolation(
            "Give the session an `online_url` or a `place`.",
            code="session_location_missing",
            field="online_url",
        )
