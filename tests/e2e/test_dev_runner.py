"""`make run`'s supervisor (deploy/run_local.py) as a process: start, serve, stop, fail loudly."""

from __future__ import annotations

import json
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support import AMQP_URL, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "deploy" / "run_local.py"
SERVICES = ("registration", "scheduling", "notifications", "webhooks")
# Variables of the runner and the services that must come from the test, not the caller's shell.
SCRUBBED = re.compile(
    r"^(DATABASE_URL|\w+_DATABASE_URL|\w+_PORT|SMTP_\w+|MAIL_\w+|VAR_DIR|RUN_SERVICES|EXCHANGE"
    r"|QUEUE_\w+|AMQP_URL|ENVIRONMENT|LOG_\w+|MIGRATE_ON_STARTUP|\w+_TIMEOUT_S)$"
)


@dataclass
class Runner:
    proc: subprocess.Popen[bytes]
    log: Path
    ports: dict[str, int]
    smtp_port: int
    var_dir: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def pids(self) -> dict[str, int]:
        return {m[0]: int(m[1]) for m in re.findall(r"started (\S+) \(pid (\d+)\)", self.output())}

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        pending = dict(self.ports)
        while pending:
            if self.proc.poll() is not None:
                pytest.fail(f"runner exited with {self.proc.returncode}:\n{self.output()}")
            for name, port in list(pending.items()):
                if get(port, "/readyz")[0] == 200:
                    del pending[name]
            if time.monotonic() > deadline:
                pytest.fail(f"not ready after {timeout}s: {sorted(pending)}\n{self.output()}")
            time.sleep(0.2)
        # The banner follows the last /readyz by a moment.
        while "Ctrl+C stops everything" not in self.output() and time.monotonic() < deadline:
            time.sleep(0.1)

    def wait_exit(self, timeout: float = 40) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"runner did not exit within {timeout}s:\n{self.output()}")


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def runner_env(tmp_path: Path, run: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not SCRUBBED.match(k)}
    var_dir = tmp_path / "var"
    env.update(
        AMQP_URL=AMQP_URL,
        EXCHANGE=f"{run}.events",
        QUEUE_PREFIX=run,
        QUEUE_EXPIRES_MS="600000",
        RETRY_DEAD_LETTER_STRATEGY="at-most-once",
        VAR_DIR=str(var_dir),
        REGISTRATION_DATABASE_URL=f"sqlite:///{var_dir / 'registration.db'}",
        SCHEDULING_DATABASE_URL=f"sqlite:///{var_dir / 'scheduling.db'}",
        NOTIFICATIONS_DATABASE_URL=f"sqlite:///{var_dir / 'notifications.db'}",
        WEBHOOKS_DATABASE_URL=f"sqlite:///{var_dir / 'webhooks.db'}",
        READY_TIMEOUT_S="60",
        BROKER_TIMEOUT_S="15",
        NO_COLOR="1",
    )
    env.update(extra)
    return env


@pytest.fixture
def run_name(bus_names: tuple[str, str]) -> str:
    """This test's queue prefix; its exchange is `<prefix>.events` (both deleted afterwards)."""
    exchange, prefix = bus_names
    assert exchange == f"{prefix}.events"
    return prefix


@pytest.fixture
def start_runner(tmp_path: Path, run_name: str) -> Iterator[Callable[..., Runner]]:
    started: list[Runner] = []

    def start(services: tuple[str, ...] = SERVICES) -> Runner:
        ports = {name: free_port() for name in services}
        smtp_port = free_port()
        env = runner_env(
            tmp_path,
            run_name,
            RUN_SERVICES=",".join(services),
            SMTP_SINK_PORT=str(smtp_port),
            **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()},
        )
        log = tmp_path / f"runner-{len(started)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, str(RUNNER)],
                cwd=tmp_path,  # no .env of a developer's checkout for the runner itself
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        runner = Runner(proc, log, ports, smtp_port, Path(env["VAR_DIR"]))
        started.append(runner)
        return runner

    yield start
    for runner in started:  # a failed test must not leave the runner (and its children) behind
        if runner.proc.poll() is None:
            runner.proc.send_signal(signal.SIGTERM)
            try:
                runner.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                runner.proc.kill()
                runner.proc.wait()


def test_runs_every_service_and_stops_them_on_sigterm(
    start_runner: Callable[..., Runner],
) -> None:
    runner: Runner = start_runner()
    runner.wait_ready()

    for name, port in runner.ports.items():
        assert get(port, "/healthz")[0] == 200, name
        status, body = get(port, "/docs")
        assert status == 200 and "swagger" in body.lower(), name
        assert f"http://127.0.0.1:{port}/docs" in runner.output()
    assert (runner.var_dir / "registration.db").exists()

    # The SMTP sink keeps what it is sent under var/mail.
    message = EmailMessage()
    message["From"] = "sender@kanta.example"
    message["To"] = "someone@kanta.example"
    message["Subject"] = "Testiviesti"
    message.set_content("hei")
    with smtplib.SMTP("127.0.0.1", runner.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)
    saved = list((runner.var_dir / "mail").glob("*.eml"))
    assert len(saved) == 1 and b"Subject: Testiviesti" in saved[0].read_bytes()

    # The demo clients it prints get tokens of their roles.
    for label, role in (("staff", "staff"), ("organisation", "organisation")):
        found = re.search(
            rf"^\s*{label}\s+client_id=(\S+)\s+client_secret=(\S+)$", runner.output(), re.M
        )
        assert found, runner.output()
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": found[1],
                "client_secret": found[2],
            }
        ).encode()
        url = f"http://127.0.0.1:{runner.ports['registration']}/v1/token"
        with urllib.request.urlopen(url, data=form, timeout=5) as response:
            assert json.loads(response.read())["role"] == role

    pids = runner.pids()
    assert set(pids) == {*SERVICES, "smtp-sink"}, runner.output()
    runner.proc.send_signal(signal.SIGTERM)
    assert runner.wait_exit() == 0, runner.output()
    assert not [name for name, pid in pids.items() if alive(pid)], runner.output()
    assert not [port for port in [*runner.ports.values(), runner.smtp_port] if listening(port)]
    assert "Application shutdown complete" in runner.output()


def test_a_dying_child_stops_the_rest(start_runner: Callable[..., Runner]) -> None:
    runner: Runner = start_runner(("registration",))
    runner.wait_ready()
    pids = runner.pids()
    os.kill(pids["registration"], signal.SIGKILL)
    assert runner.wait_exit() == 1
    assert "registration exited" in runner.output()
    assert not alive(pids["smtp-sink"])


def test_without_a_broker_it_says_so_on_one_line(tmp_path: Path) -> None:
    closed = free_port()
    env = runner_env(tmp_path, "unused", AMQP_URL=f"amqp://guest:guest@127.0.0.1:{closed}/")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(RUNNER)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    lines = [line for line in (result.stdout + result.stderr).decode().splitlines() if line.strip()]
    assert result.returncode == 2
    assert time.monotonic() - started < 15
    assert len(lines) == 1, lines
    assert f"127.0.0.1:{closed}" in lines[0] and "rabbitmq-server -detached" in lines[0]
    assert "guest:guest" not in lines[0], "the password is not printed"
    assert not (tmp_path / "var").exists(), "nothing is started or created without a broker"
