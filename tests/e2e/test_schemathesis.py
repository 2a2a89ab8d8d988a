"""Schemathesis against each service's OpenAPI on PostgreSQL, as staff and as an organisation.

Every operation is fuzzed from its schema in all phases (examples, coverage, fuzzing,
stateful); the run must find no server error and no response that breaks the documented
schema, and no route may answer without its token. Each service runs on a PostgreSQL database
of its own (#15: the probe that found the NUL 503s ran there). The summary of each run is
printed in the test output.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from services.registration.settings import RegistrationSettings
from shared.auth import Role
from tests.integration.registration_support import ORG_A
from tests.processes import SERVICES, running_system
from tests.support import bearer

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]

CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
    "ignored_auth",
)


KNOWN_INTERNAL_ERROR = "AST constructor recursion depth mismatch"


async def schemathesis(url: str, token: str, report_dir: Path) -> tuple[int, str]:
    """One schemathesis run of every phase: its return code and its output."""
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "st"),
        "run",
        url,
        "--header",
        f"Authorization: {token}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        "15",
        "--seed",
        "20270111",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--workers",
        "2",
        "--no-color",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        "--report-dir",
        str(report_dir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=report_dir.parent,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=900)
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


@pytest.mark.timeout(1900)
@pytest.mark.parametrize("role", ["staff", "organisation"])
@pytest.mark.parametrize("service", SERVICES)
async def test_fuzzing_finds_no_server_error_no_schema_break_and_no_ignored_auth(
    service: str,
    role: Role,
    tmp_path: Path,
    bus_names: tuple[str, str],
    smtp: tuple[str, int, object],
    pg_databases: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, smtp_port, _ = smtp
    env = {
        "RATE_LIMIT_WRITES": "1000000/minute",
        "RATE_LIMIT_TOKEN": "1000000/minute",
        "RATE_LIMIT_TOKEN_PER_HOST": "1000000/minute",
        f"{service.upper()}_DATABASE_URL": await pg_databases.create(f"st_{service[:5]}"),
    }
    async with running_system(
        tmp_path, bus_names, smtp_port, names=(service,), extra_env=env
    ) as services:
        settings = RegistrationSettings(environment="test")
        business_id = ORG_A if role == "organisation" else None
        token = bearer(settings, role, business_id)["Authorization"]
        url = f"{services[service].url}/openapi.json"
        returncode, text = await schemathesis(url, token, tmp_path / "schemathesis-1")
        if returncode != 0 and KNOWN_INTERNAL_ERROR in text and "Server error" not in text:
            # Schemathesis's own generator (hypothesis describing a lambda in the coverage
            # phase) trips a CPython 3.11.7 bug now and then: a traceback inside the tool,
            # not a finding about the API. Run once more; a second failure fails the test.
            returncode, text = await schemathesis(url, token, tmp_path / "schemathesis-2")
    summary = text[text.rfind("SUMMARY") :] if "SUMMARY" in text else text[-3000:]
    with capsys.disabled():
        print(f"\n--- schemathesis: {service} as {role} (PostgreSQL) ---\n{summary.strip()}\n")
    assert returncode == 0, text[-8000:]
