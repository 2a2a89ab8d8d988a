"""The notifications service's problem codes: each written once, with status and example."""

from __future__ import annotations

from shared.problems import ProblemType

EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

DELIVERY_NOT_FOUND = ProblemType(
    "delivery_not_found",
    404,
    f"No delivery {EXAMPLE_ID}.",
)
SUPPRESSION_NOT_FOUND = ProblemType(
    "suppression_not_found",
    404,
    "maija@example.fi is not on the suppression list.",
)
ADDRESS_SUPPRESSED = ProblemType(
    "address_suppressed",
    409,
    "ei.ole@example.fi is on the suppression list; lift the suppression "
    "(DELETE /v1/suppressions/{email}) before resending.",
    field="recipient",
)
MAIL_TRANSITION_FORBIDDEN = ProblemType(
    "mail_transition_forbidden",
    409,
    "A mail in status `sent` cannot become `retrying`. `sent` is final.",
)
