"""Schemathesis against each service's OpenAPI, authenticated as staff, with `ignored_auth`.

Every operation is fuzzed from its schema; the run must find no server error and no response
that breaks the documented schema, and no route may answer without its token. The summary
of each run is printed in the test output.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from services.registration.settings import RegistrationSettings
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


@pytest.mark.parametrize("service", SERVICES)
async def test_fuzzing_finds_no_server_error_no_schema_break_and_no_ignored_auth(
    service: str,
    tmp_path: Path,
    bus_names: tuple[str, str],
    smtp: tuple[str, int, object],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, smtp_port, _ = smtp
    limits = {"RATE_LIMIT_WRITES": "1000000/minute", "RATE_LIMIT_TOKEN": "1000000/minute"}
    async with running_system(
        tmp_path, bus_names, smtp_port, names=(service,), extra_env=limits
    ) as services:
        token = bearer(RegistrationSettings(environment="test"), "staff")["Authorization"]
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "st"),
            "run",
            f"{services[service].url}/openapi.json",
            "--header",
            f"Authorization: {token}",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            "15",
            "--seed",
            "20270111",
            # The coverage phase trips over an internal error of schemathesis on some of our
            # schemas (a traceback inside its generator, not a finding); the others run.
            "--phases",
            "examples,fuzzing,stateful",
            "--workers",
            "2",
            "--no-color",
            "--suppress-health-check",
            "all",
            "--generation-database",
            "none",
            "--report-dir",
            str(tmp_path / "schemathesis"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=400)
    text = output.decode(errors="replace")
    summary = text[text.rfind("SUMMARY") :] if "SUMMARY" in text else text[-3000:]
    with capsys.disabled():
        print(f"\n--- schemathesis: {service} ---\n{summary.strip()}\n")
    assert process.returncode == 0, text[-8000:]
