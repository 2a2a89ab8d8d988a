"""`POST /v1/token`: the OAuth2 client-credentials grant (RFC 6749 §4.4)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, Request
from pydantic import BaseModel, Field

from services.registration.api.addresses import client_address
from services.registration.api.deps import ClockDep, UoW
from services.registration.app.clients import check_secret
from services.registration.app.ports import SecretGuard
from services.registration.domain.errors import INVALID_CLIENT, UNSUPPORTED_GRANT_TYPE
from shared.auth import TokenIssuer
from shared.errors import ServiceError
from shared.openapi import problem_responses
from shared.problems import RATE_LIMITED, ProblemType
from shared.ratelimit import RateLimiter
from shared.text import SafeLine, clean_text

router = APIRouter(prefix="/v1", tags=["authentication"])


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…"])
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(examples=[900], description="Seconds until the token expires.")
    role: Literal["organisation", "staff"] = Field(examples=["organisation"])
    business_id: str | None = Field(default=None, examples=["2077474-0"])


def token_error(problem: ProblemType, detail: str, *, basic: bool = False) -> ServiceError:
    """An OAuth2 error (RFC 6749 §5.2), as problem details that also carry `error`."""
    headers = {"WWW-Authenticate": 'Basic realm="kanta"'} if basic else None
    return problem(detail, extra={"error": problem.code}, headers=headers)


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise token_error(
            INVALID_CLIENT, "The Basic credentials are not valid base64.", basic=True
        ) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise token_error(INVALID_CLIENT, "Basic credentials must be client_id:client_secret.")
    try:
        # The same text rules as the form fields: a NUL never reaches the database.
        return clean_text(client_id, line=True), clean_text(secret, line=True)
    except ValueError as exc:
        raise token_error(INVALID_CLIENT, f"The Basic credentials: {exc}.", basic=True) from None


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Get an access token (OAuth2 client credentials)",
    description=(
        "Send `grant_type=client_credentials` as `application/x-www-form-urlencoded`, with the "
        "client's credentials in HTTP Basic authentication or as `client_id` and "
        "`client_secret` form fields. The token is a signed JWT; send it as "
        "`Authorization: Bearer <token>` to every service."
    ),
    responses=problem_responses(UNSUPPORTED_GRANT_TYPE, INVALID_CLIENT, RATE_LIMITED),
)
async def issue_token(
    request: Request,
    uow: UoW,
    clock: ClockDep,
    grant_type: Annotated[SafeLine, Form(max_length=64, examples=["client_credentials"])],
    client_id: Annotated[SafeLine | None, Form(max_length=64)] = None,
    client_secret: Annotated[SafeLine | None, Form(max_length=200)] = None,
    scope: Annotated[SafeLine | None, Form(max_length=200)] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenResponse:
    basic = _basic_credentials(authorization)
    if basic is not None:
        client_id, client_secret = basic
    limiter: RateLimiter = request.app.state.rate_limiter
    address = client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        request.app.state.trusted_proxies,
    )
    limiter.hit("token_per_host", address)  # a flood from one place, whatever it sends
    if grant_type != "client_credentials":
        raise token_error(
            UNSUPPORTED_GRANT_TYPE,
            f"grant_type {grant_type!r} is not supported; use client_credentials.",
        )
    if not client_id or client_secret is None:
        raise token_error(
            INVALID_CLIENT, "Send client_id and client_secret (form fields or HTTP Basic)."
        )
    guard: SecretGuard = request.app.state.secret_guard
    identity = await check_secret(
        uow, client_id=client_id, secret=client_secret, address=address, guard=guard
    )
    if identity is None:
        raise token_error(
            INVALID_CLIENT,
            "The client id or secret is wrong, or the client is disabled.",
            basic=basic is not None,
        )
    # Tokens issued per client: counted only now, so wrong secrets never use them up.
    limiter.hit("token", identity.client_id)
    issuer: TokenIssuer = request.app.state.token_issuer
    return TokenResponse(
        access_token=issuer.issue(identity, now=clock.now().timestamp()),
        expires_in=issuer.ttl_s,
        role=identity.role,
        business_id=identity.business_id,
    )
