"""The period calendar (R1), session times and Finnish working days (R2): pure rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays

from services.scheduling.domain import errors
from shared.clock import helsinki_date

PERIODS_PER_YEAR = 3


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
        raise errors.PERIOD_NUMBER_INVALID(
            f"A year has periods 1 to {PERIODS_PER_YEAR}; {candidate.number} is not one.",
        )
    if candidate.starts_on.year != candidate.year:
        raise errors.PERIOD_YEAR_MISMATCH(
            f"Period {candidate.number}/{candidate.year} must start in {candidate.year}, "
            f"not on {candidate.starts_on}.",
        )
    if candidate.ends_on < candidate.starts_on:
        raise errors.PERIOD_DATES_INVALID(
            f"The period ends ({candidate.ends_on}) before it starts ({candidate.starts_on}).",
        )
    if candidate.registration_closes_on <= candidate.registration_opens_on:
        raise errors.REGISTRATION_WINDOW_INVALID(
            f"The registration window must open ({candidate.registration_opens_on}) before "
            f"it closes ({candidate.registration_closes_on}).",
        )
    if candidate.registration_closes_on >= candidate.ends_on:
        raise errors.REGISTRATION_WINDOW_INVALID(
            f"Registration must close ({candidate.registration_closes_on}) before the period "
            f"ends ({candidate.ends_on}).",
        )
    same_year = [p for p in others if p.year == candidate.year]
    if any(p.number == candidate.number for p in same_year):
        raise errors.PERIOD_NUMBER_TAKEN(
            f"Period {candidate.number}/{candidate.year} exists already.",
        )
    if len(same_year) >= PERIODS_PER_YEAR:
        raise errors.PERIOD_LIMIT_REACHED(
            f"{candidate.year} has its {PERIODS_PER_YEAR} periods already.",
        )
    for other in same_year:
        if candidate.starts_on <= other.ends_on and other.starts_on <= candidate.ends_on:
            raise errors.PERIOD_OVERLAP(
                f"The period overlaps period {other.number}/{other.year} "
                f"({other.starts_on}–{other.ends_on}).",
            )
        if (other.number < candidate.number) != (other.starts_on < candidate.starts_on):
            raise errors.PERIOD_ORDER(
                f"Periods are numbered in date order: period {other.number} starts on "
                f"{other.starts_on}, so period {candidate.number} cannot start on "
                f"{candidate.starts_on}.",
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
        raise errors.SESSION_TIME_INVALID("The session must end after it starts.")
    if confirm_holiday:
        return
    first, last = helsinki_date(starts_at), helsinki_date(ends_at)
    for day in (first, last) if last != first else (first,):
        reason = non_working_day(day)
        if reason is not None:
            raise errors.SESSION_ON_HOLIDAY(
                f"{day.isoformat()} is a {reason} in Finland; send `confirm_holiday: true` "
                "to schedule the session anyway.",
                field="starts_at" if day == first else "ends_at",
            )


def check_in_range(field: str, day: date, *, earliest: date, latest: date) -> None:
    """Dates outside the range the service takes (a setting) are refused (#15)."""
    if not earliest <= day <= latest:
        raise errors.DATE_OUT_OF_RANGE(
            f"{day.isoformat()} is outside the dates this service takes "
            f"({earliest.isoformat()}–{latest.isoformat()}).",
            field=field,
        )


def check_session_in_period(
    starts_at: datetime,
    ends_at: datetime,
    *,
    kind: str,
    period: PeriodDates,
    preparation_lead_days: int,
) -> None:
    """R2: a session lies inside its period's dates (Helsinki days); a preparation event may
    come up to `preparation_lead_days` before the period starts, since R7 lets organisations
    deploy before the period once the preparation is done."""
    first, last = helsinki_date(starts_at), helsinki_date(ends_at)
    lead = timedelta(days=preparation_lead_days) if kind == "preparation" else timedelta(0)
    earliest = period.starts_on - lead
    if first < earliest or last > period.ends_on:
        allowed = (
            f"{earliest.isoformat()} (a preparation event may precede the period by "
            f"{preparation_lead_days} days)"
            if lead
            else period.starts_on.isoformat()
        )
        raise errors.SESSION_OUTSIDE_PERIOD(
            f"The session ({first.isoformat()}–{last.isoformat()}) lies outside period "
            f"{period.number}/{period.year} ({period.starts_on.isoformat()}–"
            f"{period.ends_on.isoformat()}); it may start from {allowed}.",
            field="starts_at" if first < earliest else "ends_at",
        )


def check_place(online_url: str | None, place: str | None) -> None:
    """A session happens somewhere: an online link, a place, or both."""
    if not (online_url or place):
        raise errors.SESSION_LOCATION_MISSING(
            "Give the session an `online_url` or a `place`.",
        )


@dataclass(frozen=True)
class NewSession:
    """A session as staff enter it (R2), its times already in UTC."""

    id: uuid.UUID
    uid: str
    period_id: uuid.UUID
    kind: str
    title_fi: str
    title_sv: str
    title_en: str | None
    starts_at: datetime
    ends_at: datetime
    online_url: str | None
    place: str | None
    language: str
    capacity: int
    audience: dict[str, Any]
    status: str
