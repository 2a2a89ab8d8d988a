"""The services as real processes (uvicorn), for end-to-end, fuzzing and ledger tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support import eventually, free_port

SERVICES = ("registration", "scheduling", "notifications")
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Service:
    """One service process; `restart()` brings it back on the same port and database."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = field(default=0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        output = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                f"services.{self.name}.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                # The registration service resolves X-Forwarded-For itself, from the proxies
                # of FORWARDED_ALLOW_IPS only (uvicorn's default would trust loopback).
                "--no-proxy-headers",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        output.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    async def wait_ready(self, timeout: float = 30) -> None:
        async with httpx.AsyncClient(timeout=2) as client:

            async def ready() -> bool:
                assert self.process is not None and self.process.poll() is None, self.log.read_text(
                    errors="replace"
                )[-5000:]
                with contextlib.suppress(httpx.TransportError):
                    response = await client.get(f"{self.url}/readyz")
                    # Readiness no longer waits for the broker (#20 item 1); the tests do, so
                    # that every queue of the service is declared before they publish.
                    return response.status_code == 200 and response.json()["broker"] == "connected"
                return False

            await eventually(ready, timeout=timeout, interval=0.2, what=f"{self.name} ready")

    def log_records(self) -> list[dict[str, object]]:
        records = []
        for line in self.log.read_text(errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                records.append(json.loads(line))
        return records


def service_env(
    tmp_path: Path,
    bus_names: tuple[str, str],
    smtp_port: int,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    exchange, prefix = bus_names
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "EXCHANGE": exchange,
        "QUEUE_PREFIX": prefix,
        "QUEUE_EXPIRES_MS": str(15 * 60 * 1000),
        "LOG_JSON": "true",
        "OUTBOX_POLL_INTERVAL_S": "0.2",
        "RETRY_DEAD_LETTER_STRATEGY": "at-most-once",
        "MAIL_POLL_INTERVAL_S": "0.2",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        **{f"{name.upper()}_DATABASE_URL": f"sqlite:///{tmp_path / name}.db" for name in SERVICES},
    }
    env.pop("DATABASE_URL", None)
    env.update(extra or {})
    return env


@contextlib.asynccontextmanager
async def running_system(
    tmp_path: Path,
    bus_names: tuple[str, str],
    smtp_port: int,
    *,
    names: tuple[str, ...] = SERVICES,
    extra_env: Mapping[str, str] | None = None,
) -> AsyncIterator[dict[str, Service]]:
    """Start the services as processes, wait until each is ready, stop them afterwards."""
    env = service_env(tmp_path, bus_names, smtp_port, extra_env)
    services = {name: Service(name, free_port(), env, tmp_path / f"{name}.log") for name in names}
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            await service.wait_ready()
        yield services
    finally:
        for service in services.values():
            if service.process is not None and service.process.poll() is None:
                service.process.terminate()
        for service in services.values():
            service.stop()
