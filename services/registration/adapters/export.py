"""Staff exports as files: CSV lines, and an XLSX workbook built in a worker thread."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import unicodedata
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

# Defence in depth: the API refuses control characters, but a cell never trusts its row.
# C0 and C1 controls (NUL included) and DEL are dropped, except TAB, LF and CR, which CSV
# quotes; XLSX (XML 1.0) cannot hold any C0 control but those three either.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _cell(value: Any) -> Any:
    """A value as a cell: control characters stripped, formula-like text defused."""
    if not isinstance(value, str):
        return value
    value = _CONTROLS.sub("", value)
    # Lone surrogates cannot be encoded to UTF-8 in either file.
    if any(unicodedata.category(char) == "Cs" for char in value):
        value = value.encode("utf-8", "replace").decode("utf-8")
    # Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.
    if value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class SheetWriter:
    """Rows of values as CSV text or an XLSX workbook (`app.ports.SheetWriter`)."""

    def header(self, columns: list[str]) -> str:
        """The CSV's first line, with a BOM so that spreadsheet programs read UTF-8."""
        return "\ufeff" + self.line(columns)

    def line(self, values: list[Any]) -> str:
        """One CSV line; control characters are stripped, formula-like cells defused."""
        buffer = io.StringIO()
        csv.writer(buffer).writerow([_cell(v) for v in values])
        return buffer.getvalue()

    async def workbook(self, columns: list[str], rows: list[list[Any]]) -> bytes:
        """An XLSX workbook of the rows (openpyxl's write-only mode, in a worker thread)."""

        def build() -> bytes:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("registrations")
            sheet.append(columns)
            for values in rows:
                sheet.append([_cell(v) for v in values])
            buffer = io.BytesIO()
            workbook.save(buffer)
            return buffer.getvalue()

        return await asyncio.to_thread(build)
