"""The scheduling service's problem codes, each with its status and documented example."""

from __future__ import annotations

from shared.problems import ProblemType

EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

PERIOD_NOT_FOUND = ProblemType("period_not_found", 404, f"No period {EXAMPLE_ID}.")
SESSION_NOT_FOUND = ProblemType("session_not_found", 404, f"No session {EXAMPLE_ID}.")
ENROLMENT_NOT_FOUND = ProblemType("enrolment_not_found", 404, f"No enrolment {EXAMPLE_ID}.")
# The registration service answers the same code; both define it alike (one catalogue).
REGISTRATION_NOT_FOUND = ProblemType(
    "registration_not_found", 404, f"No registration {EXAMPLE_ID}."
)
FEED_NOT_FOUND = ProblemType("feed_not_found", 404, "No such calendar feed.")

PERIOD_NUMBER_TAKEN = ProblemType(
    "period_number_taken", 409, "Period 1/2027 exists already.", field="number"
)
PERIOD_LIMIT_REACHED = ProblemType(
    "period_limit_reached", 409, "2027 has its 3 periods already.", field="year"
)
PERIOD_ALREADY_PUBLISHED = ProblemType(
    "period_already_published", 409, "Period 1/2027 is published already."
)
SESSION_CANCELLED = ProblemType("session_cancelled", 409, "A cancelled session cannot change.")
SESSION_NOT_OPEN = ProblemType(
    "session_not_open", 409, "The session is draft; participants join published sessions only."
)
ENROLMENT_CANCELLED = ProblemType("enrolment_cancelled", 409, "The enrolment is cancelled already.")
REGISTRATION_NOT_SEATED = ProblemType(
    "registration_not_seated",
    409,
    "Registration 3fa85f64-5717-4562-b3fc-2c963f66afa6 holds no seats in period 1/2027 "
    "(it is submitted, or for another period).",
)
# No default field: a move into the participant's own session names none.
ALREADY_ENROLLED = ProblemType(
    "already_enrolled", 409, "tekninen@example.fi is in this session already."
)

PERIOD_NUMBER_INVALID = ProblemType(
    "period_number_invalid", 422, "A year has periods 1 to 3; 4 is not one.", field="number"
)
PERIOD_YEAR_MISMATCH = ProblemType(
    "period_year_mismatch",
    422,
    "Period 1/2027 must start in 2027, not on 2026-12-28.",
    field="starts_on",
)
PERIOD_DATES_INVALID = ProblemType(
    "period_dates_invalid",
    422,
    "The period ends (2027-01-01) before it starts (2027-01-11).",
    field="ends_on",
)
REGISTRATION_WINDOW_INVALID = ProblemType(
    "registration_window_invalid",
    422,
    "Registration must close (2027-05-02) before the period ends (2027-04-30).",
    field="registration_closes_on",
)
PERIOD_OVERLAP = ProblemType(
    "period_overlap",
    422,
    "The period overlaps period 2/2027 (2027-05-03–2027-08-31).",
    field="starts_on",
)
PERIOD_ORDER = ProblemType(
    "period_order",
    422,
    "Periods are numbered in date order: period 2 starts on 2027-05-03, so period 3 cannot "
    "start on 2027-01-11.",
    field="number",
)
SESSION_TIME_INVALID = ProblemType(
    "session_time_invalid", 422, "The session must end after it starts.", field="ends_at"
)
SESSION_ON_HOLIDAY = ProblemType(
    "session_on_holiday",
    422,
    "2027-12-06 is a Independence Day in Finland; send `confirm_holiday: true` to schedule "
    "the session anyway.",
    field="starts_at",
)
SESSION_LOCATION_MISSING = ProblemType(
    "session_location_missing",
    422,
    "Give the session an `online_url` or a `place`.",
    field="online_url",
)
CAPACITY_BELOW_CONFIRMED = ProblemType(
    "capacity_below_confirmed",
    422,
    "12 participants hold a seat; the capacity cannot go below that (cancel enrolments first).",
    field="capacity",
)
SESSION_OUTSIDE_PERIOD = ProblemType(
    "session_outside_period",
    422,
    "The session (2027-05-03) lies outside period 1/2027 (2027-01-11–2027-04-30).",
    field="starts_at",
)
DATE_OUT_OF_RANGE = ProblemType(
    "date_out_of_range",
    422,
    "9999-12-31 is outside the dates this service takes (2000-01-01–2100-12-31).",
    field="starts_at",
)
PERIOD_WITHOUT_PREPARATION = ProblemType(
    "period_without_preparation",
    409,
    "Period 1/2027 has no preparation event; add one before publishing (R2).",
)
FEED_CONTACT_UNKNOWN = ProblemType(
    "feed_contact_unknown",
    404,
    f"tekninen@example.fi is not a participating contact of registration {EXAMPLE_ID}.",
    field="email",
)
