"""The registrations list pages on (updated_at, id); the cursor codec is `shared.paging`."""

from __future__ import annotations

from services.registration.repository import Position
from shared import paging as shared_paging

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(position: Position) -> str:
    """A URL-safe string that `decode_cursor` turns back into the position."""
    return shared_paging.encode_cursor(position.updated_at, position.id)


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names, or 422 `invalid_cursor`."""
    updated_at, row_id = shared_paging.decode_cursor(cursor)
    return Position(updated_at=updated_at, id=row_id)
