"""The error catalogue: each problem code written once, with its status, title and example.

A service lists its own codes in `domain/errors.py`; the codes any service can answer are
here. The raise site calls the entry (`raise DUPLICATE_REGISTRATION("…")`), and the OpenAPI
examples are built from the same entries (`shared.openapi.problem_responses`), so a code,
its status and its documented sentence cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    ServiceError,
)

_CATALOGUE: dict[str, ProblemType] = {}

_CLASSES: dict[int, type[ServiceError]] = {
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: RuleViolation,
}


@dataclass(frozen=True)
class ProblemType:
    """One problem code: its HTTP status, title, and an example sentence for the docs."""

    code: str
    status: int
    example: str
    field: str | None = None
    title: str = ""

    def __post_init__(self) -> None:
        if not self.title:
            object.__setattr__(self, "title", _status_title(self.status))
        known = _CATALOGUE.get(self.code)
        # Two services may each document a code (with their own example), never give it
        # another status or title: a client reads the code the same everywhere.
        if known is not None and (known.status, known.title) != (self.status, self.title):
            raise ValueError(f"problem code {self.code!r} has two statuses or titles")
        _CATALOGUE.setdefault(self.code, self)

    def __call__(
        self,
        detail: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ServiceError:
        """The exception to raise; `field` defaults to the catalogue's."""
        cls = _CLASSES.get(self.status, ServiceError)
        error = cls(detail, code=self.code, field=field or self.field, extra=extra, headers=headers)
        error.status, error.title = self.status, self.title
        return error


def catalogue() -> dict[str, ProblemType]:
    """Every problem code defined so far (import the services' `domain.errors` first)."""
    return dict(_CATALOGUE)


def _status_title(status: int) -> str:
    if status == 422:
        return "Unprocessable content"
    return HTTPStatus(status).phrase


# The codes every service can answer.
UNAUTHORIZED = ProblemType(
    "unauthorized",
    401,
    "This route needs an access token: send `Authorization: Bearer <token>`.",
)
STAFF_ONLY = ProblemType("staff_only", 403, "Only Kela staff may use this route.")
ORGANISATION_ONLY = ProblemType(
    "organisation_only", 403, "Only an organisation may use this route."
)
VALIDATION_ERROR = ProblemType(
    "validation_error",
    422,
    "The request has 1 invalid field: organisation.business_id: Value error, 2077474-1 is "
    "not a valid business ID (Y-tunnus): check digit is wrong",
    field="organisation.business_id",
)
INVALID_CURSOR = ProblemType(
    "invalid_cursor",
    422,
    "The cursor is not one this API gave out; start again without it.",
    field="cursor",
)
RATE_LIMITED = ProblemType(
    "rate_limited", 429, "Too many requests from this client; try again in 12 seconds."
)
STORAGE_UNAVAILABLE = ProblemType(
    "storage_unavailable",
    503,
    "The database could not complete the request; nothing was saved. Try again in a moment.",
)
INTERNAL_ERROR = ProblemType(
    "internal_error",
    500,
    "Something went wrong on our side; nothing was saved. Quote the correlation id.",
    title="Internal error",
)
