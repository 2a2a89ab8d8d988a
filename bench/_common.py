"""What every benchmark shares: real services on loopback, statistics and the results files."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg

from shared.clock import SystemClock

ROOT = Path(__file__).resolve().parent.parent
RESULTS_JSON = ROOT / "bench" / "results.json"
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PG_ADMIN_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def run_id() -> str:
    return f"bench-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Spread:
    """Median of several runs, with the range and the number of runs."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values), len(values))

    def show(self, unit: str = "", digits: int = 1) -> str:
        return (
            f"{self.median:.{digits}f}{unit} (median of {self.runs}, "
            f"range {self.low:.{digits}f}–{self.high:.{digits}f})"
        )


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class PgDatabase:
    """A throw-away PostgreSQL database for one benchmark."""

    def __init__(self, label: str) -> None:
        self.name = f"b_{label}_{uuid.uuid4().hex[:8]}"
        base = PG_ADMIN_DSN.rsplit("/", 1)[0]
        self.dsn = f"{base}/{self.name}"
        self.url = self.dsn.replace("postgresql://", "postgresql+asyncpg://", 1)

    async def __aenter__(self) -> PgDatabase:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await conn.close()
        return self

    async def __aexit__(self, *exc: object) -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await conn.close()


async def delete_queues(prefix: str, names: Sequence[str], exchanges: Sequence[str]) -> None:
    """Remove what a benchmark declared on the broker."""
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)
        for exchange in exchanges:
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()


def _version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


async def _pg_version() -> str:
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()
    except (OSError, asyncpg.PostgresError):
        return "unknown"


def machine() -> dict[str, Any]:
    return {
        "date": SystemClock().now().strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "rabbitmq": _version(["rabbitmqctl", "version"]),
        "postgresql": asyncio.run(_pg_version()),
    }


def record(bench: str, figures: dict[str, Any], summary: dict[str, float | int]) -> None:
    """Merge one benchmark's figures into bench/results.json (read by bench/report.py)."""
    results: dict[str, Any] = {}
    if RESULTS_JSON.exists():
        results = json.loads(RESULTS_JSON.read_text())
    results.setdefault("benches", {})[bench] = figures
    results.setdefault("summary", {}).update(summary)
    results["machine"] = machine()
    RESULTS_JSON.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
