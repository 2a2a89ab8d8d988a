"""The intake ceiling: a bare endpoint doing the two inserts of a registration with asyncpg.

    RAW_INTAKE_DSN=postgresql://… uvicorn --factory bench.raw_intake:create_app --workers 1

`POST /v1/registrations` takes the same JSON body as the registration service, builds the
registration row and its `registration.submitted` outbox row from it with no validation at
all, and inserts both in one transaction into the service's own (migrated) tables. No auth,
no rules, no read model: the least any implementation of the endpoint has to do.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.clock import SystemClock

INSERT_REGISTRATION = """
INSERT INTO registrations (
    id, business_id, organisation_name, oid, sector, domain, service, reason,
    period_year, period_number, planned_production_start, vendor_handles_support,
    registration_required, system, customership, contacts, warnings, has_warnings, state,
    submitted_by, submitted_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
          $19, $20, $21, $22)
"""

INSERT_OUTBOX = """
INSERT INTO outbox (event_id, event_type, correlation_id, body, created_at, available_at, attempts)
VALUES ($1, $2, $3, $4, $5, $6, 0)
"""


def _rows(body: dict[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...], uuid.UUID]:
    """Both rows, straight from the body."""
    organisation, period = body["organisation"], body["period"]
    registration_id, event_id, now = uuid.uuid4(), uuid.uuid4(), SystemClock().now()
    registration = (
        registration_id,
        organisation["business_id"],
        organisation["name"],
        organisation["oid"],
        organisation["sector"],
        organisation["domain"],
        body["service"],
        body["reason"],
        period["year"],
        period["number"],
        date.fromisoformat(body["planned_production_start"]),
        body.get("vendor_handles_support", False),
        True,
        json.dumps(body["system"]),
        json.dumps(body["customership"]),
        json.dumps(body["contacts"]),
        "[]",
        False,
        "submitted",
        "raw",
        now,
        now,
    )
    event = {
        "event_id": str(event_id),
        "event_type": "registration.submitted",
        "version": 1,
        "occurred_at": now.isoformat(),
        "producer": "registration",
        "correlation_id": str(event_id),
        "payload": {"registration_id": str(registration_id), "state": "submitted", **body},
    }
    outbox = (
        event_id,
        "registration.submitted",
        str(event_id),
        json.dumps(event),
        now,
        now,
    )
    return registration, outbox, registration_id


def create_app() -> Starlette:
    dsn = os.environ["RAW_INTAKE_DSN"]
    pool_size = int(os.environ.get("RAW_INTAKE_POOL", "10"))
    state: dict[str, asyncpg.Pool] = {}

    async def submit(request: Request) -> Response:
        body = json.loads(await request.body())
        registration, outbox, registration_id = _rows(body)
        async with state["pool"].acquire() as conn, conn.transaction():
            await conn.execute(INSERT_REGISTRATION, *registration)
            await conn.execute(INSERT_OUTBOX, *outbox)
        return Response(
            json.dumps({"id": str(registration_id), "state": "submitted"}),
            status_code=201,
            media_type="application/json",
            headers={"Location": f"/v1/registrations/{registration_id}"},
        )

    async def healthz(request: Request) -> Response:
        return Response('{"status":"ok"}', media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
        try:
            yield
        finally:
            await state["pool"].close()

    return Starlette(
        routes=[
            Route("/v1/registrations", submit, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
