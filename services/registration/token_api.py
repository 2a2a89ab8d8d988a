"""`POST /v1/token`: the OAuth2 client-credentials grant (RFC 6749 §4.4)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, Request
from pydantic import BaseModel, Field

from services.registration.clients import authenticate
from shared.app import UoW
from shared.auth import TokenIssuer
from shared.errors import ServiceError
from shared.http import Problem
from shared.ratelimit import RateLimiter

router = APIRouter(prefix="/v1", tags=["authentication"])


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…"])
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(examples=[900], description="Seconds until the token expires.")
    role: Literal["organisation", "staff"] = Field(examples=["organisation"])
    business_id: str | None = Field(default=None, examples=["2077474-0"])


class TokenError(ServiceError):
    """An OAuth2 error (RFC 6749 §5.2), as problem details that also carry `error`."""

    status = 400
    title = "Token request refused"

    def __init__(self, error: str, detail: str, *, status: int = 400, basic: bool = False) -> None:
        headers = {"WWW-Authenticate": 'Basic realm="kanta"'} if basic else None
        super().__init__(detail, code=error, extra={"error": error}, headers=headers)
        self.status = status


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise TokenError(
            "invalid_client", "The Basic credentials are not valid base64.", status=401, basic=True
        ) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise TokenError(
            "invalid_client", "Basic credentials must be client_id:client_secret.", status=401
        )
    return client_id, secret


def _problem(code: str, status: int, detail: str) -> dict[str, object]:
    return {
        "model": Problem,
        "description": detail,
        "content": {
            "application/problem+json": {
                "example": {
                    "type": f"https://kanta.example/problems/{code}",
                    "title": "Token request refused",
                    "status": status,
                    "code": code,
                    "error": code,
                    "detail": detail,
                }
            }
        },
    }


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
    responses={
        400: _problem("unsupported_grant_type", 400, "Only client_credentials is supported."),
        401: _problem("invalid_client", 401, "The client id or secret is wrong."),
        429: _problem("rate_limited", 429, "Too many token requests; retry later."),
    },
)
async def issue_token(
    request: Request,
    uow: UoW,
    grant_type: Annotated[str, Form(examples=["client_credentials"])],
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[str | None, Form(max_length=200)] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenResponse:
    basic = _basic_credentials(authorization)
    if basic is not None:
        client_id, client_secret = basic
    limiter: RateLimiter = request.app.state.rate_limiter
    client_host = request.client.host if request.client else "unknown"
    limiter.hit("token_per_host", client_host)  # guessing many client ids from one place
    limiter.hit("token", client_id or f"host:{client_host}")
    if grant_type != "client_credentials":
        raise TokenError(
            "unsupported_grant_type",
            f"grant_type {grant_type!r} is not supported; use client_credentials.",
        )
    if not client_id or client_secret is None:
        raise TokenError(
            "invalid_client",
            "Send client_id and client_secret (form fields or HTTP Basic).",
            status=401,
        )
    async with uow:
        principal = await authenticate(uow.session, client_id, client_secret)
    if principal is None:
        raise TokenError(
            "invalid_client",
            "The client id or secret is wrong, or the client is disabled.",
            status=401,
            basic=basic is not None,
        )
    issuer: TokenIssuer = request.app.state.token_issuer
    return TokenResponse(
        access_token=issuer.issue(principal),
        expires_in=issuer.ttl_s,
        role=principal.role,
        business_id=principal.business_id,
    )
