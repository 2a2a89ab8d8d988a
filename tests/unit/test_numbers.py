"""#15 item 11: booleans are not integers (`shared.numbers.Integer`)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from shared.numbers import Integer


class Notice(BaseModel):
    document_increase: Integer = Field(ge=0, le=10_000_000_000)
    capacity: Integer | None = None


@pytest.mark.parametrize(
    "body",
    [
        '{"document_increase": false}',
        '{"document_increase": true}',
        '{"document_increase": 1, "capacity": true}',
    ],
)
def test_a_json_boolean_is_refused_naming_the_field(body: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Notice.model_validate_json(body)
    (error,) = caught.value.errors()
    assert error["type"] == "value_error"
    assert "boolean" in error["msg"]


def test_numbers_are_read_as_before() -> None:
    assert Notice.model_validate_json('{"document_increase": 0}').document_increase == 0
    assert Notice.model_validate_json('{"document_increase": 650000}').document_increase == 650000
    # A query string's digits (FastAPI validates them in Python mode) still count.
    assert Notice.model_validate({"document_increase": "12"}).document_increase == 12
    with pytest.raises(ValidationError):
        Notice.model_validate_json('{"document_increase": -1}')


def test_the_schema_still_says_integer() -> None:
    field = Notice.model_json_schema()["properties"]["document_increase"]
    assert field == {
        "maximum": 10_000_000_000,
        "minimum": 0,
        "title": "Document Increase",
        "type": "integer",
    }


def test_a_plain_int_takes_false_as_zero_which_is_why_integer_exists() -> None:
    class Lax(BaseModel):
        document_increase: int

    assert Lax.model_validate_json('{"document_increase": false}').document_increase == 0
