"""The project's exception tree, and its translation to RFC 9457 problem details.

ServiceError                 a request could not be served; carries `code` and `status`
├── Unauthorized             401: no token, or a token that does not verify
├── Forbidden                403: the caller's role may not use this route
├── NotFound                 404: missing, or not the caller's to see
├── Conflict                 409
├── RuleViolation            422: a domain rule refused the input
└── TooManyRequests          429: a rate limit; carries Retry-After
MessagingError               a broker-side failure (not an HTTP concern)
└── MalformedMessage         a message that is not a valid envelope: dead-letter it
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of errors that become problem details; subclasses fix status and a default code."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.field = field
        self.extra = extra or {}
        self.headers = headers or {}


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
    title = "Unauthorized"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        # RFC 6750 §3: no `error` when no token was sent; `invalid_token` when one was bad.
        challenge = 'Bearer realm="kanta"'
        if code is not None and code != "unauthorized":
            challenge += ', error="invalid_token"'
        super().__init__(detail, code=code, headers={"WWW-Authenticate": challenge})


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    title = "Conflict"


class RuleViolation(ServiceError):
    status = 422
    code = "rule_violation"
    title = "Unprocessable content"


class TooManyRequests(ServiceError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(
            detail,
            extra={"retry_after": retry_after_s},
            headers={"Retry-After": str(retry_after_s)},
        )


class MessagingError(Exception):
    """Base of broker-side failures."""


class MalformedMessage(MessagingError):
    """The message cannot be read as an event envelope; it goes to the dead-letter queue."""
