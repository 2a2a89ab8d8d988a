"""Staff exports of registrations: CSV streamed in batches, XLSX built in a worker thread."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from starlette.concurrency import run_in_threadpool

from services.registration import repository
from services.registration.models import Registration
from services.registration.repository import Filters, Position
from shared.uow import UnitOfWorkFactory

BATCH = 500
COLUMNS = [
    "id",
    "state",
    "business_id",
    "organisation_name",
    "oid",
    "sector",
    "domain",
    "service",
    "reason",
    "period",
    "planned_production_start",
    "certified",
    "registration_required",
    "warnings",
    "existing_customer",
    "contacts",
    "participants",
    "deployed_on",
    "submitted_at",
    "updated_at",
]


def row_values(row: Registration) -> list[Any]:
    """One registration as a flat row of COLUMNS."""
    return [
        str(row.id),
        row.state,
        row.business_id,
        row.organisation_name,
        row.oid,
        row.sector,
        row.domain,
        row.service,
        row.reason,
        f"{row.period_year}/{row.period_number}",
        row.planned_production_start.isoformat(),
        bool(row.system.get("certified")),
        row.registration_required,
        " ".join(w["code"] for w in row.warnings),
        bool(row.customership.get("existing_customer")),
        len(row.contacts),
        sum(1 for c in row.contacts if c.get("participates", True)),
        row.deployed_on.isoformat() if row.deployed_on else "",
        row.submitted_at.isoformat(),
        row.updated_at.isoformat(),
    ]


async def batches(uow_factory: UnitOfWorkFactory, filters: Filters) -> AsyncIterator[list[Any]]:
    """Every matching registration in (updated_at, id) order, one short transaction a batch."""
    after: Position | None = None
    while True:
        async with uow_factory() as uow:
            rows = await repository.list_registrations(
                uow.session, filters=filters, after=after, limit=BATCH
            )
        for row in rows:
            yield row_values(row)
        if len(rows) < BATCH:
            return
        after = Position(updated_at=rows[-1].updated_at, id=rows[-1].id)


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    # Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.
    csv.writer(buffer).writerow([_defused(v) for v in values])
    return buffer.getvalue()


def _defused(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


async def csv_stream(uow_factory: UnitOfWorkFactory, filters: Filters) -> AsyncIterator[str]:
    """The CSV text, header first, produced as the rows are read."""
    yield "\ufeff" + _csv_line(COLUMNS)  # BOM: spreadsheet programs then read UTF-8
    async for values in batches(uow_factory, filters):
        yield _csv_line(values)


async def xlsx_bytes(uow_factory: UnitOfWorkFactory, filters: Filters) -> bytes:
    """An XLSX workbook of the rows (openpyxl's write-only mode, in a worker thread)."""
    rows = [values async for values in batches(uow_factory, filters)]

    def build() -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("registrations")
        sheet.append(COLUMNS)
        for values in rows:
            sheet.append([_defused(v) for v in values])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return await run_in_threadpool(build)
