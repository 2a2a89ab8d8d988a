"""R2/R12: who joins which session, hard capacity and the waiting list, reminder maths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.scheduling.domain.enrolment import (
    SessionChoice,
    Waiting,
    seat_status,
    sessions_for,
    to_promote,
)
from services.scheduling.domain.reminders import iso_duration, reminder_due_at, reminders_to_keep
from shared.clock import HELSINKI

PREP_FI = SessionChoice("prep-fi", "preparation", "fi", None, None, None)
PREP_SV = SessionChoice("prep-sv", "preparation", "sv", None, None, None)
PDR_FI = SessionChoice(
    "pdr-fi", "training", "fi", ("patient_data_repository",), ("health_care",), None
)
PDR_SV = SessionChoice(
    "pdr-sv", "training", "sv", ("patient_data_repository",), ("health_care",), None
)
SW_FI = SessionChoice(
    "sw-fi", "training", "fi", ("social_welfare_client_data_repository",), None, None
)
TECH_FI = SessionChoice("tech-fi", "training", "fi", None, ("health_care",), ("technical",))
ALL = [PREP_FI, PREP_SV, PDR_FI, PDR_SV, SW_FI, TECH_FI]


def _ids(choices: list[SessionChoice]) -> set[object]:
    return {c.session_id for c in choices}


def test_r2_preparation_event_and_matching_trainings_in_the_participants_language() -> None:
    chosen = sessions_for(
        ALL, service="patient_data_repository", domain="health_care", role=None, language="sv"
    )
    assert _ids(chosen) == {"prep-sv", "pdr-sv"}


def test_r2_role_restricted_trainings_only_for_that_role() -> None:
    common = {"service": "patient_data_repository", "domain": "health_care", "language": "fi"}
    assert _ids(sessions_for(ALL, role="technical", **common)) == {"prep-fi", "pdr-fi", "tech-fi"}
    assert _ids(sessions_for(ALL, role="reader", **common)) == {"prep-fi", "pdr-fi"}


def test_r2_other_services_trainings_are_left_out() -> None:
    chosen = sessions_for(
        ALL,
        service="social_welfare_client_data_repository",
        domain="social_welfare",
        role=None,
        language="fi",
    )
    assert _ids(chosen) == {"prep-fi", "sw-fi"}


def test_r12_without_a_version_in_their_language_finnish_comes_first() -> None:
    chosen = sessions_for(
        ALL, service="patient_data_repository", domain="health_care", role=None, language="en"
    )
    assert _ids(chosen) == {"prep-fi", "pdr-fi"}
    only_sv = [PREP_SV]
    assert _ids(
        sessions_for(only_sv, service="x", domain="pharmacy", role=None, language="fi")
    ) == {"prep-sv"}


def test_r2_two_different_sessions_of_one_audience_and_language_are_both_attended() -> None:
    part_two = SessionChoice("prep-fi-2", "preparation", "fi", None, None, None)
    chosen = sessions_for(
        [PREP_FI, part_two, PREP_SV], service="x", domain="pharmacy", role=None, language="fi"
    )
    assert _ids(chosen) == {"prep-fi", "prep-fi-2"}


@pytest.mark.parametrize(
    ("capacity", "confirmed", "expected"),
    [(3, 0, "confirmed"), (3, 2, "confirmed"), (3, 3, "waitlisted"), (1, 5, "waitlisted")],
)
def test_r2_capacity_is_hard(capacity: int, confirmed: int, expected: str) -> None:
    assert seat_status(capacity=capacity, confirmed=confirmed) == expected


def test_r2_freed_seats_go_to_the_first_in_line_in_queue_order() -> None:
    line = [Waiting("c", 7), Waiting("a", 3), Waiting("b", 5)]
    assert to_promote(capacity=10, confirmed=10, waiting=line) == []
    assert to_promote(capacity=10, confirmed=9, waiting=line) == ["a"]
    assert to_promote(capacity=10, confirmed=8, waiting=line) == ["a", "b"]
    assert to_promote(capacity=10, confirmed=0, waiting=line) == ["a", "b", "c"]
    assert to_promote(capacity=2, confirmed=5, waiting=line) == []  # capacity lowered


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("session", "offset", "expected_local", "expected_utc"),
    [
        # Spring forward on Sunday 28 March 2027 (03:00 EET -> 04:00 EEST).
        ("2027-04-01T09:00", timedelta(days=7), "2027-03-25T09:00+02:00", "2027-03-25T07:00"),
        ("2027-03-29T09:00", timedelta(days=1), "2027-03-28T09:00+03:00", "2027-03-28T06:00"),
        # Fall back on Sunday 31 October 2027 (04:00 EEST -> 03:00 EET).
        ("2027-11-02T09:00", timedelta(days=7), "2027-10-26T09:00+03:00", "2027-10-26T06:00"),
        ("2027-11-01T09:00", timedelta(days=1), "2027-10-31T09:00+02:00", "2027-10-31T07:00"),
        # A sub-day offset is an exact duration: 2 h before 05:00 EEST is 02:00 EET that night.
        ("2027-03-28T05:00", timedelta(hours=2), "2027-03-28T02:00+02:00", "2027-03-28T00:00"),
    ],
)
def test_reminders_keep_the_wall_clock_time_across_dst_changes(
    session: str, offset: timedelta, expected_local: str, expected_utc: str
) -> None:
    due = reminder_due_at(_local(session), offset)
    assert due.tzinfo == UTC
    assert due == datetime.fromisoformat(expected_utc).replace(tzinfo=UTC)
    assert due.astimezone(HELSINKI).isoformat(timespec="minutes") == expected_local


def test_a_reminder_already_past_at_enrolment_is_not_planned() -> None:
    starts = _local("2027-02-02T09:00")
    offsets = [timedelta(days=7), timedelta(days=1)]
    now = _local("2027-01-28T12:00")  # after the 7-day mark, before the 1-day one
    assert reminders_to_keep(starts, offsets, now=now) == {
        timedelta(days=1): _local("2027-02-01T09:00").astimezone(UTC)
    }
    assert reminders_to_keep(starts, offsets, now=starts) == {}
    assert len(reminders_to_keep(starts, offsets, now=_local("2027-01-01T00:00"))) == 2


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (timedelta(days=7), "P7D"),
        (timedelta(days=1), "P1D"),
        (timedelta(hours=2), "PT2H"),
        (timedelta(days=1, minutes=30), "P1DT30M"),
        (timedelta(0), "PT0S"),
    ],
)
def test_offsets_are_iso_8601_durations(offset: timedelta, text: str) -> None:
    assert iso_duration(offset) == text
