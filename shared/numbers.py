"""Integers that are integers: `false` is not 0 and `true` is not 1.

pydantic's lax mode takes a JSON boolean for an `int` field (`"document_increase": false`
becomes 0). Every integer a request takes is an `Integer` instead: a boolean is a 422 naming
the field, while everything else (a JSON number, a query string's digits) is read as before.
Narrow it like an int: `capacity: Integer = Field(ge=1, le=10_000)`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator


def refuse_booleans(value: Any) -> Any:
    """`value` unchanged, or ValueError if it is a boolean (which Python counts as an int)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number here; send an integer")
    return value


Integer = Annotated[int, BeforeValidator(refuse_booleans)]
"""An int of a request that refuses `true` and `false`."""
