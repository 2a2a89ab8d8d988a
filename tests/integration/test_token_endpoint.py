"""`POST /v1/token` (OAuth2 client credentials) and the `onboarding` command, for real."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.registration.adapters.tables import ApiClient
from services.registration.main import create_app
from services.registration.settings import RegistrationSettings
from shared.auth import TokenVerifier
from tests.processes import running_system
from tests.support import free_port, running

ROOT = Path(__file__).resolve().parents[2]


def onboarding(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the console command as an operator would, against the given database."""
    env = {**os.environ, "REGISTRATION_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "services.registration.onboarding", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def staff_credentials(database_url: str) -> dict[str, str]:
    created = onboarding(database_url, "clients", "create", "--staff")
    assert created.returncode == 0, created.stderr
    credentials: dict[str, str] = json.loads(created.stdout)
    return credentials


@pytest.fixture
def settings(make_settings: Callable[..., Any]) -> RegistrationSettings:
    built: RegistrationSettings = make_settings(RegistrationSettings, rate_limit_token="5/minute")
    return built


@pytest.fixture
async def client(settings: RegistrationSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with running(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


async def test_onboarding_prints_credentials_that_get_a_token_for_the_organisation(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    created = onboarding(
        settings.database_url, "clients", "create", "--organisation", "2077474-0", "--name", "Org"
    )
    assert created.returncode == 0, created.stderr
    credentials = json.loads(created.stdout)
    assert set(credentials) == {"client_id", "client_secret"}

    response = await client.post(
        "/v1/token",
        data={"grant_type": "client_credentials", **credentials},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.token_ttl_s
    principal = await TokenVerifier(settings).verify(body["access_token"])
    assert principal.role == "organisation"
    assert principal.business_id == "2077474-0"
    assert principal.client_id == credentials["client_id"]


async def test_a_staff_client_authenticates_with_http_basic_and_its_secret_is_only_a_digest(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    credentials = staff_credentials(settings.database_url)
    basic = base64.b64encode(
        f"{credentials['client_id']}:{credentials['client_secret']}".encode()
    ).decode()
    response = await client.post(
        "/v1/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "staff"

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(select(ApiClient.__table__))).mappings().one()  # type: ignore[attr-defined]
    assert credentials["client_secret"] not in json.dumps({k: str(v) for k, v in row.items()})
    assert len(row["secret_sha256"]) == 64


async def test_wrong_secret_unknown_client_and_wrong_grant_are_refused(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    credentials = json.loads(
        onboarding(settings.database_url, "clients", "create", "--staff").stdout
    )
    wrong = await client.post(
        "/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": "not-it",
        },
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == wrong.json()["error"] == "invalid_client"
    unknown = await client.post(
        "/v1/token",
        data={"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    )
    assert unknown.status_code == 401
    grant = await client.post("/v1/token", data={"grant_type": "password", **credentials})
    assert grant.status_code == 400
    assert grant.json()["code"] == "unsupported_grant_type"
    missing = await client.post("/v1/token", data={})
    assert missing.status_code == 422
    assert missing.json()["field"] == "grant_type"


async def test_a_disabled_client_gets_no_more_tokens(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    credentials = json.loads(
        onboarding(settings.database_url, "clients", "create", "--staff").stdout
    )
    form = {"grant_type": "client_credentials", **credentials}
    assert (await client.post("/v1/token", data=form)).status_code == 200
    disabled = onboarding(settings.database_url, "clients", "disable", credentials["client_id"])
    assert disabled.returncode == 0, disabled.stderr
    assert (await client.post("/v1/token", data=form)).status_code == 401


async def test_wrong_secrets_for_one_client_from_one_address_are_limited_with_retry_after(
    make_settings: Callable[..., Any],
) -> None:
    # Issue 15.8 changed this: wrong secrets count apart from the tokens issued, per client
    # and address (RATE_LIMIT_TOKEN_FAILURES), no longer in the client's own token bucket.
    settings = make_settings(RegistrationSettings, rate_limit_token_failures="5/minute")
    form = {"grant_type": "client_credentials", "client_id": "guessing", "client_secret": "x"}
    async with running(create_app(settings)) as client:
        statuses = [(await client.post("/v1/token", data=form)).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        limited = await client.post("/v1/token", data=form)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["code"] == "rate_limited"
        other = {**form, "client_id": "someone-else"}
        assert (await client.post("/v1/token", data=other)).status_code == 401


async def test_thirty_wrong_secrets_a_minute_do_not_lock_the_client_out(
    make_settings: Callable[..., Any],
) -> None:
    """15.8: before, the per-client bucket was charged before the secret was checked, so 30
    wrong secrets a minute kept any known client (staff too) from getting a token."""
    settings = make_settings(RegistrationSettings, forwarded_allow_ips="127.0.0.1")
    credentials = staff_credentials(settings.database_url)
    wrong = {**credentials, "grant_type": "client_credentials", "client_secret": "not-it"}
    right = {**credentials, "grant_type": "client_credentials"}
    async with running(create_app(settings)) as client:
        # An attacker from one place, then from thirty places (one wrong secret each).
        attacker = {"X-Forwarded-For": "203.0.113.7"}
        from_one = [
            (await client.post("/v1/token", data=wrong, headers=attacker)).status_code
            for _ in range(30)
        ]
        assert set(from_one) == {401, 429} and from_one[:10] == [401] * 10
        for i in range(30):
            spread = {"X-Forwarded-For": f"198.51.100.{i + 1}"}
            assert (await client.post("/v1/token", data=wrong, headers=spread)).status_code == 401
        # The client itself, from its own address: its right secret still gets a token.
        own = {"X-Forwarded-For": "192.0.2.10"}
        response = await client.post("/v1/token", data=right, headers=own)
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "staff"
        # The attacker's place stays blocked, even for a guess that would be right.
        blocked = await client.post("/v1/token", data=right, headers=attacker)
        assert blocked.status_code == 429


async def test_tokens_issued_are_counted_per_client_apart_from_wrong_secrets(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    # RATE_LIMIT_TOKEN is 5/minute here: five tokens, then 429; wrong secrets used none of it.
    credentials = staff_credentials(settings.database_url)
    wrong = {**credentials, "grant_type": "client_credentials", "client_secret": "not-it"}
    right = {**credentials, "grant_type": "client_credentials"}
    assert [(await client.post("/v1/token", data=wrong)).status_code for _ in range(5)] == [401] * 5
    statuses = [(await client.post("/v1/token", data=right)).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


async def test_x_forwarded_for_is_believed_only_from_the_proxies_of_the_setting(
    make_settings: Callable[..., Any],
) -> None:
    """15.8: none trusted by default (loopback neither); FORWARDED_ALLOW_IPS names them."""

    async def statuses(settings: RegistrationSettings) -> list[int]:
        async with running(create_app(settings)) as client:  # the peer is 127.0.0.1
            return [
                (
                    await client.post(
                        "/v1/token",
                        data={
                            "grant_type": "client_credentials",
                            "client_id": f"guess-{i}",
                            "client_secret": "x",
                        },
                        headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
                    )
                ).status_code
                for i in range(4)
            ]

    limits = {"rate_limit_token_failures_per_host": "3/minute"}
    by_default = make_settings(RegistrationSettings, **limits)
    assert by_default.forwarded_allow_ips == ""
    assert await statuses(by_default) == [401, 401, 401, 429]  # all from 127.0.0.1
    trusting = make_settings(RegistrationSettings, forwarded_allow_ips="127.0.0.0/8", **limits)
    assert await statuses(trusting) == [401] * 4  # four addresses behind the proxy


async def test_the_real_process_does_not_trust_x_forwarded_for_from_loopback(
    tmp_path: Path, bus_names: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As served (uvicorn, whose own default trusts loopback): the setting alone decides."""
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    extra = {"RATE_LIMIT_TOKEN_FAILURES_PER_HOST": "3/minute"}
    async with (
        running_system(
            tmp_path, bus_names, free_port(), names=("registration",), extra_env=extra
        ) as services,
        httpx.AsyncClient(base_url=services["registration"].url) as client,
    ):
        statuses = [
            (
                await client.post(
                    "/v1/token",
                    data={
                        "grant_type": "client_credentials",
                        "client_id": f"guess-{i}",
                        "client_secret": "x",
                    },
                    headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
                )
            ).status_code
            for i in range(4)
        ]
    assert statuses == [401, 401, 401, 429]


def test_forwarded_allow_ips_refuses_what_is_not_an_address() -> None:
    with pytest.raises(ValueError, match="FORWARDED_ALLOW_IPS"):
        RegistrationSettings(forwarded_allow_ips="10.0.0.1, proxy.example")


async def test_guessing_many_client_ids_from_one_address_is_limited_too(
    make_settings: Callable[..., Any],
) -> None:
    settings = make_settings(RegistrationSettings, rate_limit_token_per_host="4/minute")
    async with running(create_app(settings)) as client:
        statuses = [
            (
                await client.post(
                    "/v1/token",
                    data={
                        "grant_type": "client_credentials",
                        "client_id": f"guess-{i}",
                        "client_secret": "x",
                    },
                )
            ).status_code
            for i in range(5)
        ]
    assert statuses == [401] * 4 + [429]


def test_onboarding_refuses_an_invalid_business_id(tmp_path: Path) -> None:
    result = onboarding(
        f"sqlite+aiosqlite:///{tmp_path / 'r.db'}",
        "clients",
        "create",
        "--organisation",
        "2077474-1",
    )
    assert result.returncode == 2
    assert "check digit" in result.stderr
    assert result.stdout == ""


# --- Issue 15.9: the onboarding command never rebinds a client -------------------------------


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_create_refuses_an_existing_id_and_changes_nothing(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    # Before: `create --client-id <existing> --staff` turned an organisation's client into a
    # staff client with a new secret.
    url = settings.database_url
    org = _json(onboarding(url, "clients", "create", "--organisation", "2077474-0"))
    again = onboarding(url, "clients", "create", "--staff", "--client-id", org["client_id"])
    assert again.returncode == 1
    assert "exists" in again.stderr and again.stdout == ""
    shown = _json(onboarding(url, "clients", "show", org["client_id"]))
    assert (shown["role"], shown["business_id"]) == ("organisation", "2077474-0")
    token = await client.post("/v1/token", data={"grant_type": "client_credentials", **org})
    assert token.status_code == 200, "the first secret still holds"
    assert token.json()["role"] == "organisation"


async def test_rotate_secret_changes_only_the_secret(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    url = settings.database_url
    org = _json(
        onboarding(url, "clients", "create", "--organisation", "2077474-0", "--name", "Org")
    )
    before = _json(onboarding(url, "clients", "show", org["client_id"]))
    rotated = _json(onboarding(url, "clients", "rotate-secret", org["client_id"]))
    assert rotated["client_id"] == org["client_id"]
    assert rotated["client_secret"] != org["client_secret"]
    assert _json(onboarding(url, "clients", "show", org["client_id"])) == before
    old = await client.post("/v1/token", data={"grant_type": "client_credentials", **org})
    assert old.status_code == 401
    new = await client.post("/v1/token", data={"grant_type": "client_credentials", **rotated})
    assert new.status_code == 200
    assert (new.json()["role"], new.json()["business_id"]) == ("organisation", "2077474-0")
    missing = onboarding(url, "clients", "rotate-secret", "nobody")
    assert (missing.returncode, missing.stdout) == (1, "")


def test_list_and_show_never_print_a_secret(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    staff = _json(onboarding(url, "clients", "create", "--staff", "--client-id", "staff-ops"))
    org = _json(onboarding(url, "clients", "create", "--organisation", "0204819-8"))
    listed = onboarding(url, "clients", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["client_id"] for r in rows] == sorted([staff["client_id"], org["client_id"]])
    assert {r["client_id"]: r["role"] for r in rows} == {
        "staff-ops": "staff",
        org["client_id"]: "organisation",
    }
    for secret in (staff["client_secret"], org["client_secret"]):
        assert secret not in listed.stdout
    shown = _json(onboarding(url, "clients", "show", "staff-ops"))
    assert set(shown) == {"client_id", "role", "business_id", "name", "created_at", "disabled_at"}
    assert onboarding(url, "clients", "show", "nobody").returncode == 1


async def test_disable_and_enable_are_explicit_and_create_does_not_re_enable(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    # Before: re-creating a disabled client re-enabled it.
    url = settings.database_url
    staff = _json(onboarding(url, "clients", "create", "--staff", "--client-id", "staff-x"))
    form = {"grant_type": "client_credentials", **staff}
    disabled = _json(onboarding(url, "clients", "disable", "staff-x"))
    assert disabled["disabled_at"] is not None
    assert (await client.post("/v1/token", data=form)).status_code == 401
    recreated = onboarding(url, "clients", "create", "--staff", "--client-id", "staff-x")
    assert recreated.returncode == 1
    assert _json(onboarding(url, "clients", "show", "staff-x"))["disabled_at"] is not None
    assert (await client.post("/v1/token", data=form)).status_code == 401
    enabled = _json(onboarding(url, "clients", "enable", "staff-x"))
    assert enabled["disabled_at"] is None
    assert (await client.post("/v1/token", data=form)).status_code == 200
    assert onboarding(url, "clients", "enable", "nobody").returncode == 1
