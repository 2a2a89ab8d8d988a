"""R1/R2: the period calendar rules and the Finnish working-day check, as pure functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from services.scheduling.domain.calendar import (
    PeriodDates,
    check_period,
    check_place,
    check_session_time,
    non_working_day,
)
from shared.clock import HELSINKI
from shared.errors import Conflict, RuleViolation, ServiceError

FIRST = PeriodDates(
    year=2027,
    number=1,
    starts_on=date(2027, 1, 11),
    ends_on=date(2027, 4, 30),
    registration_opens_on=date(2026, 10, 1),
    registration_closes_on=date(2027, 2, 12),
)
SECOND = PeriodDates(
    year=2027,
    number=2,
    starts_on=date(2027, 5, 3),
    ends_on=date(2027, 8, 31),
    registration_opens_on=date(2027, 2, 1),
    registration_closes_on=date(2027, 6, 1),
)
THIRD = PeriodDates(
    year=2027,
    number=3,
    starts_on=date(2027, 9, 1),
    ends_on=date(2027, 12, 17),
    registration_opens_on=date(2027, 5, 1),
    registration_closes_on=date(2027, 10, 1),
)


def _code(candidate: PeriodDates, others: list[PeriodDates]) -> tuple[str, str | None]:
    with pytest.raises(ServiceError) as caught:
        check_period(candidate, others)
    return caught.value.code, caught.value.field


def test_r1_three_periods_in_date_order_are_accepted() -> None:
    check_period(FIRST, [])
    check_period(SECOND, [FIRST])
    check_period(THIRD, [FIRST, SECOND])
    check_period(FIRST, [SECOND, THIRD])  # entered in any order, numbered by date


def test_r1_a_number_is_taken_once_a_year_but_free_in_another_year() -> None:
    assert _code(replace(FIRST, starts_on=date(2027, 1, 12)), [FIRST]) == (
        "period_number_taken",
        "number",
    )
    next_year = replace(
        FIRST,
        year=2028,
        starts_on=date(2028, 1, 10),
        ends_on=date(2028, 4, 28),
        registration_closes_on=date(2028, 2, 11),
    )
    check_period(next_year, [FIRST, SECOND, THIRD])


def test_r1_the_taken_number_is_a_conflict_and_the_rest_are_rule_violations() -> None:
    with pytest.raises(Conflict):
        check_period(FIRST, [FIRST])
    with pytest.raises(RuleViolation):
        check_period(replace(SECOND, starts_on=date(2027, 4, 1)), [FIRST])


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2027, 4, 30), date(2027, 8, 31)),  # starts on the first's last day
        (date(2027, 2, 1), date(2027, 3, 1)),  # inside the first
        (date(2027, 1, 1), date(2027, 12, 31)),  # around the first
    ],
)
def test_r1_periods_of_a_year_do_not_overlap(starts_on: date, ends_on: date) -> None:
    candidate = replace(
        SECOND, starts_on=starts_on, ends_on=ends_on, registration_closes_on=date(2027, 2, 20)
    )
    assert _code(candidate, [FIRST]) == ("period_overlap", "starts_on")


def test_r1_periods_are_numbered_in_date_order() -> None:
    early_third = replace(
        THIRD,
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 1, 8),
        registration_opens_on=date(2026, 11, 1),
        registration_closes_on=date(2027, 1, 4),
    )
    assert _code(early_third, [FIRST]) == ("period_order", "number")
    late_first = replace(
        FIRST,
        starts_on=date(2027, 9, 1),
        ends_on=date(2027, 12, 1),
        registration_opens_on=FIRST.registration_opens_on,
    )
    assert _code(late_first, [SECOND]) == ("period_order", "number")


def test_r1_at_most_three_periods_a_year() -> None:
    fourth = replace(THIRD, number=4)
    assert _code(fourth, []) == ("period_number_invalid", "number")


def test_r1_the_registration_window_opens_before_it_closes_and_closes_before_the_end() -> None:
    assert _code(replace(FIRST, registration_opens_on=date(2027, 2, 12)), []) == (
        "registration_window_invalid",
        "registration_closes_on",
    )
    assert _code(replace(FIRST, registration_closes_on=date(2027, 4, 30)), []) == (
        "registration_window_invalid",
        "registration_closes_on",
    )
    check_period(replace(FIRST, registration_closes_on=date(2027, 4, 29)), [])


def test_r1_a_period_ends_after_it_starts_and_starts_in_its_year() -> None:
    assert _code(replace(FIRST, ends_on=date(2027, 1, 10)), []) == (
        "period_dates_invalid",
        "ends_on",
    )
    assert _code(replace(FIRST, year=2026), []) == ("period_year_mismatch", "starts_on")


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2027, 12, 6), "Independence Day"),
        (date(2027, 6, 25), "Midsummer Eve"),
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 6), "Ascension Day"),
        (date(2027, 1, 6), "Epiphany"),
        (date(2027, 2, 6), "Saturday"),
        (date(2027, 2, 7), "Sunday"),
    ],
)
def test_r2_weekends_and_finnish_public_holidays_are_not_working_days(
    day: date, reason: str
) -> None:
    assert reason in (non_working_day(day) or "")


@pytest.mark.parametrize("day", [date(2027, 2, 2), date(2027, 12, 7), date(2027, 3, 25)])
def test_r2_ordinary_weekdays_are_working_days(day: date) -> None:
    assert non_working_day(day) is None


def _at(day: int, month: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=HELSINKI)


def test_r2_a_session_on_a_holiday_needs_explicit_confirmation() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_session_time(_at(6, 12, 9), _at(6, 12, 12), confirm_holiday=False)
    assert caught.value.code == "session_on_holiday"
    assert caught.value.field == "starts_at"
    assert "confirm_holiday" in caught.value.detail
    check_session_time(_at(6, 12, 9), _at(6, 12, 12), confirm_holiday=True)
    check_session_time(_at(2, 2, 9), _at(2, 2, 12), confirm_holiday=False)


def test_r2_the_helsinki_date_decides_not_the_utc_date() -> None:
    # 23:30 UTC on Friday 5 Feb is 01:30 on Saturday in Helsinki.
    starts = datetime.fromisoformat("2027-02-05T23:30:00+00:00")
    ends = datetime.fromisoformat("2027-02-06T00:30:00+00:00")
    with pytest.raises(RuleViolation):
        check_session_time(starts, ends, confirm_holiday=False)


def test_r2_a_session_ends_after_it_starts_and_happens_somewhere() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_session_time(_at(2, 2, 12), _at(2, 2, 9), confirm_holiday=True)
    assert (caught.value.code, caught.value.field) == ("session_time_invalid", "ends_at")
    with pytest.raises(RuleViolation) as missing:
        check_place(None, None)
    assert missing.value.code == "session_location_missing"
    check_place("https://meet.example.fi/x", None)
    check_place(None, "Helsinki")
