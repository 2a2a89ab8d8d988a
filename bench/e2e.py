"""End to end: registrations posted at a fixed rate, through all three services, to the mail.

    python -m bench.e2e [--step-seconds 10] [--rates 25,50,75,100,125,150,200,300]

The three services run as uvicorn processes on PostgreSQL (one database each) with the local
RabbitMQ; an SMTP server in this process notes when each receipt arrives. Load comes from a
separate process (`bench._load`) at a fixed rate (open loop).
1. Sustained rate: each rate of `--rates` for `--step-seconds`; it is sustained when every
   POST answered 201 and every receipt arrived with the throughput within 5 % of the rate.
2. Latency: at half the best sustained rate, post→mail p50 and p99 (goal p99 ≤ 1 s).
3. Memory: each service's RSS idle (after start-up) and after the run (goal ≤ 120 MB idle).
4. CPU: for each step, the CPU each process spent per registration (the services, PostgreSQL,
   RabbitMQ, the load generator and this process's SMTP server), from /proc.
Lost = registrations answered 201 whose receipt never arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench._common import PgDatabase, percentile, record, run_id
from bench._cpu import CpuMeter
from bench._services import free_port, running_services
from services.registration.app.samples import business_ids, example_form
from shared.auth import Principal, Role, TokenIssuer
from shared.clock import SystemClock
from shared.settings import ServiceSettings

PERIOD = {
    "year": 2027,
    "number": 1,
    "starts_on": "2027-01-11",
    "ends_on": "2027-04-30",
    "registration_opens_on": "2026-10-01",
    "registration_closes_on": "2027-02-12",
}


class Settings(ServiceSettings):
    service_name: str = "bench"
    database_url: str = "sqlite+aiosqlite:///:memory:"


class Arrivals:
    """An SMTP handler that notes the wall time each recipient's mail arrived."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        now = SystemClock().now().timestamp()
        with self._lock:
            for rcpt in envelope.rcpt_tos:
                self.at.setdefault(rcpt.lower(), now)
            self.count += 1
        return "250 OK"


def token(role: Role, business_id: str | None = None) -> str:
    issuer = TokenIssuer(Settings(environment="test"), ttl_s=3600)
    principal = Principal(
        client_id=f"bench-{uuid.uuid4().hex[:8]}", role=role, business_id=business_id
    )
    return f"Bearer {issuer.issue(principal)}"


def form(business_id: str, email: str) -> dict[str, Any]:
    contact = {
        "name": "Bench Yhteyshenkilö",
        "email": email,
        "role": "technical",
        "language": "fi",
        "participates": False,
    }
    return example_form(business_id, name=f"Bench {business_id} Oy", contacts=[contact])


class Generator:
    """Builds batches of distinct registrations (one organisation each)."""

    def __init__(self) -> None:
        self._next = 1_000_000

    def batch(self, label: str, count: int) -> tuple[list[dict[str, Any]], list[str]]:
        ids = business_ids(count, start=self._next)
        self._next = int(ids[-1].split("-")[0]) + 1
        requests, emails = [], []
        for index, business_id in enumerate(ids):
            email = f"{label}-{index}@bench.example"
            requests.append(
                {
                    "method": "POST",
                    "path": "/v1/registrations",
                    "headers": {"Authorization": token("organisation", business_id)},
                    "body": form(business_id, email),
                }
            )
            emails.append(email)
        return requests, emails


def load(url: str, requests: list[dict[str, Any]], rate: float | None) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"url": url, "concurrency": 128, "rate": rate, "requests": requests}, spec)
    out = subprocess.run(
        [sys.executable, "-m", "bench._load", spec.name],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(spec.name).unlink()
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def cpu_line(outcome: dict[str, Any]) -> str:
    parts: dict[str, float] = outcome["cpu_ms_per_registration"]
    total = sum(parts.values())
    shown = ", ".join(f"{n} {v:.1f}" for n, v in sorted(parts.items(), key=lambda kv: -kv[1]))
    return f"{total:.1f} ms ({shown}); at that cost 2 cores carry {2000 / total:.0f}/s"


def wait_for(arrivals: Arrivals, emails: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(e in arrivals.at for e in emails):
            return
        time.sleep(0.2)


def step(
    url: str,
    gen: Generator,
    arrivals: Arrivals,
    label: str,
    rate: float,
    seconds: float,
    meter: CpuMeter,
) -> dict[str, Any]:
    count = int(rate * seconds)
    requests, emails = gen.batch(label, count)
    meter.start()
    result = load(url, requests, rate)
    wait_for(arrivals, emails, timeout=seconds + 60)
    cpu = meter.split()
    sent = [result["started_wall"] + s for s in result["sent_at"]]
    created = int(result["statuses"].get("201", 0))
    arrived = [arrivals.at.get(e) for e in emails]
    latencies = [a - s for a, s in zip(arrived, sent, strict=True) if a is not None]
    lost = sum(1 for a in arrived if a is None)
    finished = max((a for a in arrived if a is not None), default=sent[-1])
    throughput = count / (finished - sent[0]) if finished > sent[0] else 0.0
    return {
        "rate": rate,
        "count": count,
        "statuses": result["statuses"],
        "created": created,
        "lost": lost,
        "throughput_per_s": throughput,
        "p50_s": percentile(latencies, 0.5),
        "p99_s": percentile(latencies, 0.99),
        "sustained": created == count and lost == 0 and throughput >= 0.95 * rate,
        # CPU milliseconds each part of the system spent per registration in this step.
        "cpu_ms_per_registration": {part: 1000 * s / count for part, s in cpu.items()},
    }


async def open_period(scheduling_url: str, registration_url: str, gen: Generator) -> None:
    staff = {"Authorization": token("staff")}
    async with httpx.AsyncClient(timeout=30) as client:
        period = await client.post(f"{scheduling_url}/v1/periods", json=PERIOD, headers=staff)
        period.raise_for_status()
        published = await client.post(
            f"{scheduling_url}/v1/periods/{period.json()['id']}/publish", headers=staff
        )
        published.raise_for_status()
        requests, _ = gen.batch("probe", 1)
        for _ in range(100):
            probe = await client.post(
                f"{registration_url}/v1/registrations",
                json=requests[0]["body"],
                headers=requests[0]["headers"],
            )
            if probe.status_code == 201:
                return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"registration never learnt the period: {probe.text}")


async def main(step_seconds: float, rates: list[float]) -> dict[str, Any]:
    arrivals = Arrivals()
    smtp_port = free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    name = run_id()
    gen = Generator()
    try:
        async with (
            PgDatabase("e2e_reg") as reg,
            PgDatabase("e2e_sch") as sch,
            PgDatabase("e2e_not") as notif,
        ):
            env = {
                "ENVIRONMENT": "test",
                "EXCHANGE": f"{name}.events",
                "QUEUE_PREFIX": name,
                "QUEUE_EXPIRES_MS": "600000",
                "REGISTRATION_DATABASE_URL": reg.dsn,
                "SCHEDULING_DATABASE_URL": sch.dsn,
                "NOTIFICATIONS_DATABASE_URL": notif.dsn,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "STAFF_MAILBOX": "",
                "LOG_LEVEL": "WARNING",
                "RATE_LIMIT_WRITES": "100000000/minute",
                "OUTBOX_POLL_INTERVAL_S": "0.5",
                "MAIL_POLL_INTERVAL_S": "0.5",
            }
            with tempfile.TemporaryDirectory() as logs, running_services(env, Path(logs)) as svc:
                await asyncio.sleep(3)
                idle = {n: p.rss_mb() for n, p in svc.items()}
                url = svc["registration"].url
                meter = CpuMeter({n: p.process.pid for n, p in svc.items()})
                await open_period(svc["scheduling"].url, url, gen)
                await asyncio.to_thread(step, url, gen, arrivals, "warmup", 50, 4, meter)
                steps = []
                for rate in rates:
                    outcome = await asyncio.to_thread(
                        step, url, gen, arrivals, f"r{int(rate)}", rate, step_seconds, meter
                    )
                    steps.append(outcome)
                    print(
                        f"e2e: {rate:5.0f}/s → {outcome['throughput_per_s']:6.1f}/s through, "
                        f"p50 {outcome['p50_s']:.3f}s p99 {outcome['p99_s']:.3f}s, "
                        f"lost {outcome['lost']}, statuses {outcome['statuses']}"
                        f"{'' if outcome['sustained'] else '  (not sustained)'}"
                    )
                    print(f"e2e:        CPU per registration: {cpu_line(outcome)}")
                    if not outcome["sustained"]:
                        break
                best = max((s["rate"] for s in steps if s["sustained"]), default=0.0)
                half = max(best / 2, 10.0)
                latency = await asyncio.to_thread(
                    step, url, gen, arrivals, "latency", half, max(step_seconds, 15), meter
                )
                after = {n: p.rss_mb() for n, p in svc.items()}
    finally:
        controller.stop()
        from bench._common import delete_queues
        from shared.messaging.topology import queue_names

        consumers = {
            "registration": ["periods"],
            "scheduling": ["registrations"],
            "notifications": ["registrations", "scheduling", "extension"],
        }
        names = [
            n
            for service, cs in consumers.items()
            for c in cs
            for n in (lambda q: (q.work, q.retry, q.dead_letter))(queue_names(name, service, c))
        ]
        await delete_queues(name, names, [f"{name}.events"])
    lost = sum(s["lost"] for s in steps) + latency["lost"]
    print(
        f"e2e: best sustained {best:.0f}/s (goal ≥ 300/s); at {half:.0f}/s post→mail "
        f"p50 {latency['p50_s']:.3f}s p99 {latency['p99_s']:.3f}s (goal ≤ 1 s); lost {lost}"
    )
    print(
        "memory: idle "
        + ", ".join(f"{n} {v:.0f} MB" for n, v in idle.items())
        + "; after "
        + ", ".join(f"{n} {v:.0f} MB" for n, v in after.items())
        + " (goal ≤ 120 MB idle)"
    )
    return {
        "steps": steps,
        "best_sustained_per_s": best,
        "latency": latency,
        "lost": lost,
        "rss_idle_mb": idle,
        "rss_after_mb": after,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step-seconds", type=float, default=10)
    parser.add_argument("--rates", default="25,50,75,100,125,150,200,300")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main(args.step_seconds, [float(r) for r in args.rates.split(",")]))
    record(
        "e2e",
        result,
        {
            "e2e_rate_per_s": result["best_sustained_per_s"],
            "e2e_p99_s": result["latency"]["p99_s"],
            "lost": result["lost"],
            "rss_idle_mb_max": max(result["rss_idle_mb"].values()),
        },
    )
