"""Staff exports of registrations: read in batches, one short transaction a batch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from services.registration.app.ports import SheetWriter, UnitOfWorkFactory
from services.registration.app.records import RegistrationRecord
from services.registration.domain.listing import Filters, Position

BATCH = 500
EXPORT_COLUMNS = [
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


def export_row(row: RegistrationRecord) -> list[Any]:
    """One registration as a flat row of EXPORT_COLUMNS (the staff export)."""
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


async def batches(units: UnitOfWorkFactory, filters: Filters) -> AsyncIterator[list[Any]]:
    """Every matching registration as a row of values, in (updated_at, id) order."""
    after: Position | None = None
    while True:
        async with units() as uow:
            rows = await uow.registrations.list_page(filters=filters, after=after, limit=BATCH)
        for row in rows:
            yield export_row(row)
        if len(rows) < BATCH:
            return
        after = Position(updated_at=rows[-1].updated_at, id=rows[-1].id)


async def csv_stream(
    units: UnitOfWorkFactory, filters: Filters, *, sheets: SheetWriter
) -> AsyncIterator[str]:
    """The CSV text, header first, produced as the rows are read."""
    yield sheets.header(EXPORT_COLUMNS)
    async for values in batches(units, filters):
        yield sheets.line(values)


async def xlsx_bytes(units: UnitOfWorkFactory, filters: Filters, *, sheets: SheetWriter) -> bytes:
    """The XLSX workbook of every matching registration."""
    rows = [values async for values in batches(units, filters)]
    return await sheets.workbook(EXPORT_COLUMNS, rows)
