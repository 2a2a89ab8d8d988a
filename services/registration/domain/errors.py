"""The registration service's problem codes: each with its status, field and example, once.

Raise sites call the entry (`raise DUPLICATE_REGISTRATION("…", extra=…)`); routes document
theirs with `shared.openapi.problem_responses(...)`. The codes every service answers
(unauthorized, staff_only, validation_error, invalid_cursor, …) are in `shared.problems`.
"""

from __future__ import annotations

from shared.problems import (
    INVALID_CURSOR,
    ORGANISATION_ONLY,
    RATE_LIMITED,
    STAFF_ONLY,
    UNAUTHORIZED,
    VALIDATION_ERROR,
    ProblemType,
)

EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

# --- Registrations --------------------------------------------------------------------------
NOT_YOUR_ORGANISATION = ProblemType(
    "not_your_organisation",
    422,
    "These credentials act for 2077474-0; a registration can only be made for that "
    "organisation, not for 0204819-8.",
    field="organisation.business_id",
)
REGISTRATION_NOT_FOUND = ProblemType(
    "registration_not_found", 404, f"No registration {EXAMPLE_ID}."
)
INVALID_TRANSITION = ProblemType(
    "invalid_transition",
    409,
    "A registration in state 'rejected' cannot be accepted; it is closed.",
)
DUPLICATE_REGISTRATION = ProblemType(
    "duplicate_registration",
    409,
    "2077474-0 already has an active registration for patient_data_repository in period "
    f"2027/1: {EXAMPLE_ID}.",
)
PERIOD_NOT_OPEN = ProblemType(
    "period_not_open",
    422,
    "Period 2027/1 is not open for registration: it is not published or its registration "
    "window is closed.",
    field="period",
)
IDEMPOTENCY_KEY_REUSED = ProblemType(
    "idempotency_key_reused",
    422,
    "This Idempotency-Key was used with another body; use a new key for a new request.",
    field="Idempotency-Key",
)
REGISTRATION_WINDOW_CLOSED = ProblemType(
    "registration_window_closed",
    422,
    "The registration window of period 2027/1 has closed; ask Kela's staff for changes.",
    field="period",
)
BUSINESS_ID_IMMUTABLE = ProblemType(
    "business_id_immutable",
    422,
    "The business ID of a registration cannot change; submit a new registration.",
    field="organisation.business_id",
)
SAME_PERIOD = ProblemType(
    "same_period", 422, "The registration is already in period 2027/1.", field="period"
)

# --- The form's rules (R3–R8): `rules.Violation` names one of these -------------------------
PRODUCTION_AFTER_PERIOD = ProblemType(
    "production_after_period",
    422,
    "Production use must start by the last day of period 2027/1 (2027-04-30); choose a "
    "later period or an earlier date.",
    field="planned_production_start",
)
PROFILE_CHANGE_NOT_SOCIAL_WELFARE = ProblemType(
    "profile_change_not_social_welfare",
    422,
    "A significant extension (a change of the information-system profile) is a reason for "
    "social welfare only, not for health_care.",
    field="reason",
)
PROFILE_REQUIRED = ProblemType(
    "profile_required",
    422,
    "A significant extension names the new information-system profile.",
    field="system.profile",
)
UNKNOWN_SERVICE = ProblemType(
    "unknown_service",
    422,
    "'x_ray' is not in the service catalogue; see GET /v1/services.",
    field="service",
)
SERVICE_NOT_FOR_DOMAIN = ProblemType(
    "service_not_for_domain",
    422,
    "patient_data_repository is deployed by health_care, not by social_welfare.",
    field="service",
)
VENDOR_SUPPORT_NOT_HEALTH_CARE = ProblemType(
    "vendor_support_not_health_care",
    422,
    "Only a health care organisation may leave the deployment support to its system vendor.",
    field="vendor_handles_support",
)
CUSTOMERSHIP_REQUIRED = ProblemType(
    "customership_required",
    422,
    "Only a first deployment forms the Kanta customership; extending use needs an existing "
    "customership.",
    field="customership.existing_customer",
)
DATE_IN_FUTURE = ProblemType(
    "date_in_future",
    422,
    "2099-01-01 is in the future; give the date it was done.",
    field="customership.commitment_signed_on",
)

DATE_OUT_OF_RANGE = ProblemType(
    "date_out_of_range",
    422,
    "0001-01-01 is outside the dates this service takes (2000-01-01–2100-12-31).",
    field="planned_production_start",
)
PRODUCTION_START_IN_PAST = ProblemType(
    "production_start_in_past",
    422,
    "Production use cannot be planned to start in the past (2026-01-15); give a date from "
    "today on.",
    field="planned_production_start",
)

DUPLICATE_CONTACT = ProblemType(
    "duplicate_contact",
    422,
    "contacts.1 has the email address of contacts.0 (maija@example.fi); name each person once.",
    field="contacts.1.email",
)
CHECKLIST_INCOMPLETE = ProblemType(
    "customership_checklist_incomplete",
    409,
    "A first deployment needs the Kanta customership (R8): still without a date are "
    "service_description_accepted_on, details_submitted_on. Record them first "
    "(PATCH /v1/customerships/2077474-0).",
)

# --- Extension of use: notices (R9), deployment tests (R10), customership (R8) -------------
NOTICE_TOO_LATE = ProblemType(
    "notice_too_late",
    422,
    "A technical connection point change must be notified at least 14 days ahead (R9): the "
    "earliest effective date today is 2027-03-01.",
    field="notice.effective_on",
)
NOTICE_NOT_FOUND = ProblemType("notice_not_found", 404, f"No notice {EXAMPLE_ID}.")
NOTICE_NOT_FOR_DOMAIN = ProblemType(
    "notice_not_for_domain",
    422,
    "A system_profile_change notice is for social welfare organisations (R9); 2077474-0 is "
    "registered in health_care.",
    field="notice.kind",
)
DEPLOYMENT_TEST_NOT_FOUND = ProblemType(
    "deployment_test_not_found", 404, f"No deployment test {EXAMPLE_ID}."
)
NOT_A_TEST_IDENTITY = ProblemType(
    "not_a_test_identity",
    422,
    "010181-123F is not a test identity code: the individual number 123 must be 900–999 "
    "(Kela's test series); never use a real person's code (R10).",
    field="test_identities.0",
)
TESTED_ON_IN_FUTURE = ProblemType(
    "tested_on_in_future",
    422,
    "A result is recorded after the test: tested_on is in the future.",
    field="tested_on",
)
CUSTOMERSHIP_NOT_FOUND = ProblemType(
    "customership_not_found", 404, "No customership is recorded for 2077474-0."
)

# --- The token endpoint (RFC 6749 §5.2: the code is also the OAuth2 `error`) ----------------
TOKEN_REFUSED = "Token request refused"
UNSUPPORTED_GRANT_TYPE = ProblemType(
    "unsupported_grant_type",
    400,
    "grant_type 'password' is not supported; use client_credentials.",
    title=TOKEN_REFUSED,
)
INVALID_CLIENT = ProblemType(
    "invalid_client",
    401,
    "The client id or secret is wrong, or the client is disabled.",
    title=TOKEN_REFUSED,
)

FORM_RULES = (
    PERIOD_NOT_OPEN,
    PRODUCTION_AFTER_PERIOD,
    PROFILE_CHANGE_NOT_SOCIAL_WELFARE,
    PROFILE_REQUIRED,
    UNKNOWN_SERVICE,
    SERVICE_NOT_FOR_DOMAIN,
    VENDOR_SUPPORT_NOT_HEALTH_CARE,
    CUSTOMERSHIP_REQUIRED,
    DATE_IN_FUTURE,
    DATE_OUT_OF_RANGE,
    PRODUCTION_START_IN_PAST,
    DUPLICATE_CONTACT,
)
"""What a form can break (R3–R8), documented on the routes that check a form."""
AUTH = (UNAUTHORIZED,)
READ = (*AUTH, REGISTRATION_NOT_FOUND, VALIDATION_ERROR)
STAFF_ACTION = (*AUTH, STAFF_ONLY, REGISTRATION_NOT_FOUND, INVALID_TRANSITION, VALIDATION_ERROR)

ANSWERED = (
    *READ,
    STAFF_ONLY,
    ORGANISATION_ONLY,
    INVALID_CURSOR,
    RATE_LIMITED,
    NOT_YOUR_ORGANISATION,
    INVALID_TRANSITION,
    DUPLICATE_REGISTRATION,
    IDEMPOTENCY_KEY_REUSED,
    REGISTRATION_WINDOW_CLOSED,
    BUSINESS_ID_IMMUTABLE,
    SAME_PERIOD,
    *FORM_RULES,
    NOTICE_TOO_LATE,
    NOTICE_NOT_FOUND,
    NOTICE_NOT_FOR_DOMAIN,
    CHECKLIST_INCOMPLETE,
    DEPLOYMENT_TEST_NOT_FOUND,
    NOT_A_TEST_IDENTITY,
    TESTED_ON_IN_FUTURE,
    CUSTOMERSHIP_NOT_FOUND,
    UNSUPPORTED_GRANT_TYPE,
    INVALID_CLIENT,
)
"""Every code the registration service answers (the OpenAPI test checks each is documented)."""
