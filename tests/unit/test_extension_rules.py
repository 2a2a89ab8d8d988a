"""Rules of the extension of use (R8–R10), at each boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.registration.domain import customership, deployment_tests, notices
from shared.clock import helsinki_date

CHECK_MARKS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def identity_code(birth: str, individual: int, century: str = "-") -> str:
    """A personal identity code with a correct check mark (ddmmyy, individual number)."""
    mark = CHECK_MARKS[int(f"{birth}{individual:03d}") % 31]
    return f"{birth}{century}{individual:03d}{mark}"


def test_r9_connection_point_change_needs_14_days_13_is_too_late() -> None:
    today = date(2027, 1, 1)
    assert notices.connection_point_change_in_time(date(2027, 1, 15), today, 14)
    assert not notices.connection_point_change_in_time(date(2027, 1, 14), today, 14)
    assert notices.earliest_connection_point_change(today, 14) == date(2027, 1, 15)
    assert notices.earliest_connection_point_change(today, 21) == date(
        2027, 1, 22
    )  # newer guidance


def test_r9_volume_growth_over_500000_is_significant_500000_is_not() -> None:
    assert not notices.volume_growth_is_significant(500_000, 500_000)
    assert notices.volume_growth_is_significant(500_001, 500_000)


def test_r10_kelas_example_code_is_a_test_identity() -> None:
    assert deployment_tests.check_test_identity("010181-900C") == "010181-900C"
    assert deployment_tests.check_test_identity("010181-900c") == "010181-900C"


@pytest.mark.parametrize(
    ("individual", "is_test"), [(899, False), (900, True), (999, True), (2, False)]
)
def test_r10_only_individual_numbers_900_to_999_are_test_identities(
    individual: int, is_test: bool
) -> None:
    code = identity_code("150590", individual)
    if is_test:
        assert deployment_tests.check_test_identity(code) == code
    else:
        with pytest.raises(deployment_tests.NotATestIdentity, match="900–999"):
            deployment_tests.check_test_identity(code)


@pytest.mark.parametrize(
    "code",
    [
        "010181-900D",  # wrong check mark
        "320181-900C",  # no 32nd day
        "010181900C",  # no century sign
        "not a code",
        "",
    ],
)
def test_r10_malformed_identity_codes_are_refused(code: str) -> None:
    with pytest.raises(deployment_tests.NotATestIdentity, match="not a personal identity code"):
        deployment_tests.check_test_identity(code)


def test_r10_report_on_day_2_is_in_time_day_3_is_overdue() -> None:
    tested = date(2027, 3, 10)
    due = deployment_tests.report_due_on(tested, 2)
    assert due == date(2027, 3, 12)
    assert not deployment_tests.report_overdue(due, date(2027, 3, 12))
    assert deployment_tests.report_overdue(due, date(2027, 3, 13))


def test_r10_second_reminder_is_the_morning_before_the_deadline_in_finnish_time() -> None:
    at = deployment_tests.report_reminder_at(date(2027, 3, 12))
    assert at.astimezone(UTC) == datetime(2027, 3, 11, 7, 0, tzinfo=UTC)  # 09:00 EET


def test_helsinki_day_turns_at_finnish_midnight() -> None:
    assert helsinki_date(datetime(2027, 3, 11, 21, 59, tzinfo=UTC)) == date(2027, 3, 11)
    assert helsinki_date(datetime(2027, 3, 11, 22, 0, tzinfo=UTC)) == date(2027, 3, 12)


def test_r8_checklist_is_complete_only_with_all_four_dates() -> None:
    done = date(2026, 11, 1)
    full = customership.Checklist(done, done, done, done)
    assert full.complete and full.missing() == []
    partial = customership.Checklist(done, None, done, None)
    assert not partial.complete
    assert partial.missing() == ["service_application_on", "details_submitted_on"]


@pytest.mark.parametrize(
    ("kind", "domains", "fits"),
    [
        ("system_profile_change", frozenset({"health_care"}), False),
        ("document_group_change", frozenset({"pharmacy", "health_care"}), False),
        ("system_profile_change", frozenset({"health_care", "social_welfare"}), True),
        ("document_group_change", frozenset(), True),  # nothing known: not held against it
        ("connection_point_change", frozenset({"health_care"}), True),
    ],
)
def test_r9_profile_and_document_group_changes_are_for_social_welfare(
    kind: str, domains: frozenset[str], fits: bool
) -> None:
    assert notices.kind_fits_domains(kind, domains) is fits
