"""Committed JSON Schema snapshots of every published (event type, version).

A published version is a promise to every consumer. Its schema is committed beside this
module (`schemas/<event type>.v<version>.json`); `incompatibilities` tells whether the
model's schema today still keeps that promise: no property removed or retyped, no new
required property, no set of allowed values changed. A change that breaks it is a new
version, published beside the old one. `python -m shared.contracts.snapshots` writes the
snapshots of new versions and refreshes compatible ones (`make contracts`); it never
overwrites a snapshot the change would break.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import shared.contracts  # noqa: F401  (registers every payload model)
from shared.events import known_event_types, payload_model

SNAPSHOTS = Path(__file__).parent / "schemas"

Schema = dict[str, Any]


def snapshot_path(event_type: str, version: int) -> Path:
    """Where the snapshot of one (event type, version) lives."""
    return SNAPSHOTS / f"{event_type}.v{version}.json"


def current_schema(event_type: str, version: int) -> Schema:
    """The JSON Schema of the payload model as the code defines it now."""
    return payload_model(event_type, version).model_json_schema(mode="serialization")


def render(schema: Schema) -> str:
    """A snapshot's text: stable key order, one trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _resolve(schema: Schema, root: Schema) -> Schema:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root.get("$defs", {})[name]
    return schema


def _kinds(schema: Schema, root: Schema) -> set[str]:
    """The JSON types a schema admits (`null` included), through anyOf and refs."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return set().union(*(_kinds(option, root) for option in schema["anyOf"]))
    if "const" in schema:
        return {f"const:{json.dumps(schema['const'])}"}
    if "enum" in schema:
        return {f"const:{json.dumps(value)}" for value in schema["enum"]}
    kind = schema.get("type")
    if isinstance(kind, list):
        return set(kind)
    return {kind or "any"} | ({f"format:{schema['format']}"} if "format" in schema else set())


def _objects(schema: Schema, root: Schema) -> list[Schema]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return [o for option in schema["anyOf"] for o in _objects(option, root)]
    return [schema] if "properties" in schema else []


def _items(schema: Schema, root: Schema) -> list[Schema]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return [i for option in schema["anyOf"] for i in _items(option, root)]
    return [schema["items"]] if "items" in schema else []


def incompatibilities(
    old: Schema, new: Schema, *, path: str = "payload", roots: tuple[Schema, Schema] | None = None
) -> list[str]:
    """What in `new` breaks a consumer written against `old`; empty when compatible."""
    old_root, new_root = roots or (old, new)
    problems: list[str] = []
    if _kinds(old, old_root) != _kinds(new, new_root):
        return [f"{path}: type changed from {_kinds(old, old_root)} to {_kinds(new, new_root)}"]
    for old_object, new_object in zip(
        _objects(old, old_root), _objects(new, new_root), strict=False
    ):
        old_props, new_props = old_object["properties"], new_object["properties"]
        for name, old_prop in old_props.items():
            if name not in new_props:
                problems.append(f"{path}.{name}: removed")
                continue
            problems += incompatibilities(
                old_prop, new_props[name], path=f"{path}.{name}", roots=(old_root, new_root)
            )
        added_required = set(new_object.get("required", [])) - set(old_object.get("required", []))
        problems += [f"{path}.{name}: newly required" for name in sorted(added_required)]
    for old_item, new_item in zip(_items(old, old_root), _items(new, new_root), strict=False):
        problems += incompatibilities(
            old_item, new_item, path=f"{path}[]", roots=(old_root, new_root)
        )
    return problems


def write_snapshots() -> list[str]:
    """Write missing snapshots and refresh compatible ones; the lines say what happened."""
    SNAPSHOTS.mkdir(exist_ok=True)
    lines: list[str] = []
    for event_type, version in known_event_types():
        path = snapshot_path(event_type, version)
        schema = current_schema(event_type, version)
        if path.exists():
            old = json.loads(path.read_text(encoding="utf-8"))
            broken = incompatibilities(old, schema)
            if broken:
                lines.append(f"REFUSED {path.name}: " + "; ".join(broken))
                continue
            if path.read_text(encoding="utf-8") == render(schema):
                continue
        path.write_text(render(schema), encoding="utf-8")
        lines.append(f"wrote {path.name}")
    return lines


def main() -> int:
    """`python -m shared.contracts.snapshots`: exit 1 when a change would break a version."""
    lines = write_snapshots()
    for line in lines:
        print(line)
    return 1 if any(line.startswith("REFUSED") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
