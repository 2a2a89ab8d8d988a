"""Event contracts are really versioned: a published version never changes incompatibly."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from shared.contracts.snapshots import (
    current_schema,
    incompatibilities,
    render,
    snapshot_path,
)
from shared.events import known_event_types

VERSIONS = known_event_types()


def _snapshot(event_type: str, version: int) -> dict[str, Any]:
    path = snapshot_path(event_type, version)
    assert path.exists(), (
        f"{event_type} v{version} has no committed schema snapshot; run `make contracts` "
        "and commit shared/contracts/schemas/"
    )
    snapshot: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return snapshot


@pytest.mark.parametrize(("event_type", "version"), VERSIONS)
def test_a_published_version_keeps_its_promise(event_type: str, version: int) -> None:
    broken = incompatibilities(_snapshot(event_type, version), current_schema(event_type, version))
    assert not broken, (
        f"{event_type} v{version} changed incompatibly ({'; '.join(broken)}). A published "
        f"version is a promise to its consumers: add version {version + 1} beside it instead."
    )


@pytest.mark.parametrize(("event_type", "version"), VERSIONS)
def test_the_snapshot_is_current(event_type: str, version: int) -> None:
    path = snapshot_path(event_type, version)
    _snapshot(event_type, version)
    assert path.read_text(encoding="utf-8") == render(current_schema(event_type, version)), (
        f"{path.name} is out of date (a compatible change): run `make contracts` and commit it"
    )


def test_every_snapshot_names_a_published_version() -> None:
    folder = snapshot_path("x", 1).parent
    names = {p.name for p in folder.glob("*.json")}
    assert names == {snapshot_path(t, v).name for t, v in VERSIONS}


OLD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "state": {"enum": ["submitted", "accepted"]},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "contact": {"$ref": "#/$defs/Contact"},
        "items": {"type": "array", "items": {"$ref": "#/$defs/Contact"}},
    },
    "required": ["id", "state", "contact", "items"],
    "$defs": {
        "Contact": {
            "type": "object",
            "properties": {"email": {"type": "string"}},
            "required": ["email"],
        }
    },
}


def _changed(edit: Any) -> list[str]:
    new = copy.deepcopy(OLD)
    edit(new)
    return incompatibilities(OLD, new)


def test_the_check_sees_each_kind_of_break() -> None:
    assert incompatibilities(OLD, copy.deepcopy(OLD)) == []
    assert _changed(lambda s: s["properties"].pop("note")) == ["payload.note: removed"]
    assert _changed(lambda s: s["properties"]["id"].update(type="integer"))
    assert _changed(lambda s: s["properties"]["state"]["enum"].append("moved"))
    assert _changed(lambda s: s["required"].append("note")) == ["payload.note: newly required"]
    nested = _changed(lambda s: s["$defs"]["Contact"]["properties"].pop("email"))
    assert "payload.contact.email: removed" in nested
    assert "payload.items[].email: removed" in nested
    # An optional new field is compatible: old consumers ignore it.
    assert _changed(lambda s: s["properties"].update(extra={"type": "string"})) == []
