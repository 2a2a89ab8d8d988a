"""Opaque cursors for keyset pagination over (created_at, id)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from shared.errors import RuleViolation


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created_at), uuid.UUID(row_id)
    except (ValueError, TypeError):
        raise RuleViolation(
            "The cursor is not one this API gave out; start again without it.",
            code="invalid_cursor",
            field="cursor",
        ) from None
