"""Staff exports as files: CSV lines, and an XLSX workbook built in a worker thread."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]


def _defused(value: Any) -> Any:
    # Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class SheetWriter:
    """Rows of values as CSV text or an XLSX workbook (`app.ports.SheetWriter`)."""

    def header(self, columns: list[str]) -> str:
        """The CSV's first line, with a BOM so that spreadsheet programs read UTF-8."""
        return "\ufeff" + self.line(columns)

    def line(self, values: list[Any]) -> str:
        """One CSV line; formula-like cells are defused."""
        buffer = io.StringIO()
        csv.writer(buffer).writerow([_defused(v) for v in values])
        return buffer.getvalue()

    async def workbook(self, columns: list[str], rows: list[list[Any]]) -> bytes:
        """An XLSX workbook of the rows (openpyxl's write-only mode, in a worker thread)."""

        def build() -> bytes:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("registrations")
            sheet.append(columns)
            for values in rows:
                sheet.append([_defused(v) for v in values])
            buffer = io.BytesIO()
            workbook.save(buffer)
            return buffer.getvalue()

        return await asyncio.to_thread(build)
