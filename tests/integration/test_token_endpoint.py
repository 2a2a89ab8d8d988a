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
from tests.support import running

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


async def test_the_token_endpoint_is_rate_limited_per_client_with_retry_after(
    settings: RegistrationSettings, client: httpx.AsyncClient
) -> None:
    form = {"grant_type": "client_credentials", "client_id": "guessing", "client_secret": "x"}
    statuses = [(await client.post("/v1/token", data=form)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    limited = await client.post("/v1/token", data=form)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["code"] == "rate_limited"
    other = {**form, "client_id": "someone-else"}
    assert (await client.post("/v1/token", data=other)).status_code == 401


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
