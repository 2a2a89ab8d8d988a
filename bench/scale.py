"""Scale: `GET /v1/registrations?limit=50` for staff with 1k and with 1M registrations stored.

    python -m bench.scale [--rows 1000000] [--small 1000] [--requests 600] [--runs 3]

Two PostgreSQL databases, migrated, filled in SQL (INSERT … SELECT generate_series) with
registrations spread over nine periods, the states of their lifecycle, services and domains
(30 % in the open period, most of them submitted; every row valid for the API's models),
then VACUUM ANALYZE. Each is served by its own registration service (uvicorn, one worker).
A request is one page of the staff list filtered by period and state, following
`next_cursor` for the first pages; the client sends them one at a time, alternating between
the two sizes, so drift on the machine hits both alike. Every page must be full (50 items).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from typing import Any

import asyncpg
import httpx

from bench._common import AMQP_URL, PgDatabase, Spread, Stopwatch, delete_queues, record, run_id
from bench.intake import Server
from services.registration.main import MIGRATIONS, build_runtime
from services.registration.settings import RegistrationSettings
from shared.auth import Principal, TokenIssuer
from shared.clock import SystemClock
from shared.migrations import upgrade_to_head

GOAL = 1.5
LIMIT = 50
PAGES = 3
STATE = "submitted"

# Row i: a valid business ID of its own (Y-tunnus check digit computed in SQL, r = 1 skipped),
# the open period ($2/1) for 30 % of rows, else one of the eight periods around it; a state
# likely for its period; one of five services with a matching domain.
FILL = """
WITH candidates AS (
    SELECT n, lpad(n::text, 7, '0') AS d
    FROM generate_series(1000000, 1000000 + ($1::int * 12) / 10 + 100) AS n
), checked AS (
    SELECT n, d, (substr(d, 1, 1)::int * 7 + substr(d, 2, 1)::int * 9 + substr(d, 3, 1)::int * 10
                + substr(d, 4, 1)::int * 5 + substr(d, 5, 1)::int * 8 + substr(d, 6, 1)::int * 4
                + substr(d, 7, 1)::int * 2) % 11 AS r
    FROM candidates
), ids AS (
    SELECT row_number() OVER (ORDER BY n) AS i,
           d || '-' || CASE WHEN r = 0 THEN 0 ELSE 11 - r END AS bid
    FROM checked WHERE r <> 1 ORDER BY n LIMIT $1
), spread AS (
    SELECT i, bid,
           CASE WHEN (i * 7919) % 100 < 30 THEN -1 ELSE (i % 8) + ((i % 8) >= 6)::int END AS pos,
           (i * 104729) % 10 AS s,
           i % 5 AS sv
    FROM ids
), shaped AS (
    SELECT i, bid, sv,
           CASE WHEN pos = -1 THEN $2::int ELSE $2::int - 2 + pos / 3 END AS year,
           CASE WHEN pos = -1 THEN 1 ELSE 1 + pos % 3 END AS number,
           CASE WHEN pos = -1 THEN
               (ARRAY['submitted','submitted','submitted','submitted','submitted','submitted',
                      'accepted','accepted','returned','withdrawn'])[s + 1]
           ELSE
               (ARRAY['completed','completed','completed','completed','deployed','deployed',
                      'accepted','moved','rejected','withdrawn'])[s + 1]
           END AS state,
           CASE WHEN pos = -1 THEN now() - ((i * 7907) % 5184000) * interval '1 second'
                ELSE now() - ((i * 7907) % 63072000) * interval '1 second' END AS updated_at
    FROM spread
)
INSERT INTO registrations (
    id, business_id, organisation_name, oid, sector, domain, service, reason,
    period_year, period_number, planned_production_start, vendor_handles_support,
    registration_required, system, customership, contacts, warnings, has_warnings, state,
    state_note, deployed_on, submitted_by, submitted_at, updated_at
)
SELECT gen_random_uuid(), bid, 'Organisaatio ' || bid,
       '1.2.246.10.' || ltrim(replace(bid, '-', ''), '0') || '.10.0',
       CASE WHEN i % 3 = 0 THEN 'public' ELSE 'private' END,
       CASE WHEN sv = 4 THEN 'social_welfare' ELSE 'health_care' END,
       (ARRAY['patient_data_repository', 'prescription', 'certificate_delivery',
              'imaging_data_repository', 'social_welfare_client_data_repository'])[sv + 1],
       CASE WHEN i % 4 = 0 THEN 'new_service_or_functionality' ELSE 'first_deployment' END,
       year, number, current_date + (i % 300)::int - 100, false, true,
       '{"product": "Potilas Pro", "vendor": "Toimittaja Oy", "version": "5.2",
         "certified": true, "profile": null}'::json,
       CASE WHEN i % 4 = 0 THEN
           '{"existing_customer": true, "commitment_signed_on": null,
             "service_application_on": null, "service_description_accepted_on": null,
             "details_submitted_on": null}'::json
       ELSE
           '{"existing_customer": false, "commitment_signed_on": "2026-01-15",
             "service_application_on": null, "service_description_accepted_on": null,
             "details_submitted_on": null}'::json
       END,
       json_build_array(json_build_object(
           'name', 'Tekninen Yhteyshenkilö', 'email', 'tekninen.' || i || '@example.fi',
           'role', 'technical', 'language', 'fi', 'participates', true)),
       CASE WHEN i % 7 = 0 THEN
           '[{"code": "short_lead_time",
              "message": "Production is planned less than 3 months away."}]'::json
       ELSE '[]'::json END,
       i % 7 = 0,
       state,
       CASE WHEN state IN ('rejected', 'returned') THEN 'Täydennä yhteystiedot.' END,
       CASE WHEN state IN ('deployed', 'completed') THEN current_date - (i % 200)::int END,
       'org-' || bid, updated_at - interval '2 days', updated_at
FROM shaped
"""

PLAN = """
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT * FROM registrations
WHERE period_year = $1 AND period_number = 1 AND state = $2
ORDER BY updated_at, id LIMIT 50
"""


async def fill(database: PgDatabase, rows: int, year: int) -> tuple[float, int]:
    """Migrate, insert `rows` registrations, VACUUM ANALYZE; (seconds, matching rows)."""
    settings = RegistrationSettings(database_url=database.url)
    runtime = build_runtime(settings, SystemClock())
    try:
        await upgrade_to_head(runtime.engine, MIGRATIONS)
    finally:
        await runtime.engine.dispose()
        await runtime.relay_engine.dispose()
    conn = await asyncpg.connect(database.dsn)
    try:
        with Stopwatch() as watch:
            await conn.execute("SET synchronous_commit = off")
            await conn.execute(FILL, rows, year)
            await conn.execute("VACUUM (ANALYZE) registrations")
        matching: int = await conn.fetchval(
            "SELECT count(*) FROM registrations "
            "WHERE period_year = $1 AND period_number = 1 AND state = $2",
            year,
            STATE,
        )
    finally:
        await conn.close()
    return watch.seconds, matching


async def plan(database: PgDatabase, year: int) -> list[str]:
    conn = await asyncpg.connect(database.dsn)
    try:
        return [str(r[0]) for r in await conn.fetch(PLAN, year, STATE)]
    finally:
        await conn.close()


def pages(client: httpx.Client, url: str, headers: dict[str, str], year: int) -> list[float]:
    """Latency of each of the first PAGES pages, following the cursor; each must be full."""
    params: dict[str, Any] = {
        "period_year": year,
        "period_number": 1,
        "state": STATE,
        "limit": LIMIT,
    }
    latencies = []
    for _ in range(PAGES):
        started = time.perf_counter()
        response = client.get(url + "/v1/registrations", params=params, headers=headers)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:500]}")
        page = response.json()
        if len(page["items"]) != LIMIT or page["next_cursor"] is None:
            raise RuntimeError(f"{url}: a short page ({len(page['items'])} items)")
        params["cursor"] = page["next_cursor"]
    return latencies


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main(rows: int, small: int, requests: int, runs: int) -> dict[str, Any]:
    name = run_id()
    year = SystemClock().today().year + 1
    sizes = {"small": small, "large": rows}
    databases = {label: PgDatabase(f"scale_{label}") for label in sizes}
    settings = RegistrationSettings(
        database_url="sqlite+aiosqlite:///:memory:", exchange=f"{name}.events", queue_prefix=name
    )
    queues = [
        q
        for consumer in build_runtime(settings, SystemClock()).consumers
        for q in (consumer.names.work, consumer.names.retry, consumer.names.dead_letter)
    ]
    servers: dict[str, Server] = {}
    samples: dict[str, list[list[float]]] = {label: [] for label in sizes}
    loaded: dict[str, tuple[float, int]] = {}
    plan_lines: list[str] = []
    try:
        for label, database in databases.items():
            asyncio.run(database.__aenter__())
            loaded[label] = asyncio.run(fill(database, sizes[label], year))
            print(
                f"scale: {sizes[label]:>9,} rows loaded in {loaded[label][0]:.1f} s "
                f"({loaded[label][1]:,} match the filter)"
            )
        plan_lines = asyncio.run(plan(databases["large"], year))
        for label, database in databases.items():
            servers[label] = Server(
                "services.registration.main:create_app",
                {
                    "REGISTRATION_DATABASE_URL": database.url,
                    "AMQP_URL": AMQP_URL,
                    "EXCHANGE": settings.exchange,
                    "QUEUE_PREFIX": settings.queue_prefix,
                    "QUEUE_EXPIRES_MS": str(30 * 60 * 1000),
                    "LOG_LEVEL": "WARNING",
                    "MIGRATE_ON_STARTUP": "false",
                },
                ready_path="/readyz",
            )
        token = TokenIssuer(settings, ttl_s=3600).issue(
            Principal(client_id="bench-staff", role="staff")
        )
        headers = {"Authorization": f"Bearer {token}"}
        rounds = max(1, requests // PAGES)
        with httpx.Client(timeout=30) as client:
            for _ in range(10):  # warm-up: connections, statement caches, buffers
                for label in sizes:
                    pages(client, servers[label].url, headers, year)
            for _ in range(runs):
                run: dict[str, list[float]] = {label: [] for label in sizes}
                for _ in range(rounds):
                    for label in sizes:
                        run[label] += pages(client, servers[label].url, headers, year)
                for label in sizes:
                    samples[label].append(run[label])
    finally:
        for server in servers.values():
            server.stop()

        async def cleanup() -> None:
            await delete_queues(name, queues, [settings.exchange])
            for database in databases.values():
                await database.__aexit__(None, None, None)

        asyncio.run(cleanup())
    return report(sizes, samples, loaded, plan_lines, runs)


def report(
    sizes: dict[str, int],
    samples: dict[str, list[list[float]]],
    loaded: dict[str, tuple[float, int]],
    plan_lines: list[str],
    runs: int,
) -> dict[str, Any]:
    p50 = {label: Spread.of([p(run, 0.5) for run in samples[label]]) for label in sizes}
    p99 = {label: Spread.of([p(run, 0.99) for run in samples[label]]) for label in sizes}
    ratio = Spread.of(
        [
            p(large, 0.5) / p(small, 0.5)
            for small, large in zip(samples["small"], samples["large"], strict=True)
        ]
    )
    ratio_p99 = Spread.of(
        [
            p(large, 0.99) / p(small, 0.99)
            for small, large in zip(samples["small"], samples["large"], strict=True)
        ]
    )
    per_run = len(samples["small"][0]) if samples["small"] else 0
    print(f"scale: {per_run} requests per size and run ({PAGES} pages of {LIMIT}, cursor)")
    for label in sizes:
        print(
            f"scale: {sizes[label]:>9,} rows  p50 {p50[label].show(' ms')}, "
            f"p99 {p99[label].show(' ms')}"
        )
    print(f"scale: ratio p50 large/small  {ratio.show('×', 2)}  (goal ≤ {GOAL}×)")
    print(f"scale: ratio p99 large/small  {ratio_p99.show('×', 2)}")
    print("scale: plan of the first page at the large size:")
    for line in plan_lines:
        print(f"scale:   {line}")
    return {
        "rows_small": sizes["small"],
        "rows_large": sizes["large"],
        "runs": runs,
        "requests_per_size_and_run": per_run,
        "pages": PAGES,
        "limit": LIMIT,
        "filter": {"period_number": 1, "state": STATE},
        "matching_rows": {str(sizes[k]): v[1] for k, v in loaded.items()},
        "load_seconds": {str(sizes[k]): v[0] for k, v in loaded.items()},
        "small_p50_ms": p50["small"].__dict__,
        "small_p99_ms": p99["small"].__dict__,
        "large_p50_ms": p50["large"].__dict__,
        "large_p99_ms": p99["large"].__dict__,
        "ratio": ratio.median,
        "ratio_spread": ratio.__dict__,
        "ratio_p99": ratio_p99.__dict__,
        "summary_line": (
            f"p50 {p50['large'].median:.1f} ms at {sizes['large']:,} rows vs "
            f"{p50['small'].median:.1f} ms at {sizes['small']:,}; p99 "
            f"{p99['large'].median:.1f} vs {p99['small'].median:.1f} ms"
        ),
        "goal": GOAL,
        "plan": plan_lines,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=600, help="per size and run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = main(args.rows, args.small, args.requests, args.runs)
    record("scale", result, {"scale_ratio": result["ratio"]})
