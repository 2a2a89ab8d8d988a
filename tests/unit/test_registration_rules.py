"""The registration's pure rules: identifiers, R3–R8 and the lifecycle, both sides of each edge."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from services.registration.domain import rules
from services.registration.domain.identifiers import (
    InvalidBusinessId,
    InvalidOid,
    check_oid,
    normalise_business_id,
)
from services.registration.domain.states import (
    Action,
    InvalidTransition,
    RegistrationState,
    next_state,
)
from shared.catalogue import load_catalogue

TODAY = date(2026, 11, 22)
WINDOW = rules.PeriodWindow(
    year=2027,
    number=1,
    starts_on=date(2027, 1, 1),
    ends_on=date(2027, 4, 30),
    registration_opens_on=date(2026, 10, 1),
    registration_closes_on=date(2026, 12, 15),
)
FORM = rules.Form(
    domain="health_care",
    service="patient_data_repository",
    service_domains=frozenset({"health_care"}),
    reason="first_deployment",
    certified=True,
    profile=None,
    vendor_handles_support=False,
    planned_production_start=date(2027, 4, 15),
    existing_customer=False,
    checklist=dict.fromkeys(rules.CHECKLIST),
)


def form(**changes: object) -> rules.Form:
    return dataclasses.replace(FORM, **changes)  # type: ignore[arg-type]


def codes(violations: list[rules.Violation]) -> list[tuple[str, str]]:
    return [(v.code, v.field) for v in violations]


# --- Business ID (Y-tunnus) and OID ------------------------------------------------------------


@pytest.mark.parametrize("valid", ["0204819-8", "2077474-0", "20774740", " 2077474-0 "])
def test_a_business_id_with_the_right_check_digit_is_normalised(valid: str) -> None:
    assert normalise_business_id(valid) in ("0204819-8", "2077474-0")


@pytest.mark.parametrize("wrong", ["2077474-1", "0204819-7", "2077474-9"])
def test_a_business_id_with_a_wrong_check_digit_is_refused(wrong: str) -> None:
    with pytest.raises(InvalidBusinessId, match="check digit"):
        normalise_business_id(wrong)


def _remainder(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11


@pytest.mark.parametrize("digits", ["1000008", "1000016"])
def test_business_ids_whose_remainder_is_one_are_never_valid(digits: str) -> None:
    assert _remainder(digits) == 1
    for check in range(10):
        with pytest.raises(InvalidBusinessId):
            normalise_business_id(f"{digits}-{check}")


def test_remainder_zero_gives_check_digit_zero() -> None:
    assert _remainder("2077474") == 0
    assert normalise_business_id("2077474-0") == "2077474-0"


@pytest.mark.parametrize("wrong", ["207747-0", "2077474", "2077474-00", "abcdefg-h", ""])
def test_a_business_id_of_the_wrong_shape_is_refused(wrong: str) -> None:
    with pytest.raises(InvalidBusinessId, match="7 digits"):
        normalise_business_id(wrong)


@pytest.mark.parametrize(
    ("oid", "business_id"),
    [
        ("1.2.246.10.20774740.10.0", "2077474-0"),
        ("1.2.246.10.20774740.10.12", "2077474-0"),
        ("1.2.246.10.2048198.10.0", "0204819-8"),  # the leading zero is dropped
        ("1.2.246.537.28.10000222116", "2077474-0"),  # an independent practitioner's IAH id
    ],
)
def test_an_oid_embedding_the_business_id_or_an_iah_id_is_accepted(
    oid: str, business_id: str
) -> None:
    assert check_oid(oid, business_id=business_id) == oid


@pytest.mark.parametrize(
    ("oid", "business_id", "words"),
    [
        ("1.2.246.10.20774741.10.0", "2077474-0", "does not embed"),
        ("1.2.246.10.02048198.10.0", "0204819-8", "not an organisation OID"),
        ("1.2.246.10.32515682.10.0", "2077474-0", "does not embed"),
        ("1.2.246.10.20774740.11.0", "2077474-0", "not an organisation OID"),
        ("1.2.246.10.20774740", "2077474-0", "not an organisation OID"),
        ("2.16.840.1", "2077474-0", "not an organisation OID"),
        ("1.2.246.537.28.", "2077474-0", "not an organisation OID"),
    ],
)
def test_other_oids_are_refused(oid: str, business_id: str, words: str) -> None:
    with pytest.raises(InvalidOid, match=words):
        check_oid(oid, business_id=business_id)


# --- Catalogue ---------------------------------------------------------------------------------


def test_the_catalogue_has_every_service_code_of_the_domain_table() -> None:
    catalogue = load_catalogue()
    assert {s.code for s in catalogue.services} == {
        "patient_data_repository",
        "social_welfare_client_data_repository",
        "prescription",
        "certificate_delivery",
        "old_patient_data_archiving",
        "imaging_data_repository",
        "sw_old_documents",
        "sw_phase_1_documents",
        "sw_phase_2_documents",
    }
    assert catalogue.domains_of("prescription") == frozenset({"health_care", "pharmacy"})
    assert catalogue.domains_of("nothing") is None
    archive = next(s for s in catalogue.services if s.code == "patient_data_repository")
    assert archive.names.fi.former == ["Potilastiedon arkisto"]
    assert all(s.document_group == s.code.startswith("sw_") for s in catalogue.services)


def test_service_unknown_or_not_for_the_domain_is_refused() -> None:
    assert codes(rules.check_service(form(service_domains=None))) == [
        ("unknown_service", "service")
    ]
    assert codes(rules.check_service(form(domain="pharmacy"))) == [
        ("service_not_for_domain", "service")
    ]
    assert rules.check_service(FORM) == []


# --- R3 / R4 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["first_deployment", "new_service_or_functionality"])
def test_r3_reasons_a_and_b_are_valid_for_every_domain(reason: str) -> None:
    for domain in ("health_care", "social_welfare", "pharmacy"):
        assert rules.check_reason(form(reason=reason, domain=domain)) == []


def test_r4_a_profile_change_is_valid_for_social_welfare() -> None:
    sw = form(domain="social_welfare", reason="significant_extension", profile="Profiili A")
    assert rules.check_reason(sw) == []


@pytest.mark.parametrize("domain", ["health_care", "pharmacy"])
def test_r4_a_profile_change_outside_social_welfare_is_refused(domain: str) -> None:
    assert codes(rules.check_reason(form(domain=domain, reason="significant_extension"))) == [
        ("profile_change_not_social_welfare", "reason")
    ]
    assert codes(rules.check_reason(form(domain=domain, profile="Profiili A"))) == [
        ("profile_change_not_social_welfare", "system.profile")
    ]


def test_r4_a_social_welfare_profile_change_names_the_profile() -> None:
    sw = form(domain="social_welfare", reason="significant_extension", profile=None)
    assert codes(rules.check_reason(sw)) == [("profile_required", "system.profile")]


# --- R5 ----------------------------------------------------------------------------------------


def test_r5_health_care_with_vendor_support_need_not_register() -> None:
    optional = form(vendor_handles_support=True)
    assert rules.check_vendor_support(optional) == []
    assert rules.registration_required(optional) is False
    assert rules.registration_required(FORM) is True


@pytest.mark.parametrize("domain", ["social_welfare", "pharmacy"])
def test_r5_vendor_support_is_for_health_care_only(domain: str) -> None:
    assert codes(rules.check_vendor_support(form(domain=domain, vendor_handles_support=True))) == [
        ("vendor_support_not_health_care", "vendor_handles_support")
    ]
    assert rules.registration_required(form(domain=domain)) is True


# --- R6 ----------------------------------------------------------------------------------------


def test_add_months_clamps_to_the_last_day_of_the_month() -> None:
    assert rules.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert rules.add_months(date(2027, 12, 15), 12) == date(2028, 12, 15)


def test_r6_certified_exactly_three_months_has_no_warning() -> None:
    assert (
        rules.lead_time_warnings(form(planned_production_start=date(2027, 2, 22)), today=TODAY)
        == []
    )


def test_r6_certified_a_day_under_three_months_warns() -> None:
    warnings = rules.lead_time_warnings(
        form(planned_production_start=date(2027, 2, 21)), today=TODAY
    )
    assert [w.code for w in warnings] == ["short_lead_time"]
    assert "3 months" in warnings[0].message


def test_r6_uncertified_exactly_twelve_months_has_no_warning() -> None:
    uncertified = form(certified=False, planned_production_start=date(2027, 11, 22))
    assert rules.lead_time_warnings(uncertified, today=TODAY) == []


def test_r6_uncertified_a_day_under_twelve_months_warns() -> None:
    uncertified = form(certified=False, planned_production_start=date(2027, 11, 21))
    warnings = rules.lead_time_warnings(uncertified, today=TODAY)
    assert [w.code for w in warnings] == ["short_lead_time"]
    assert "12 months" in warnings[0].message


# --- R7 ----------------------------------------------------------------------------------------


def test_r7_production_on_the_last_day_of_the_period_is_allowed() -> None:
    assert rules.check_production_start(form(planned_production_start=WINDOW.ends_on), WINDOW) == []


def test_r7_production_even_before_the_period_starts_is_allowed() -> None:
    early = form(planned_production_start=date(2026, 12, 1))
    assert rules.check_production_start(early, WINDOW) == []


def test_r7_production_the_day_after_the_period_is_refused() -> None:
    late = form(planned_production_start=date(2027, 5, 1))
    assert codes(rules.check_production_start(late, WINDOW)) == [
        ("production_after_period", "planned_production_start")
    ]


# --- R8 ----------------------------------------------------------------------------------------


def test_r8_a_first_deployment_forms_the_customership() -> None:
    assert rules.check_customership(FORM, today=TODAY) == []
    assert rules.pending_checklist(FORM) == list(rules.CHECKLIST)


@pytest.mark.parametrize("reason", ["new_service_or_functionality", "significant_extension"])
def test_r8_extending_use_needs_an_existing_customership(reason: str) -> None:
    assert codes(rules.check_customership(form(reason=reason), today=TODAY)) == [
        ("customership_required", "customership.existing_customer")
    ]
    existing = form(reason=reason, existing_customer=True)
    assert rules.check_customership(existing, today=TODAY) == []
    assert rules.pending_checklist(existing) == []


def test_r8_checklist_dates_may_be_today_but_not_tomorrow() -> None:
    done_today = form(checklist={**FORM.checklist, "commitment_signed_on": TODAY})
    assert rules.check_customership(done_today, today=TODAY) == []
    assert "commitment_signed_on" not in rules.pending_checklist(done_today)
    tomorrow = form(checklist={**FORM.checklist, "commitment_signed_on": date(2026, 11, 23)})
    assert codes(rules.check_customership(tomorrow, today=TODAY)) == [
        ("date_in_future", "customership.commitment_signed_on")
    ]


# --- the window and the whole assessment -------------------------------------------------------


def test_the_window_is_open_on_both_of_its_end_days_only() -> None:
    assert rules.window_is_open(WINDOW, today=WINDOW.registration_opens_on)
    assert rules.window_is_open(WINDOW, today=WINDOW.registration_closes_on)
    assert not rules.window_is_open(WINDOW, today=date(2026, 9, 30))
    assert not rules.window_is_open(WINDOW, today=date(2026, 12, 16))
    assert not rules.window_is_open(None, today=TODAY)


def test_assess_names_every_violation_at_once() -> None:
    bad = form(
        domain="pharmacy",
        reason="significant_extension",
        vendor_handles_support=True,
        planned_production_start=date(2027, 5, 1),
    )
    with pytest.raises(rules.FormRejected) as caught:
        rules.assess(bad, WINDOW, today=TODAY)
    assert [v.code for v in caught.value.violations] == [
        "service_not_for_domain",
        "profile_change_not_social_welfare",
        "vendor_support_not_health_care",
        "production_after_period",
        "customership_required",
    ]


def test_assess_returns_warnings_and_whether_registering_was_required() -> None:
    result = rules.assess(form(certified=False, vendor_handles_support=True), WINDOW, today=TODAY)
    assert [w.code for w in result.warnings] == ["short_lead_time"]
    assert result.registration_required is False


# --- lifecycle ---------------------------------------------------------------------------------

S, A = RegistrationState, Action


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        (S.SUBMITTED, A.ACCEPT, S.ACCEPTED),
        (S.SUBMITTED, A.REJECT, S.REJECTED),
        (S.SUBMITTED, A.RETURN, S.RETURNED),
        (S.RETURNED, A.EDIT, S.SUBMITTED),
        (S.ACCEPTED, A.EDIT, S.SUBMITTED),
        (S.ACCEPTED, A.MOVE, S.MOVED),
        (S.MOVED, A.MOVE, S.MOVED),
        (S.ACCEPTED, A.DEPLOY, S.DEPLOYED),
        (S.MOVED, A.DEPLOY, S.DEPLOYED),
        (S.DEPLOYED, A.COMPLETE, S.COMPLETED),
        (S.SUBMITTED, A.WITHDRAW, S.WITHDRAWN),
        (S.RETURNED, A.WITHDRAW, S.WITHDRAWN),
        (S.ACCEPTED, A.WITHDRAW, S.WITHDRAWN),
    ],
)
def test_allowed_transitions(
    state: RegistrationState, action: Action, after: RegistrationState
) -> None:
    assert next_state(state, action) == after


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.SUBMITTED, A.MOVE),
        (S.SUBMITTED, A.DEPLOY),
        (S.RETURNED, A.ACCEPT),
        (S.ACCEPTED, A.ACCEPT),
        (S.REJECTED, A.ACCEPT),
        (S.REJECTED, A.EDIT),
        (S.WITHDRAWN, A.WITHDRAW),
        (S.DEPLOYED, A.WITHDRAW),
        (S.DEPLOYED, A.EDIT),
        (S.COMPLETED, A.COMPLETE),
        (S.ACCEPTED, A.COMPLETE),
    ],
)
def test_illegal_transitions_are_refused(state: RegistrationState, action: Action) -> None:
    with pytest.raises(InvalidTransition):
        next_state(state, action)


# --- Issue 14.5: the edges of R7 and the contacts ------------------------------------------


def test_r7_a_production_start_before_today_is_refused_today_is_fine() -> None:
    assert (
        codes(rules.check_production_not_past(form(planned_production_start=TODAY), today=TODAY))
        == []
    )
    yesterday = date(2026, 11, 21)
    assert codes(
        rules.check_production_not_past(form(planned_production_start=yesterday), today=TODAY)
    ) == [("production_start_in_past", "planned_production_start")]


def test_r7_without_the_start_check_a_late_start_is_a_warning_not_a_refusal() -> None:
    late = form(planned_production_start=date(2027, 5, 1))
    with pytest.raises(rules.FormRejected):
        rules.assess(late, WINDOW, today=TODAY)
    assessment = rules.assess(late, WINDOW, today=TODAY, check_start=False)
    assert [w.code for w in assessment.warnings] == ["production_after_period"]
    assert rules.r7_warnings(date(2027, 4, 30), WINDOW) == []


def test_the_same_contact_email_twice_in_any_case_is_refused_naming_the_later_one() -> None:
    emails = ("a@example.fi", "b@example.fi", "A@Example.FI")
    assert codes(rules.check_contacts(form(contact_emails=emails))) == [
        ("duplicate_contact", "contacts.2.email")
    ]
    assert rules.check_contacts(form(contact_emails=emails[:2])) == []
