"""The shared token verifier: signature, issuer, audience, lifetime, role; key, PEM or JWKS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi import FastAPI

from shared.auth import Caller, Principal, StaffCaller, TokenIssuer, TokenVerifier
from shared.clock import SystemClock
from shared.errors import Unauthorized
from shared.http import install_error_handlers
from shared.settings import ServiceSettings

pytestmark = pytest.mark.asyncio


class Settings(ServiceSettings):
    service_name: str = "test"
    database_url: str = "sqlite+aiosqlite:///:memory:"


ORG = Principal(client_id="org-1", role="organisation", business_id="2077474-0")
STAFF = Principal(client_id="staff-1", role="staff")


async def test_a_token_round_trips_to_the_same_principal() -> None:
    settings = Settings()
    token = TokenIssuer(settings, ttl_s=60).issue(ORG)
    assert await TokenVerifier(settings).verify(token) == ORG


@pytest.mark.parametrize(
    ("issuer_overrides", "code"),
    [
        ({"auth_secret": "another-key-of-someone-else-entirely-32b"}, "invalid_token"),
        ({"auth_issuer": "someone-else"}, "invalid_token"),
        ({"auth_audience": "another-api"}, "invalid_token"),
    ],
)
async def test_a_token_from_another_key_issuer_or_audience_is_refused(
    issuer_overrides: dict[str, Any], code: str
) -> None:
    token = TokenIssuer(Settings(**issuer_overrides), ttl_s=60).issue(STAFF)
    with pytest.raises(Unauthorized) as caught:
        await TokenVerifier(Settings()).verify(token)
    assert caught.value.code == code


async def test_an_expired_token_is_refused_after_the_leeway() -> None:
    settings = Settings(auth_leeway_s=5)
    issued = SystemClock().now().timestamp() - 120
    token = TokenIssuer(settings, ttl_s=60).issue(STAFF, now=issued)
    with pytest.raises(Unauthorized) as caught:
        await TokenVerifier(settings).verify(token)
    assert caught.value.code == "token_expired"
    within_leeway = TokenIssuer(settings, ttl_s=117).issue(STAFF, now=issued)
    assert await TokenVerifier(settings).verify(within_leeway) == STAFF


async def test_an_organisation_token_without_business_id_or_an_unknown_role_is_refused() -> None:
    settings = Settings()
    key = settings.auth_secret.get_secret_value()
    base = {"iss": "kanta-deployments", "aud": "kanta-deployments", "sub": "x"}
    now = int(SystemClock().now().timestamp())
    for claims in ({"role": "organisation"}, {"role": "admin"}, {}):
        token = jwt.encode({**base, **claims, "iat": now, "exp": now + 60}, key, "HS256")
        with pytest.raises(Unauthorized):
            await TokenVerifier(settings).verify(token)


async def test_garbage_and_alg_none_are_refused() -> None:
    settings = Settings()
    unsigned = jwt.encode(
        {"iss": "kanta-deployments", "aud": "kanta-deployments", "sub": "x", "role": "staff"},
        None,  # type: ignore[arg-type]  # alg "none" takes no key
        algorithm="none",
    )
    for token in ("not-a-jwt", unsigned):
        with pytest.raises(Unauthorized):
            await TokenVerifier(settings).verify(token)


def _ed25519_pems() -> tuple[str, str]:
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


async def test_an_asymmetric_issuer_is_verified_with_its_public_key_only() -> None:
    private, public = _ed25519_pems()
    signing = Settings(auth_algorithm="EdDSA", auth_private_key=private, auth_public_key=public)
    issuer = TokenIssuer(signing, ttl_s=60)
    verifier = TokenVerifier(Settings(auth_algorithm="EdDSA", auth_public_key=public))
    assert await verifier.verify(issuer.issue(ORG)) == ORG
    _, other_public = _ed25519_pems()
    with pytest.raises(Unauthorized):
        await TokenVerifier(Settings(auth_algorithm="EdDSA", auth_public_key=other_public)).verify(
            issuer.issue(ORG)
        )


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, str]]:
    """A real HTTP server on loopback serving a JWKS, as an identity provider would."""
    private, public = _ed25519_pems()
    public_key = serialization.load_pem_public_key(public.encode())
    assert isinstance(public_key, ed25519.Ed25519PublicKey)
    jwk: dict[str, Any] = jwt.algorithms.OKPAlgorithm.to_jwk(public_key, as_dict=True)
    jwk.update({"kid": "key-1", "use": "sig", "alg": "EdDSA"})
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", private
    finally:
        server.shutdown()


async def test_a_jwks_url_lets_an_identity_provider_replace_our_issuer(
    jwks_server: tuple[str, str],
) -> None:
    url, private = jwks_server
    now = int(SystemClock().now().timestamp())
    claims = {
        "iss": "kanta-deployments",
        "aud": "kanta-deployments",
        "sub": "idp-client",
        "role": "staff",
        "iat": now,
        "exp": now + 60,
    }
    token = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": "key-1"})
    verifier = TokenVerifier(Settings(auth_algorithm="EdDSA", auth_jwks_url=url))
    assert (await verifier.verify(token)).client_id == "idp-client"
    unknown_kid = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": "key-2"})
    with pytest.raises(Unauthorized):
        await verifier.verify(unknown_kid)


async def test_routes_answer_401_without_a_token_and_403_to_the_wrong_role() -> None:
    settings = Settings()
    app = FastAPI()
    app.state.token_verifier = TokenVerifier(settings)
    install_error_handlers(app)

    @app.get("/anyone")
    async def anyone(caller: Caller) -> dict[str, str]:
        return {"role": caller.role}

    @app.get("/staff")
    async def staff(caller: StaffCaller) -> dict[str, str]:
        return {"role": caller.role}

    issuer = TokenIssuer(settings, ttl_s=60)
    org = {"Authorization": f"Bearer {issuer.issue(ORG)}"}
    staff_header = {"Authorization": f"Bearer {issuer.issue(STAFF)}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.get("/anyone")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == 'Bearer realm="kanta"'
        assert missing.json()["code"] == "unauthorized"
        bad = await client.get("/anyone", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert 'error="invalid_token"' in bad.headers["www-authenticate"]
        assert (await client.get("/anyone", headers=org)).json() == {"role": "organisation"}
        forbidden = await client.get("/staff", headers=org)
        assert forbidden.status_code == 403
        assert forbidden.json()["code"] == "staff_only"
        assert (await client.get("/staff", headers=staff_header)).status_code == 200


async def test_production_refuses_the_development_signing_key() -> None:
    with pytest.raises(ValueError, match="AUTH_SECRET is the development key"):
        Settings(environment="production", amqp_url="amqp://app:pw@mq:5672/")
    Settings(
        environment="production",
        amqp_url="amqp://app:pw@mq:5672/",
        auth_secret="a-real-secret-from-the-vault-0123456789",
    )


async def test_an_empty_jwks_url_or_public_key_counts_as_unset() -> None:
    production: dict[str, Any] = {
        "environment": "production",
        "amqp_url": "amqp://app:pw@mq:5672/",
    }
    for blank in ({"auth_jwks_url": ""}, {"auth_public_key": "  "}):
        with pytest.raises(ValueError, match="AUTH_SECRET is the development key"):
            Settings.model_validate({**production, **blank})


async def test_an_asymmetric_algorithm_needs_a_key_to_verify_with() -> None:
    with pytest.raises(ValueError, match="needs AUTH_PUBLIC_KEY or AUTH_JWKS_URL"):
        Settings(auth_algorithm="EdDSA")
