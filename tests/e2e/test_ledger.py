"""The ledger test (issue 7, item 9): nothing lost, nothing duplicated, through chaos.

N registrations (1,000 by default, `LEDGER_N`) are posted to the three services running as
processes while the broker is restarted once and each service is killed (SIGKILL) and
restarted once. Clients retry with their Idempotency-Key, as a real client would. At the end
every registration must have exactly one receipt at the SMTP server and one record in
scheduling, and the registration service exactly N rows.

A receipt counts once per Message-ID. The one window where a mail can leave twice (the
notifications process killed between the SMTP server's 250 and recording it) resends the
same Message-ID; such copies are counted and printed separately (`resent_same_id`).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.registration.app.samples import business_ids, example_form
from services.registration.settings import RegistrationSettings
from tests.dates import in_days, iso, period_body, session_day
from tests.processes import Service, running_system
from tests.support import CapturingHandler, bearer, eventually, smtp_server

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]

N = int(os.environ.get("LEDGER_N", "1000"))
CONCURRENCY = 16
POSTING_SECONDS = 40  # spread the posts so that the chaos happens while they go on
PERIOD = period_body()


def form(index: int, business_id: str) -> dict[str, Any]:
    contact = {
        "name": f"Yhteyshenkilö {index}",
        "email": f"ledger-{index}@example.fi",
        "role": "technical",
        "language": ("fi", "sv", "en")[index % 3],
        "participates": False,
    }
    return example_form(
        business_id,
        name=f"Ledger {index} Oy",
        contacts=[contact],
        period={"year": PERIOD["year"], "number": PERIOD["number"]},
        planned_production_start=in_days(150).isoformat(),
    )


async def broker(*args: str) -> None:
    path = os.environ.get("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin"
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl",
        *args,
        env={**os.environ, "PATH": path},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0, f"rabbitmqctl {args}"


async def crash_and_restart(service: Service) -> None:
    service.kill()
    service.start()
    await service.wait_ready(timeout=60)


def scheduling_records(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM known_registrations").fetchone()[0])


def registrations_stored(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM registrations").fetchone()[0])


async def test_ledger_nothing_lost_nothing_duplicated_through_restarts_and_kills(
    tmp_path: Path, bus_names: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    handler = CapturingHandler()
    settings = RegistrationSettings(environment="test")
    staff = bearer(settings, "staff")
    ids = business_ids(N)
    tokens = [bearer(settings, "organisation", b) for b in ids]
    extra = {
        "STAFF_MAILBOX": "",
        "RATE_LIMIT_WRITES": "1000000/minute",
        "MAIL_POLL_INTERVAL_S": "0.2",
        "LOG_LEVEL": "WARNING",
        "RETRY_DELAY_MS": "1000",
    }
    chaos_log: list[str] = []
    with smtp_server(handler) as (_, smtp_port, _):
        async with running_system(tmp_path, bus_names, smtp_port, extra_env=extra) as system:
            registration, scheduling = system["registration"], system["scheduling"]
            async with httpx.AsyncClient(timeout=30) as client:
                created = await client.post(
                    f"{scheduling.url}/v1/periods", json=PERIOD, headers=staff
                )
                assert created.status_code == 201, created.text
                period_id = created.json()["id"]
                # R2: a period is published with its preparation event (nobody here takes part).
                day = session_day(PERIOD, offset_days=8)
                preparation = await client.post(
                    f"{scheduling.url}/v1/periods/{period_id}/sessions",
                    json={
                        "kind": "preparation",
                        "title": {"fi": "Valmistelutilaisuus", "sv": "Förberedande tillfälle"},
                        "starts_at": iso(day, "09:00"),
                        "ends_at": iso(day, "12:00"),
                        "online_url": "https://meet.example.fi/kanta-preparation",
                        "language": "fi",
                        "capacity": 80,
                    },
                    headers=staff,
                )
                assert preparation.status_code == 201, preparation.text
                published = await client.post(
                    f"{scheduling.url}/v1/periods/{period_id}/publish", headers=staff
                )
                assert published.status_code == 200, published.text

                done = 0
                queue: asyncio.Queue[int] = asyncio.Queue()
                for index in range(N):
                    queue.put_nowait(index)

                async def post(index: int) -> None:
                    headers = {**tokens[index], "Idempotency-Key": f"ledger-{index}"}
                    while True:
                        try:
                            response = await client.post(
                                f"{registration.url}/v1/registrations",
                                json=form(index, ids[index]),
                                headers=headers,
                            )
                        except httpx.TransportError:
                            await asyncio.sleep(0.2)  # the service is restarting
                            continue
                        if response.status_code == 201:
                            return
                        problem = response.json() if response.content else {}
                        retryable = response.status_code >= 500 or (
                            problem.get("code") == "period_not_open"  # event not there yet
                        )
                        assert retryable, response.text
                        await asyncio.sleep(0.2)

                started = asyncio.get_running_loop().time()

                async def worker() -> None:
                    nonlocal done
                    loop = asyncio.get_running_loop()
                    while not queue.empty():
                        index = queue.get_nowait()
                        due = started + index * POSTING_SECONDS / N
                        await asyncio.sleep(max(0.0, due - loop.time()))
                        await post(index)
                        done += 1

                async def chaos() -> None:
                    steps = [
                        (0.15, "broker restarted", None),
                        (0.35, "registration killed", system["registration"]),
                        (0.55, "scheduling killed", system["scheduling"]),
                        (0.75, "notifications killed", system["notifications"]),
                    ]
                    for share, label, service in steps:
                        while done < share * N:  # noqa: ASYNC110  (progress is a counter)
                            await asyncio.sleep(0.05)
                        chaos_log.append(f"{label} at {done}/{N}")
                        if service is None:
                            await broker("stop_app")
                            await asyncio.sleep(2)
                            await broker("start_app")
                            await broker("await_startup")
                        else:
                            await crash_and_restart(service)

                await asyncio.gather(chaos(), *(worker() for _ in range(CONCURRENCY)))
                posted_in = asyncio.get_running_loop().time() - started

                def receipts() -> Counter[str]:
                    return Counter(rcpt for _, rcpts in handler.envelopes for rcpt in rcpts)

                await eventually(
                    lambda: len(receipts()) >= N, timeout=240, interval=0.5, what="N receipts"
                )
                received_in = asyncio.get_running_loop().time() - started
                await eventually(
                    lambda: scheduling_records(tmp_path / "scheduling.db") >= N,
                    timeout=120,
                    interval=0.5,
                    what="N scheduling records",
                )
                await asyncio.sleep(2)  # anything late would show up now

    message_ids: dict[str, set[str]] = {}
    copies: Counter[str] = Counter()
    for message, (_, rcpts) in zip(handler.messages, handler.envelopes, strict=True):
        for rcpt in rcpts:
            message_ids.setdefault(rcpt, set()).add(str(message["Message-ID"]))
            copies[rcpt] += 1
    expected = {f"ledger-{i}@example.fi" for i in range(N)}
    lost = len(expected - set(message_ids))
    duplicated = sum(len(ids_) - 1 for ids_ in message_ids.values())
    resent_same_id = sum(copies.values()) - sum(len(ids_) for ids_ in message_ids.values())
    records = scheduling_records(tmp_path / "scheduling.db")
    stored = registrations_stored(tmp_path / "registration.db")
    with capsys.disabled():
        print(
            f"\nledger: posted={N} in {posted_in:.1f}s, all receipts after {received_in:.1f}s; "
            f"{'; '.join(chaos_log)}\n"
            f"ledger: registrations={stored} receipts={len(message_ids)} "
            f"scheduling_records={records} lost={lost} duplicated={duplicated} "
            f"resent_same_id={resent_same_id}"
        )
    assert len(chaos_log) == 4
    assert stored == N
    assert records == N
    assert set(message_ids) <= expected
    assert lost == 0
    assert duplicated == 0
    assert resent_same_id <= 1, "only the mail in flight when notifications was killed"
