"""`make asyncapi`: write the event contract as AsyncAPI 3.0 from the code.

    python deploy/asyncapi.py           # write docs/asyncapi.yaml and shared/asyncapi.json
    python deploy/asyncapi.py --check   # exit 1 when either differs from a fresh generation

The generator (`shared.asyncapi.build_document`) knows the contracts and the topology; which
service consumes what lives in each service, which `shared` must not import. This script may
import both: it builds each service's runtime the way its lifespan does (nothing connects
until `start()`) and reads the work queues and their event types off `runtime.consumers`.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.asyncapi import (
    PACKAGED_NAME,
    Topology,
    build_document,
    render_json,
    render_yaml,
)
from shared.clock import SystemClock
from shared.messaging.topology import queue_names
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parent.parent
YAML_PATH = ROOT / "docs" / "asyncapi.yaml"
JSON_PATH = ROOT / "shared" / PACKAGED_NAME
SERVICES = ("registration", "scheduling", "notifications", "webhooks")


def _settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    named = getattr(module, f"{service.capitalize()}Settings", None)
    if isinstance(named, type) and issubclass(named, ServiceSettings):
        return named
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise RuntimeError(f"services.{service}.settings: no single ServiceSettings subclass")
    return found[0]


def _settings(service: str, topology: Topology) -> ServiceSettings:
    """The service's settings with the documented topology; the environment and .env ignored."""
    cls: Any = _settings_class(service)
    settings: ServiceSettings = cls(
        _env_file=None,
        database_url="sqlite+aiosqlite:///:memory:",
        amqp_url=topology.amqp_url,
        exchange=topology.exchange,
        queue_prefix=topology.queue_prefix,
        retry_delay_ms=topology.retry_delay_ms,
        max_retries=topology.max_retries,
        retry_dead_letter_strategy=topology.retry_strategy,
    )
    return settings


def _build_runtime(service: str, settings: ServiceSettings) -> Any:
    """`main.build_runtime(settings, clock)`, or `(settings)` for an older signature."""
    build = importlib.import_module(f"services.{service}.main").build_runtime
    positional = [
        p
        for p in inspect.signature(build).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) >= 2:
        return build(settings, SystemClock())
    return build(settings)


def _event_types(consumer: Any, specs: Any) -> list[str]:
    """The event types one consumer's work queue is bound to (its handler map's keys)."""
    if isinstance(specs, Sequence):  # the runtime's ConsumerSpecs, public
        for spec in specs:
            if spec.name == consumer.name:
                return sorted(spec.handlers)
    for attribute in ("handlers", "_handlers"):  # else the EventConsumer's own map
        handlers = getattr(consumer, attribute, None)
        if handlers is not None:
            return sorted(handlers)
    raise RuntimeError(f"cannot tell which event types consumer {consumer.name} takes")


def consumer_map(topology: Topology | None = None) -> dict[str, dict[str, list[str]]]:
    """Service → work queue → event types, from each service's runtime."""
    topology = topology or Topology.defaults()
    result: dict[str, dict[str, list[str]]] = {}
    for service in SERVICES:
        settings = _settings(service, topology)
        runtime = _build_runtime(service, settings)
        queues: dict[str, list[str]] = {}
        for consumer in runtime.consumers:
            expected = queue_names(topology.queue_prefix, settings.service_name, consumer.name)
            if consumer.names != expected:
                raise RuntimeError(
                    f"{service}: consumer {consumer.name} uses queues {consumer.names}, "
                    f"not {expected}; shared/asyncapi.py names them with queue_names()"
                )
            queues[consumer.name] = _event_types(consumer, runtime.consumer_specs)
        result[settings.service_name] = queues
    return result


def outputs() -> dict[Path, str]:
    """The files `make asyncapi` writes, with their text."""
    document = build_document(consumer_map())
    return {YAML_PATH: render_yaml(document), JSON_PATH: render_json(document)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a committed output is out of date"
    )
    args = parser.parse_args(argv)
    stale = 0
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        name = path.relative_to(ROOT)
        if args.check:
            print(f"{name} is out of date: run `make asyncapi`", file=sys.stderr)
            stale += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {name}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
