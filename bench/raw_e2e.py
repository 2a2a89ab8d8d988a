"""The raw end-to-end ceiling: registration → outbox → broker → two inboxes → mail, no framework.

    python -m bench.raw_e2e [--step-seconds 10] [--rates 50,100,150,…] [--latency-seconds 15]
                            [--mails-per-registration 1] [--smtp-connections 1]
                            [--smtp host:port] [--no-save]

The same durable work per registration as the three services, with asyncpg, aio-pika and
aiosmtplib only (no FastAPI, SQLAlchemy or pydantic), each part its own process:
- intake: an open-loop generator inside the intake process (no HTTP) hands it a JSON body
  at a fixed rate; the intake parses it and writes the registration row and its outbox row
  in ONE transaction: one statement (data-modifying CTEs), one round trip, which also
  NOTIFYs the relay (its doorbell).
- relay: publishes pending outbox rows (persistent, publisher confirms) to a topic exchange
  and marks them sent, up to 200 a pass.
- scheduling, notifications: each consumes its own quorum queue (prefetch 64, batches of up
  to 50 lingering 5 ms, as the services do) and writes each batch in one transaction (again
  one statement): the inbox rows (ON CONFLICT DO NOTHING) and, for the events new to it,
  its own rows (scheduling: its registration read model; notifications: its read model and
  the rendered mails, queued); then acks. Notifications then builds each mail as an
  EmailMessage (multipart/alternative, plain + HTML), sends it with aiosmtplib over
  `--smtp-connections` connections (default 1, as the service's one sender loop) and marks
  the sent ones, one statement per group of replies.
- the SMTP server: `bench._smtp`, an aiosmtpd sink in its own process noting when each
  registration's last mail arrived (or `--smtp host:port`; then the notifications process
  notes when each mail got its reply, and the server's CPU is not ours to measure).
Mails per registration: the receipt to each contact (the bench's form has one), then staff
copies up to `--mails-per-registration` (default 1: `bench.e2e` runs with STAFF_MAILBOX empty;
the service's default staff mailbox makes it 2). Staff copies go to distinct addresses
(`r<i>m<j>@staff.bench.example`) so the sink can tell whose they are.
Each rate of the ladder runs `--step-seconds`; it is sustained when every registration was
written, every mail arrived and the throughput (registrations / first registration to last
mail) is within 5 % of the rate; the ladder stops at the first rate not sustained. Then
latency at half the best sustained rate. CPU ms per registration by process from /proc
(`RawMeter`: our PostgreSQL backends apart from other clients'; RabbitMQ is the whole
broker); what the rest of the machine did meanwhile is reported apart, as "other".
Throw-away databases, exchange and queues (`raw-<hex>`), removed at the end.
The parts are in `bench._raw_parts` (RAW_E2E_PROFILE=<part> profiles one of them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import aio_pika
import asyncpg

from bench._common import AMQP_URL, PgDatabase, delete_queues, percentile
from bench._raw import RawMeter, save
from bench._raw_parts import (
    PARTS,
    SCHEMA_NOTIFICATIONS,
    SCHEMA_REGISTRATION,
    SCHEMA_SCHEDULING,
    Config,
    child,
    recv,
)
from bench._smtp import SmtpSink

DEFAULT_RATES = (50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000)


class _Run:
    """The running parts, their pipes, and where the mails are counted."""

    def __init__(self, cfg: Config, sink: SmtpSink | None) -> None:
        self.cfg = cfg
        self.sink = sink
        self.next_index = 0
        self.processes: dict[str, BaseProcess] = {}
        self.pipes: dict[str, Connection] = {}
        context = multiprocessing.get_context("spawn")
        for part in PARTS:
            mine, theirs = context.Pipe()
            process = context.Process(
                target=child, args=(part, cfg, theirs), name=f"raw-{part}", daemon=True
            )
            process.start()
            self.processes[part], self.pipes[part] = process, mine

    async def ask(self, part: str, command: tuple[Any, ...], timeout: float = 60) -> Any:
        self.pipes[part].send(command)
        return self._checked(await recv(self.pipes[part], timeout))

    @staticmethod
    def _checked(answer: Any) -> Any:
        if isinstance(answer, dict) and "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    async def ready(self) -> None:
        for part, pipe in self.pipes.items():
            answer = self._checked(await recv(pipe, 60))
            if answer != {"ready": True}:
                raise RuntimeError(f"{part} did not start: {answer!r}")

    async def mails(self, *command: Any) -> Any:
        """A question to whoever counts the mails: the sink, or notifications' reply tally."""
        if self.sink is not None:
            return self.sink.ask(*command)
        return await self.ask("notifications", command)

    def pids(self) -> dict[str, int]:
        pids = {part: p.pid for part, p in self.processes.items() if p.pid is not None}
        if self.sink is not None:
            pids["smtp server"] = self.sink.pid
        return pids

    def check_alive(self) -> None:
        for part, process in self.processes.items():
            if not process.is_alive():
                pipe = self.pipes[part]
                reason = pipe.recv() if pipe.poll() else f"exit code {process.exitcode}"
                raise RuntimeError(f"{part} died: {reason}")

    async def stop(self) -> dict[str, Any]:
        stats: dict[str, Any] = {}
        for part, process in self.processes.items():
            if process.is_alive():
                try:
                    stats[part] = await self.ask(part, ("stop",), timeout=20)
                except (OSError, EOFError, TimeoutError, RuntimeError) as exc:
                    stats[part] = {"error": str(exc)[-500:]}
        for process in self.processes.values():
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
        return stats


async def _step(run: _Run, meter: RawMeter, rate: float, seconds: float) -> dict[str, Any]:
    count = max(1, int(rate * seconds))
    need = run.cfg.mails_per_registration
    lo = run.next_index
    hi = run.next_index = lo + count
    await run.ask("intake", ("prepare", lo, count))
    meter.start()
    offered = await run.ask("intake", ("go", rate), timeout=seconds * 20 + 120)
    # Until every mail arrived, or nothing moved for 5 s (max a minute past the step).
    deadline, moved, done = time.monotonic() + 60, time.monotonic(), -1
    while time.monotonic() < deadline:
        run.check_alive()
        now_done = await run.mails("complete", lo, hi, need)
        if now_done >= count - offered["failures"]:
            break
        if now_done != done:
            done, moved = now_done, time.monotonic()
        elif time.monotonic() - moved > 5:
            break
        await asyncio.sleep(0.1)
    cpu = meter.split()
    others = {part: cpu.pop(part) for part in list(cpu) if part.startswith("other:")}
    lasts: list[float | None] = await run.mails("lasts", lo, hi, need)
    submitted: list[float] = offered["submitted"]
    latencies = [a - s for a, s in zip(lasts, submitted, strict=True) if a is not None]
    lost = sum(1 for a in lasts if a is None)
    finished = max((a for a in lasts if a is not None), default=submitted[-1])
    throughput = count / (finished - submitted[0]) if finished > submitted[0] else 0.0
    return {
        "rate": rate,
        "count": count,
        "intake_failures": offered["failures"],
        "intake_failure_sample": offered["failure_sample"],
        "offer_seconds": offered["seconds"],
        "lost": lost,
        "throughput_per_s": throughput,
        "p50_s": percentile(latencies, 0.5),
        "p99_s": percentile(latencies, 0.99),
        "sustained": offered["failures"] == 0 and lost == 0 and throughput >= 0.95 * rate,
        # CPU ms each process spent per registration; "other" is the rest of the machine's
        # work in the meantime (not ours: other clients of PostgreSQL, other programs).
        "cpu_ms_per_registration": {part: 1000 * s / count for part, s in cpu.items()},
        "other_cpu_ms_per_registration": {part: 1000 * s / count for part, s in others.items()},
    }


def _cpu_line(step: dict[str, Any]) -> str:
    parts: dict[str, float] = step["cpu_ms_per_registration"]
    total = sum(parts.values())
    shown = ", ".join(f"{n} {v:.2f}" for n, v in sorted(parts.items(), key=lambda kv: -kv[1]))
    other = sum(step["other_cpu_ms_per_registration"].values())
    return (
        f"{total:.2f} ms ({shown}); at that cost 2 cores carry {2000 / total:.0f}/s; "
        f"meanwhile other work on the machine {other:.2f} ms"
    )


def _show(label: str, step: dict[str, Any]) -> None:
    print(
        f"raw_e2e: {label} {step['rate']:5.0f}/s → {step['throughput_per_s']:7.1f}/s through, "
        f"p50 {step['p50_s']:.3f}s p99 {step['p99_s']:.3f}s, lost {step['lost']}, "
        f"intake failures {step['intake_failures']}"
        f"{'' if step['sustained'] else '  (not sustained)'}"
    )
    print(f"raw_e2e:        CPU per registration: {_cpu_line(step)}")


async def _prepare(cfg: Config, dsns: Sequence[tuple[str, str]]) -> None:
    for dsn, schema in dsns:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(schema)
        finally:
            await conn.close()
    broker = await aio_pika.connect(cfg.amqp_url)
    try:
        channel = await broker.channel()
        exchange = await channel.declare_exchange(
            cfg.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        for name in (cfg.scheduling_queue, cfg.notifications_queue):
            queue = await channel.declare_queue(
                name, durable=True, arguments={"x-queue-type": "quorum", "x-expires": 600_000}
            )
            await queue.bind(exchange, routing_key="registration.*")
    finally:
        await broker.close()


async def measure(
    *,
    rates: Sequence[float] = DEFAULT_RATES,
    step_seconds: float = 10,
    warmup_seconds: float = 3,
    latency_seconds: float = 15,
    mails_per_registration: int = 1,
    smtp_connections: int = 1,
    smtp: str | None = None,
    amqp_url: str = AMQP_URL,
) -> dict[str, Any]:
    """Run the ladder (and the latency step); the figures, as saved in results.json."""
    name = f"raw-{uuid.uuid4().hex[:8]}"
    sink = SmtpSink() if smtp is None else None
    host, _, port = f"127.0.0.1:{sink.port}".rpartition(":") if sink else str(smtp).rpartition(":")
    steps: list[dict[str, Any]] = []
    latency: dict[str, Any] | None = None
    stats: dict[str, Any] = {}
    with sink or contextlib.nullcontext():
        async with (
            PgDatabase("raw_reg") as reg,
            PgDatabase("raw_sch") as sch,
            PgDatabase("raw_not") as notif,
        ):
            cfg = Config(
                amqp_url=amqp_url,
                exchange=f"{name}.events",
                registration_dsn=reg.dsn,
                scheduling_dsn=sch.dsn,
                notifications_dsn=notif.dsn,
                scheduling_queue=f"{name}.scheduling.registrations",
                notifications_queue=f"{name}.notifications.registrations",
                smtp_host=host,
                smtp_port=int(port),
                track_replies=sink is None,
                mails_per_registration=mails_per_registration,
                smtp_connections=smtp_connections,
            )
            run: _Run | None = None
            try:
                await _prepare(
                    cfg,
                    [
                        (reg.dsn, SCHEMA_REGISTRATION),
                        (sch.dsn, SCHEMA_SCHEDULING),
                        (notif.dsn, SCHEMA_NOTIFICATIONS),
                    ],
                )
                run = _Run(cfg, sink)
                await run.ready()
                meter = RawMeter(run.pids(), [reg.name, sch.name, notif.name])
                if warmup_seconds > 0:
                    _show("warm-up", await _step(run, meter, 50, warmup_seconds))
                for rate in rates:
                    steps.append(await _step(run, meter, rate, step_seconds))
                    _show("step", steps[-1])
                    if not steps[-1]["sustained"]:
                        break
                best = max((s["rate"] for s in steps if s["sustained"]), default=0.0)
                if latency_seconds > 0:
                    half = max(best / 2, 10.0)
                    latency = await _step(run, meter, half, latency_seconds)
                    _show("latency", latency)
            finally:
                if run is not None:
                    stats = await run.stop()
                await delete_queues(
                    name, [cfg.scheduling_queue, cfg.notifications_queue], [cfg.exchange]
                )
    lost = sum(s["lost"] for s in steps) + (latency["lost"] if latency else 0)
    return {
        "intake": "in-process open-loop generator, no HTTP",
        "smtp": smtp or "aiosmtpd sink (bench._smtp), own process",
        "config": {
            k: v for k, v in asdict(cfg).items() if not k.endswith("_dsn") and k != "amqp_url"
        },
        "step_seconds": step_seconds,
        "steps": steps,
        "best_sustained_per_s": best,
        "latency": latency,
        "lost": lost,
        "part_stats": stats,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default=",".join(str(r) for r in DEFAULT_RATES))
    parser.add_argument("--step-seconds", type=float, default=10)
    parser.add_argument("--warmup-seconds", type=float, default=3)
    parser.add_argument("--latency-seconds", type=float, default=15)
    parser.add_argument("--mails-per-registration", type=int, default=1)
    parser.add_argument("--smtp-connections", type=int, default=1)
    parser.add_argument("--smtp", help="host:port of an SMTP server (default: our own sink)")
    parser.add_argument("--no-save", action="store_true", help="do not touch results.json")
    args = parser.parse_args()
    result = asyncio.run(
        measure(
            rates=[float(r) for r in args.rates.split(",")],
            step_seconds=args.step_seconds,
            warmup_seconds=args.warmup_seconds,
            latency_seconds=args.latency_seconds,
            mails_per_registration=args.mails_per_registration,
            smtp_connections=args.smtp_connections,
            smtp=args.smtp,
        )
    )
    print(json.dumps(result, indent=2))
    if not args.no_save:
        save("raw_e2e", result)
