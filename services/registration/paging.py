"""Opaque cursors of keyset pagination: the (updated_at, id) of a page's last row."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from services.registration.repository import Position
from shared.errors import RuleViolation

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(position: Position) -> str:
    """A URL-safe string that `decode_cursor` turns back into the position."""
    raw = json.dumps({"u": position.updated_at.isoformat(), "i": str(position.id)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names, or 422 `invalid_cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        updated_at = datetime.fromisoformat(data["u"])
        if updated_at.tzinfo is None:
            raise ValueError("naive")
        return Position(updated_at=updated_at, id=uuid.UUID(data["i"]))
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise RuleViolation(
            "The cursor is not one this API gave out; start again without it.",
            code="invalid_cursor",
            field="cursor",
        ) from None
