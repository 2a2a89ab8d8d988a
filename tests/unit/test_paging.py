"""The one cursor codec of every list."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.errors import RuleViolation
from shared.paging import decode_cursor, encode_cursor


def test_a_cursor_round_trips_and_is_url_safe() -> None:
    at, row_id = datetime(2027, 1, 11, 7, 0, 0, 123456, tzinfo=UTC), uuid.uuid4()
    cursor = encode_cursor(at, row_id)
    assert cursor.replace("-", "").replace("_", "").isalnum()
    assert decode_cursor(cursor) == (at, row_id)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "",
        base64.urlsafe_b64encode(b'["2027-01-11T07:00:00", "x"]').decode(),
        base64.urlsafe_b64encode(
            json.dumps(["2027-01-11T07:00:00", str(uuid.uuid4())]).encode()  # naive time
        ).decode(),
    ],
)
def test_a_cursor_we_did_not_give_out_is_invalid_cursor(cursor: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        decode_cursor(cursor)
    assert (caught.value.code, caught.value.field) == ("invalid_cursor", "cursor")
