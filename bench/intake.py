"""Intake: `POST /v1/registrations` on one worker against raw asyncpg inserts, in one run.

    python -m bench.intake [--requests 2000] [--runs 3] [--concurrency 32] [--no-profile]
                           [--profile-out stacks.txt]

Our path: the registration service (`uvicorn --workers 1`, PostgreSQL, the local RabbitMQ
on an exchange of its own) with token check, rate limit, full validation, rules R3–R8, the
registration row, its history row, the organisation's customership checklist (R8) and the
`registration.submitted` outbox row in one transaction; its outbox relay publishes in the
same process, as in production, to a queue bound on that exchange.
Ceiling: `bench/raw_intake.py`, a bare Starlette endpoint on one uvicorn worker inserting the
registration row and the outbox row built from the same body with raw asyncpg, in one
transaction, into the same migrated tables (a database of its own).
Load: `bench._load` in a separate process, N distinct organisations with a token each (one
organisation holds one registration per service and period). Both servers are warmed up
first; the runs alternate between them. Rates count 201 answers only; every status is shown.
Besides requests/s, each run reports the CPU time per request of the server process (all its
threads) and of the load generator: on a 2-core machine shared by the client, the server,
PostgreSQL and RabbitMQ, the raw endpoint is bound by the client long before its own CPU, so
the CPU ratio says how far our path is from the ceiling's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from bench._common import (
    AMQP_URL,
    ROOT,
    PgDatabase,
    Spread,
    delete_queues,
    percentile,
    record,
    run_id,
)
from services.registration.app import periods
from services.registration.domain.rules import add_months
from services.registration.main import MIGRATIONS, build_runtime
from services.registration.settings import RegistrationSettings
from shared.auth import Principal, TokenIssuer
from shared.clock import SystemClock
from shared.contracts.scheduling import PeriodPublished
from shared.events import make_envelope
from shared.messaging.topology import declare_exchange
from shared.migrations import upgrade_to_head

GOAL = 0.6
WARMUP = 300
PERIOD_NUMBER = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A uvicorn server with one worker in its own process, up until `stop()`."""

    def __init__(self, app: str, env: dict[str, str], *, ready_path: str = "/healthz") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                app,
                "--workers",
                "1",
                "--no-access-log",
                "--log-level",
                "warning",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{app} exited early:\n{self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + ready_path, timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        output = self.output()
        self.stop()
        raise RuntimeError(f"{app} did not become ready:\n{output}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process (all its threads) has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def business_ids(start: int = 1_000_000) -> Iterator[str]:
    """Valid Y-tunnus in order: weights 7,9,10,5,8,4,2; r = sum mod 11; r = 1 is never issued."""
    for number in range(start, 10_000_000):
        digits = f"{number:07d}"
        r = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if r == 1:
            continue
        yield f"{digits}-{0 if r == 0 else 11 - r}"


def body(business_id: str, *, year: int, planned: str) -> dict[str, Any]:
    """A valid health care form of this organisation for period year/1 (no R6 warning)."""
    return {
        "organisation": {
            "name": f"Organisaatio {business_id}",
            "business_id": business_id,
            "oid": f"1.2.246.10.{business_id.replace('-', '').lstrip('0')}.10.0",
            "sector": "private",
            "domain": "health_care",
        },
        "service": "patient_data_repository",
        "reason": "first_deployment",
        "system": {
            "product": "Potilas Pro",
            "vendor": "Toimittaja Oy",
            "version": "5.2",
            "certified": True,
            "profile": None,
        },
        "vendor_handles_support": False,
        "period": {"year": year, "number": PERIOD_NUMBER},
        "planned_production_start": planned,
        "customership": {
            "existing_customer": False,
            "commitment_signed_on": None,
            "service_application_on": None,
            "service_description_accepted_on": None,
            "details_submitted_on": None,
        },
        "contacts": [
            {
                "name": "Tekninen Yhteyshenkilö",
                "email": f"tekninen@{business_id[:7]}.example.fi",
                "role": "technical",
                "language": "fi",
                "participates": True,
            }
        ],
    }


class Forms:
    """Distinct organisations with one token each, never reused within a benchmark."""

    def __init__(self, settings: RegistrationSettings, *, year: int) -> None:
        self._ids = business_ids()
        self._issuer = TokenIssuer(settings, ttl_s=3 * 3600)
        self._year = year
        self._planned = add_months(SystemClock().today(), 5).isoformat()

    def requests(self, n: int) -> list[dict[str, Any]]:
        found = []
        for _ in range(n):
            business_id = next(self._ids)
            principal = Principal(
                client_id=f"org-{business_id}", role="organisation", business_id=business_id
            )
            found.append(
                {
                    "method": "POST",
                    "path": "/v1/registrations",
                    "headers": {"Authorization": f"Bearer {self._issuer.issue(principal)}"},
                    "body": body(business_id, year=self._year, planned=self._planned),
                }
            )
        return found


def load(url: str, requests: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    """Run the load generator in its own process; its JSON answer."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"url": url, "concurrency": concurrency, "requests": requests}, spec)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "bench._load", spec.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(spec.name)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def measure(server: Server, requests: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    """One timed load on a server: its figures, with the server's CPU time per request."""
    cpu_before, client_before = server.cpu_seconds(), _children_cpu()
    result = load(server.url, requests, concurrency)
    cpu, client = server.cpu_seconds() - cpu_before, _children_cpu() - client_before
    return figures_of(result) | {
        "cpu_ms_per_request": 1000 * cpu / result["count"],
        "client_cpu_ms_per_request": 1000 * client / result["count"],
    }


def _children_cpu() -> float:
    """CPU time of this process's finished children (the load generators)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def figures_of(result: dict[str, Any]) -> dict[str, Any]:
    created = result["statuses"].get("201", 0)
    return {
        "per_s": created / result["seconds"],
        "p50_ms": percentile(result["latencies"], 0.50) * 1000,
        "p99_ms": percentile(result["latencies"], 0.99) * 1000,
        "statuses": result["statuses"],
        "clean": created == result["count"],
    }


async def prepare(settings: RegistrationSettings, raw_dsn_url: str, year: int) -> None:
    """Migrate both databases; open period year/1 in our read model through its handler."""
    runtime = build_runtime(settings, SystemClock())
    raw = build_runtime(settings.model_copy(update={"database_url": raw_dsn_url}), SystemClock())
    try:
        await upgrade_to_head(runtime.engine, MIGRATIONS)
        await upgrade_to_head(raw.engine, MIGRATIONS)
        today = SystemClock().today()
        payload = PeriodPublished(
            period_id=uuid.uuid5(uuid.NAMESPACE_URL, f"bench/period/{year}/{PERIOD_NUMBER}"),
            year=year,
            number=PERIOD_NUMBER,
            starts_on=add_months(today, 1),
            ends_on=add_months(today, 7),
            registration_opens_on=add_months(today, -1),
            registration_closes_on=add_months(today, 1),
        )
        envelope = make_envelope(payload, producer="scheduling", occurred_at=SystemClock().now())
        async with runtime.uow() as uow:
            await periods.record_period(uow, payload, envelope)
            await uow.commit()
    finally:
        for r in (runtime, raw):
            await r.engine.dispose()
            await r.relay_engine.dispose()


async def bind_sink(settings: RegistrationSettings) -> str:
    """A queue taking every event, as the other services' queues do: publishes are routable."""
    name = f"{settings.queue_prefix}.sink"
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        exchange = await declare_exchange(channel, settings.exchange)
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, "#")
    finally:
        await connection.close()
    return name


# Where a sample's time goes: the first marker found walking from the leaf to the root.
PROFILE_BUCKETS = (
    ("asyncpg/sqlalchemy driver", ("asyncpg/", "sqlalchemy/dialects/postgresql/asyncpg")),
    ("SQLAlchemy ORM (flush, unit of work)", ("sqlalchemy/orm/",)),
    ("SQLAlchemy Core (compile, execute)", ("sqlalchemy/",)),
    ("pydantic validation/serialisation", ("pydantic/", "pydantic_core/")),
    ("JWT verification", ("jwt/", "cryptography/")),
    ("rate limiter", ("limits/",)),
    ("outbox relay + broker (aio-pika)", ("aio_pika/", "aiormq/", "pamqp/")),
    ("FastAPI routing/dependencies", ("fastapi/",)),
    ("Starlette/uvicorn HTTP", ("starlette/", "uvicorn/", "httptools/", "h11/")),
    ("logging", ("logging/",)),
    ("our code (services/, shared/)", ("services/", "shared/")),
)
PROFILE_INCLUSIVE = (
    ("submit_registration use case", "submit_registration (services/registration/app/regist"),
    ("  period read model lookup", "open_window (services/registration/app/guards.py"),
    ("  registration + history inserts", "insert (services/registration/adapters/registrations"),
    ("  customership note (R8)", "(services/registration/app/customership.py"),
    ("  views: response model, event snapshot", "(services/registration/app/views.py"),
    ("  unit of work commit (outbox row + COMMIT)", "commit (shared/uow.py"),
    ("token verification", "verify (shared/auth.py"),
    ("rate limiter hit", "hit (shared/ratelimit.py"),
    ("rate limiter expiry thread (limits memory storage)", "__expire_events (limits/"),
    ("correlation/metrics middleware (BaseHTTPMiddleware)", "BaseHTTPMiddleware.__call__ (s"),
    ("sync dependency run in the thread pool", "run_in_threadpool (starlette/"),
    ("request body validation", "request_body_to_args (fastapi/"),
    ("response serialisation", "serialize_response (fastapi/"),
    ("outbox relay (publishing)", "relay_once (shared/messaging/outbox.py"),
)


def summarise_profile(raw: str) -> list[str]:
    """A few lines from py-spy's collapsed stacks: self time by layer, inclusive by step."""
    total = 0
    by_bucket: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        bucket = "other (event loop, stdlib)"
        for frame in reversed(frames):
            match = next(
                (name for name, marks in PROFILE_BUCKETS if any(m in frame for m in marks)), None
            )
            if match is not None:
                bucket = match
                break
        by_bucket[bucket] += count
        for name, mark in PROFILE_INCLUSIVE:
            if mark in stack:
                inclusive[name] += count
    if total == 0:
        return ["no samples"]
    lines = [f"{total} samples; self time by layer:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in by_bucket.most_common(8)]
    lines.append("inclusive time of steps:")
    lines += [
        f"  {100 * inclusive[name] / total:5.1f}%  {name}"
        for name, _ in PROFILE_INCLUSIVE
        if inclusive[name]
    ]
    return lines


def profile(
    server: Server, forms: Forms, n: int, concurrency: int, keep: Path | None = None
) -> list[str]:
    """py-spy on our worker during one extra (untimed) load; a summary of where time goes."""
    py_spy = Path(sys.executable).with_name("py-spy")
    if not py_spy.exists():
        return ["py-spy is not installed: no profile"]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "profile.txt"
        spy = subprocess.Popen(
            [
                str(py_spy),
                "record",
                "--nonblocking",
                "--format",
                "raw",
                "--rate",
                "200",
                "-o",
                str(out),
                "-p",
                str(server.pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.0)
        load(server.url, forms.requests(n), concurrency)
        spy.send_signal(2)  # SIGINT: py-spy writes what it sampled and exits
        _, err = spy.communicate(timeout=60)
        if not out.exists():
            return [f"py-spy failed: {err.decode(errors='replace').strip()[-300:]}"]
        if keep is not None:
            keep.write_text(out.read_text())
        return summarise_profile(out.read_text())


def main(
    requests: int, runs: int, concurrency: int, with_profile: bool, profile_out: Path | None
) -> dict[str, Any]:
    name = run_id()
    year = SystemClock().today().year + 1

    async def databases() -> tuple[PgDatabase, PgDatabase]:
        ours, raw = PgDatabase("intake"), PgDatabase("intake_raw")
        await ours.__aenter__()
        await raw.__aenter__()
        return ours, raw

    ours_db, raw_db = asyncio.run(databases())
    settings = RegistrationSettings(
        database_url=ours_db.url,
        exchange=f"{name}.events",
        queue_prefix=name,
        log_level="WARNING",
        migrate_on_startup=False,
    )
    queues = [
        q
        for consumer in build_runtime(settings, SystemClock()).consumers
        for q in (consumer.names.work, consumer.names.retry, consumer.names.dead_letter)
    ]
    servers: list[Server] = []
    results: dict[str, list[dict[str, Any]]] = {"raw": [], "ours": []}
    profile_lines: list[str] = []
    try:
        asyncio.run(prepare(settings, raw_db.url, year))
        queues.append(asyncio.run(bind_sink(settings)))
        ours = Server(
            "services.registration.main:create_app",
            {
                "REGISTRATION_DATABASE_URL": ours_db.url,
                "AMQP_URL": AMQP_URL,
                "EXCHANGE": settings.exchange,
                "QUEUE_PREFIX": settings.queue_prefix,
                "QUEUE_EXPIRES_MS": str(30 * 60 * 1000),
                "LOG_LEVEL": "WARNING",
                "MIGRATE_ON_STARTUP": "false",
                "RATE_LIMIT_WRITES": "1000000/minute",
            },
            ready_path="/readyz",
        )
        servers.append(ours)
        raw = Server("bench.raw_intake:create_app", {"RAW_INTAKE_DSN": raw_db.dsn})
        servers.append(raw)
        forms = Forms(settings, year=year)
        for server in (raw, ours):  # warm-up: connections, statement caches, imports
            warm = figures_of(load(server.url, forms.requests(WARMUP), concurrency))
            if not warm["clean"]:
                print(f"intake: warm-up of {server.url} answered {warm['statuses']}")
        for _ in range(runs):  # interleaved, so drift on the machine hits both alike
            for label, server in (("raw", raw), ("ours", ours)):
                results[label].append(measure(server, forms.requests(requests), concurrency))
        if with_profile:
            profile_lines = profile(ours, forms, requests, concurrency, profile_out)
    finally:
        for server in servers:
            server.stop()

        async def cleanup() -> None:
            await delete_queues(name, queues, [settings.exchange])
            await ours_db.__aexit__(None, None, None)
            await raw_db.__aexit__(None, None, None)

        asyncio.run(cleanup())
    return report(requests, runs, concurrency, results, profile_lines)


def report(
    requests: int,
    runs: int,
    concurrency: int,
    results: dict[str, list[dict[str, Any]]],
    profile_lines: list[str],
) -> dict[str, Any]:
    raw, ours = results["raw"], results["ours"]
    ratios = [o["per_s"] / r["per_s"] for o, r in zip(ours, raw, strict=True)]
    # Server CPU per request, raw over ours: the same ratio, robust to a busy machine.
    cpu_ratios = [
        r["cpu_ms_per_request"] / o["cpu_ms_per_request"] for o, r in zip(ours, raw, strict=True)
    ]

    def spread(items: list[dict[str, Any]], key: str) -> Spread:
        return Spread.of([item[key] for item in items])

    def statuses(items: list[dict[str, Any]]) -> dict[str, int]:
        total: Counter[str] = Counter()
        for item in items:
            total.update(item["statuses"])
        return dict(total)

    clean = all(item["clean"] for item in raw + ours)
    for items, title in ((raw, "raw asyncpg endpoint"), (ours, "POST /v1/registrations")):
        print(f"intake: {title:<24} {spread(items, 'per_s').show(' req/s', 0)}")
        print(
            f"intake: {'':<24} p50 {spread(items, 'p50_ms').show(' ms')}, "
            f"p99 {spread(items, 'p99_ms').show(' ms')}"
        )
        print(
            f"intake: {'':<24} CPU per request: server "
            f"{spread(items, 'cpu_ms_per_request').show(' ms', 2)}, load generator "
            f"{spread(items, 'client_cpu_ms_per_request').show(' ms', 2)}"
        )
        print(f"intake: {'':<24} statuses {statuses(items)}")
    print(f"intake: ratio                    {Spread.of(ratios).show('×', 2)}  (goal ≥ {GOAL}×)")
    print(f"intake: ratio of server CPU/req  {Spread.of(cpu_ratios).show('×', 2)}  (raw / ours)")
    if not clean:
        print("intake: NOT CLEAN: some answers were not 201 (rates count 201s only)")
    if profile_lines:
        print("intake: profile of our path (py-spy, one extra run):")
        for line in profile_lines:
            print(f"intake:   {line}")
    return {
        "requests": requests,
        "runs": runs,
        "concurrency": concurrency,
        "raw_per_s": spread(raw, "per_s").__dict__,
        "ours_per_s": spread(ours, "per_s").__dict__,
        "raw_p50_ms": spread(raw, "p50_ms").__dict__,
        "raw_p99_ms": spread(raw, "p99_ms").__dict__,
        "ours_p50_ms": spread(ours, "p50_ms").__dict__,
        "ours_p99_ms": spread(ours, "p99_ms").__dict__,
        "raw_cpu_ms_per_request": spread(raw, "cpu_ms_per_request").__dict__,
        "ours_cpu_ms_per_request": spread(ours, "cpu_ms_per_request").__dict__,
        "cpu_ratio": Spread.of(cpu_ratios).__dict__,
        "raw_client_cpu_ms_per_request": spread(raw, "client_cpu_ms_per_request").__dict__,
        "ours_client_cpu_ms_per_request": spread(ours, "client_cpu_ms_per_request").__dict__,
        "raw_statuses": statuses(raw),
        "ours_statuses": statuses(ours),
        "clean": clean,
        "ratio": Spread.of(ratios).__dict__,
        "goal": GOAL,
        "profile": profile_lines,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument(
        "--profile-out", type=Path, help="also keep py-spy's collapsed stacks in this file"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = main(args.requests, args.runs, args.concurrency, args.profile, args.profile_out)
    record("intake", result, {"intake_ratio": result["ratio"]["median"]})
