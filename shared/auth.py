"""Who is calling: OAuth2 bearer tokens (JWT) issued by the registration service.

Every service verifies tokens itself with `TokenVerifier` (no call to the issuer): with the
shared secret (HS*), with the issuer's public key, or with a JWKS URL so that a real identity
provider can replace our issuer. Routes declare what they need with the `Caller` and
`StaffCaller` dependencies; an organisation is bound to one business ID.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool

from shared.clock import Clock, SystemClock
from shared.errors import Forbidden, Unauthorized
from shared.ratelimit import WRITE_METHODS, RateLimiter
from shared.settings import ServiceSettings

Role = Literal["organisation", "staff"]


class Principal(BaseModel):
    """The authenticated caller."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str
    role: Role
    business_id: str | None = None
    name: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    def may_see(self, business_id: str) -> bool:
        """Staff see everything; an organisation only what carries its own business ID."""
        return self.is_staff or self.business_id == business_id


class TokenIssuer:
    """Signs access tokens (used by the registration service's `POST /v1/token`)."""

    def __init__(
        self, settings: ServiceSettings, *, ttl_s: int, clock: Clock | None = None
    ) -> None:
        self._settings = settings
        self.ttl_s = ttl_s
        self._clock = clock or SystemClock()
        if settings.auth_algorithm.startswith("HS"):
            self._key: Any = settings.auth_secret.get_secret_value()
        elif settings.auth_private_key is not None:
            self._key = settings.auth_private_key.get_secret_value()
        else:
            raise ValueError(f"AUTH_PRIVATE_KEY is needed to sign {settings.auth_algorithm}")

    def issue(self, principal: Principal, *, now: float | None = None) -> str:
        issued = int(now if now is not None else self._clock.now().timestamp())
        claims: dict[str, Any] = {
            "iss": self._settings.auth_issuer,
            "aud": self._settings.auth_audience,
            "sub": principal.client_id,
            "role": principal.role,
            "iat": issued,
            "nbf": issued,
            "exp": issued + self.ttl_s,
            "jti": uuid.uuid4().hex,
        }
        if principal.business_id is not None:
            claims["business_id"] = principal.business_id
        if principal.name is not None:
            claims["name"] = principal.name
        return jwt.encode(claims, self._key, algorithm=self._settings.auth_algorithm)


class TokenVerifier:
    """Checks signature, issuer, audience and lifetime, and returns the Principal."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = (
            jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=True, lifespan=300)
            if settings.auth_jwks_url
            else None
        )
        if settings.auth_public_key is not None:
            self._key: Any = settings.auth_public_key
        else:
            self._key = settings.auth_secret.get_secret_value()

    async def _key_for(self, token: str) -> Any:
        if self._jwks is None:
            return self._key
        try:
            signing_key = await run_in_threadpool(self._jwks.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientError as exc:
            raise Unauthorized(f"The token's signing key cannot be found: {exc}.") from None
        except jwt.PyJWTError:
            raise Unauthorized("The access token is malformed.", code="invalid_token") from None
        return signing_key.key

    async def verify(self, token: str) -> Principal:
        key = await self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self._settings.auth_algorithm],
                audience=self._settings.auth_audience,
                issuer=self._settings.auth_issuer,
                leeway=self._settings.auth_leeway_s,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized(
                "The access token has expired; ask for a new one.", code="token_expired"
            ) from None
        except (jwt.PyJWTError, ValueError):  # ValueError: a key PyJWT cannot load
            raise Unauthorized(
                "The access token is not valid here (signature, issuer or audience).",
                code="invalid_token",
            ) from None
        try:
            principal = Principal(
                client_id=claims["sub"],
                role=claims.get("role"),
                business_id=claims.get("business_id"),
                name=claims.get("name"),
            )
        except ValidationError:
            raise Unauthorized(
                "The access token carries no valid role.", code="invalid_token"
            ) from None
        if principal.role == "organisation" and not principal.business_id:
            raise Unauthorized(
                "An organisation token must carry its business ID.", code="invalid_token"
            )
        return principal


_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from `POST /v1/token` on the registration service "
    "(OAuth2 client credentials).",
)


async def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            "This route needs an access token: send `Authorization: Bearer <token>`.",
            code="unauthorized",
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(credentials.credentials)
    request.state.principal = principal
    if request.method in WRITE_METHODS:
        limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
        if limiter is not None:
            limiter.hit("writes", principal.client_id)
    return principal


Caller = Annotated[Principal, Depends(_caller)]
"""A route parameter of this type requires a valid token of any role."""


async def _staff_caller(principal: Caller) -> Principal:
    if not principal.is_staff:
        raise Forbidden("Only Kela staff may use this route.", code="staff_only")
    return principal


StaffCaller = Annotated[Principal, Depends(_staff_caller)]
"""A route parameter of this type requires a staff token (403 `staff_only` otherwise)."""


async def _organisation_caller(principal: Caller) -> Principal:
    if principal.role != "organisation":
        raise Forbidden("Only an organisation may use this route.", code="organisation_only")
    return principal


OrganisationCaller = Annotated[Principal, Depends(_organisation_caller)]
"""A route parameter of this type requires an organisation token (403 otherwise)."""
