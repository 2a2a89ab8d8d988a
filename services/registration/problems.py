"""OpenAPI documentation of the registration routes' problem details, one example per code."""

from __future__ import annotations

from typing import Any

from shared.http import Problem

TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    422: "Unprocessable content",
}

EXAMPLES: dict[str, tuple[int, str | None, str]] = {
    "unauthorized": (
        401,
        None,
        "This route needs an access token: send `Authorization: Bearer <token>`.",
    ),
    "staff_only": (403, None, "Only Kela staff may use this route."),
    "organisation_only": (403, None, "Only an organisation may use this route."),
    "not_your_organisation": (
        422,
        "organisation.business_id",
        "These credentials act for 2077474-0; a registration can only be made for that "
        "organisation, not for 0204819-8.",
    ),
    "registration_not_found": (404, None, "No registration 3fa85f64-5717-4562-b3fc-2c963f66afa6."),
    "invalid_transition": (
        409,
        None,
        "A registration in state 'rejected' cannot be accepted; it is closed.",
    ),
    "duplicate_registration": (
        409,
        None,
        "2077474-0 already has an active registration for patient_data_repository in period "
        "2027/1: 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
    ),
    "validation_error": (
        422,
        "organisation.business_id",
        "The request has 1 invalid field: organisation.business_id: Value error, 2077474-1 is "
        "not a valid business ID (Y-tunnus): check digit is wrong",
    ),
    "period_not_open": (
        422,
        "period",
        "Period 2027/1 is not open for registration: it is not published or its registration "
        "window is closed.",
    ),
    "production_after_period": (
        422,
        "planned_production_start",
        "Production use must start by the last day of period 2027/1 (2027-04-30); choose a "
        "later period or an earlier date.",
    ),
    "profile_change_not_social_welfare": (
        422,
        "reason",
        "A significant extension (a change of the information-system profile) is a reason for "
        "social welfare only, not for health_care.",
    ),
    "profile_required": (
        422,
        "system.profile",
        "A significant extension names the new information-system profile.",
    ),
    "unknown_service": (
        422,
        "service",
        "'x_ray' is not in the service catalogue; see GET /v1/services.",
    ),
    "service_not_for_domain": (
        422,
        "service",
        "patient_data_repository is deployed by health_care, not by social_welfare.",
    ),
    "vendor_support_not_health_care": (
        422,
        "vendor_handles_support",
        "Only a health care organisation may leave the deployment support to its system vendor.",
    ),
    "customership_required": (
        422,
        "customership.existing_customer",
        "Only a first deployment forms the Kanta customership; extending use needs an existing "
        "customership.",
    ),
    "date_in_future": (
        422,
        "customership.commitment_signed_on",
        "2099-01-01 is in the future; give the date it was done.",
    ),
    "idempotency_key_reused": (
        422,
        "Idempotency-Key",
        "This Idempotency-Key was used with another body; use a new key for a new request.",
    ),
    "registration_window_closed": (
        422,
        "period",
        "The registration window of period 2027/1 has closed; ask Kela's staff for changes.",
    ),
    "business_id_immutable": (
        422,
        "organisation.business_id",
        "The business ID of a registration cannot change; submit a new registration.",
    ),
    "same_period": (422, "period", "The registration is already in period 2027/1."),
    "invalid_cursor": (
        422,
        "cursor",
        "The cursor is not one this API gave out; start again without it.",
    ),
}


def _example(code: str) -> dict[str, Any]:
    status, field, detail = EXAMPLES[code]
    value: dict[str, Any] = {
        "type": f"https://kanta.example/problems/{code}",
        "title": TITLES[status],
        "status": status,
        "code": code,
        "detail": detail,
        "instance": "/v1/registrations",
    }
    if field is not None:
        value["field"] = field
    if code == "duplicate_registration":
        value["registration_id"] = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    return value


def problems(*codes: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route: per status, the Problem model, every code it may carry (in the
    description, each with its sentence) and an example of the first.

    One `example` per status rather than an `examples` map, because the shared OpenAPI rewrite
    (shared/openapi.py) keeps `example` only.
    """
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(EXAMPLES[code][0], []).append(code)
    return {
        status: {
            "model": Problem,
            "description": "\n".join(f"- `{c}`: {EXAMPLES[c][2]}" for c in status_codes),
            "content": {"application/problem+json": {"example": _example(status_codes[0])}},
        }
        for status, status_codes in by_status.items()
    }


AUTH = ("unauthorized",)
READ = (*AUTH, "registration_not_found", "validation_error")
STAFF_ACTION = (
    *AUTH,
    "staff_only",
    "registration_not_found",
    "invalid_transition",
    "validation_error",
)
