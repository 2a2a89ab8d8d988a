"""Opaque cursors of keyset pagination: the (timestamp, id) of a page's last row.

Every list of every service pages the same way: ordered by a timestamp and the id, a page
asks for rows after the cursor's position. A cursor that is not one we gave out is a 422
`invalid_cursor` naming the `cursor` parameter.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from shared.problems import INVALID_CURSOR
from shared.text import SafeLine

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT} items a page.")]
Cursor = Annotated[
    SafeLine | None,
    Query(max_length=400, description="`next_cursor` of the page before, to read the next."),
]

Item = TypeVar("Item", bound=BaseModel)


class Page(BaseModel, Generic[Item]):
    """One page of a list; pass `next_cursor` as `cursor` for the next one."""

    items: list[Item]
    next_cursor: str | None = Field(default=None, description="Opaque; absent on the last page.")


def encode_cursor(at: datetime, row_id: uuid.UUID) -> str:
    """A URL-safe string that `decode_cursor` turns back into (at, row_id)."""
    raw = json.dumps([at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor names, or RuleViolation `invalid_cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, row_id = json.loads(raw)
        position = (datetime.fromisoformat(at), uuid.UUID(row_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        position = None
    if position is None or position[0].tzinfo is None:
        raise INVALID_CURSOR("The cursor is not one this API gave out; start again without it.")
    return position
