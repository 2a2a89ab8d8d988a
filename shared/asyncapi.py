"""The event contract as an AsyncAPI 3.0.0 document, generated from the code that defines it.

Everything in the document is read from the code, not restated: the payload models
(`shared.contracts`, one JSON Schema each, `mode="serialization"` like the snapshots), the
envelope (`shared.events.Envelope`, which is the message body), the envelope → AMQP
properties mapping (`shared.messaging.amqp.to_amqp_message`, applied to two sample
envelopes), the queues and their arguments (`shared.messaging.topology`, whose declarations
are run against a channel that only records them) and the defaults of `ServiceSettings`
(exchange, queue prefix, retry delay, maximum retries, the example broker address).

What the platform cannot know is which service consumes what: that lives in each service's
`consumers.py`, and `shared` does not import the services. So `build_document` takes the
consumer map (service → work queue → event types) as a parameter; `deploy/asyncapi.py`
(`make asyncapi`) builds it from the services' runtimes and writes the two outputs:
`docs/asyncapi.yaml`, to read and review, and `shared/asyncapi.json`, shipped inside this
package (package data). Which service produces an event is fixed per contract module
(`PRODUCERS`).

Layout of the document:
- one channel per event type: its routing key on the durable topic exchange (AMQP channel
  binding `is: routingKey`), one message per published version;
- per consumer, three queue channels (`is: queue`): the work queue, its retry queue and its
  dead-letter queue; what the AMQP binding cannot say (quorum type, delivery limit, the retry
  delay, where each queue dead-letters to, which routing keys are bound) is in `x-arguments`
  (the declaration arguments, verbatim) and `x-` fields of the channel;
- a `send` operation per event type (the producing service) and a `receive` operation per
  work queue (the consuming service);
- per message: the envelope as payload (with `event_type`, `version` fixed and `payload`
  the model's schema), the AMQP headers table as `headers` (`x-event-version`), and in the
  AMQP message binding the `x-properties` each envelope field is copied to (`message_id` =
  `event_id`, `type` = `event_type`, ...).

Served at `GET /asyncapi.json` by every service (`shared.app`). Decision: each service serves
the same system-wide document, the packaged `shared/asyncapi.json`, not one built from its
own runtime: a running service sees only its own consumers, and the contract is the whole
system's (who publishes what, who listens). The product does not read repository files at
run time; the JSON travels in the package like the catalogue. `tests/unit/test_asyncapi.py`
fails when either committed output differs from a fresh generation (`make asyncapi`).
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import json
import uuid
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import aio_pika
from pydantic.json_schema import models_json_schema

import shared.contracts  # noqa: F401  (registers every payload model)
from shared.events import Envelope, EventPayload, known_event_types, payload_model
from shared.messaging.amqp import to_amqp_message
from shared.messaging.inbox import REASON_HEADER, RETRY_COUNT_HEADER
from shared.messaging.topology import declare_consumer_queues, declare_exchange, queue_names
from shared.settings import ServiceSettings

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
DOCUMENT_VERSION = "0.1.0"  # the services' API version (shared.app)
PACKAGED_NAME = "asyncapi.json"

ConsumerMap = Mapping[str, Mapping[str, Iterable[str]]]
"""Service → work queue (consumer name) → the event types bound to it."""

Document = dict[str, Any]

# The producing service of each contract module (the module docstrings say the same).
PRODUCERS: Mapping[str, str] = {
    "shared.contracts.registration": "registration",
    "shared.contracts.scheduling": "scheduling",
    "shared.contracts.extension": "registration",
    "shared.contracts.webhooks": "webhooks",
}

SERVICE_DESCRIPTIONS: Mapping[str, str] = {
    "registration": "Registrations of organisations for deployment periods; the extension "
    "of use (notices, deployment tests, customership).",
    "scheduling": "Deployment periods, preparation and training sessions, enrolments.",
    "notifications": "Mail to contacts and participants, with calendar invitations.",
    "webhooks": "Signed webhooks (Standard Webhooks 1.0) to organisations' own systems.",
}

# Headers the consumer adds to the copies it moves to a retry or dead-letter queue
# (shared.messaging.inbox: `_retry_or_dead_letter`, `_dead_letter`).
RETRY_HEADERS: Mapping[str, str] = {
    RETRY_COUNT_HEADER: "How many times the handler failed so far (integer).",
}
DEAD_LETTER_HEADERS: Mapping[str, str] = {
    REASON_HEADER: "Why the message failed for good, for a person to act on.",
    "x-exception": "The exception's class name.",
    "x-traceback": "The end of the traceback.",
    "x-failed-at": "When it failed (ISO 8601, UTC).",
    "x-consumer": "The consumer, `<service>.<work queue>`.",
    "x-original-routing-key": "The routing key (event type) it was published with.",
}


@dataclass(frozen=True)
class Topology:
    """The broker settings the document describes (the `ServiceSettings` defaults)."""

    exchange: str
    queue_prefix: str
    retry_delay_ms: int
    max_retries: int
    retry_strategy: str
    amqp_url: str

    @classmethod
    def defaults(cls) -> Topology:
        fields = ServiceSettings.model_fields
        return cls(
            exchange=fields["exchange"].default,
            queue_prefix=fields["queue_prefix"].default,
            retry_delay_ms=fields["retry_delay_ms"].default,
            max_retries=fields["max_retries"].default,
            retry_strategy=fields["retry_dead_letter_strategy"].default,
            amqp_url=fields["amqp_url"].default,
        )

    @property
    def host(self) -> str:
        parts = urlsplit(self.amqp_url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.hostname}{port}"

    @property
    def vhost(self) -> str:
        path = urlsplit(self.amqp_url).path
        return path[1:] if len(path) > 1 else "/"


# --- what the code declares, read by running it -------------------------------------------

T = TypeVar("T")


def _run_now(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (it awaits only the recorder below)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise RuntimeError("the topology declaration awaited real I/O; update shared/asyncapi.py")


@dataclass
class _Declared:
    name: str
    durable: bool
    exclusive: bool
    auto_delete: bool
    arguments: dict[str, Any]
    routing_keys: list[tuple[str, str]] = field(default_factory=list)

    async def bind(self, exchange: Any, routing_key: str | None = None, **_: Any) -> None:
        self.routing_keys.append((exchange.name, routing_key or ""))


@dataclass
class _DeclaredExchange:
    name: str
    type: str
    durable: bool
    auto_delete: bool


class _RecordingChannel:
    """Stands in for an aio-pika channel: records what is declared, talks to nobody."""

    def __init__(self) -> None:
        self.queues: dict[str, _Declared] = {}
        self.exchanges: dict[str, _DeclaredExchange] = {}

    async def declare_exchange(
        self,
        name: str,
        type: aio_pika.ExchangeType | str = aio_pika.ExchangeType.DIRECT,
        *,
        durable: bool = False,
        auto_delete: bool = False,
        **_: Any,
    ) -> _DeclaredExchange:
        kind = type.value if isinstance(type, aio_pika.ExchangeType) else type
        exchange = _DeclaredExchange(name, kind, durable, auto_delete)
        self.exchanges[name] = exchange
        return exchange

    async def declare_queue(
        self,
        name: str,
        *,
        durable: bool = False,
        exclusive: bool = False,
        auto_delete: bool = False,
        arguments: dict[str, Any] | None = None,
        **_: Any,
    ) -> _Declared:
        queue = _Declared(name, durable, exclusive, auto_delete, dict(arguments or {}))
        self.queues[name] = queue
        return queue


def _declared_exchange(topology: Topology) -> _DeclaredExchange:
    channel = _RecordingChannel()
    _run_now(declare_exchange(cast(Any, channel), topology.exchange))
    return channel.exchanges[topology.exchange]


def _declared_queues(
    topology: Topology, service: str, consumer: str, routing_keys: list[str]
) -> dict[str, _Declared]:
    channel = _RecordingChannel()
    exchange = _declared_exchange(topology)
    _run_now(
        declare_consumer_queues(
            cast(Any, channel),
            exchange=cast(Any, exchange),
            names=queue_names(topology.queue_prefix, service, consumer),
            routing_keys=routing_keys,
            retry_delay_ms=topology.retry_delay_ms,
            retry_strategy=topology.retry_strategy,
        )
    )
    return channel.queues


@dataclass(frozen=True)
class _Source:
    """Where an AMQP property comes from: an envelope field, or a constant."""

    field: str | None = None
    value: Any = None

    def describe(self) -> dict[str, Any]:
        if self.field is not None:
            return {"envelopeField": self.field}
        return {"value": self.value}


def _sample(n: int) -> Envelope:
    return Envelope(
        event_id=uuid.UUID(int=n),
        event_type=f"sample.event{n}",
        version=n,
        occurred_at=datetime(2000 + n, 1, 1, tzinfo=UTC),
        producer=f"producer{n}",
        correlation_id=f"correlation{n}",
        payload={},
    )


def _sources(values: list[Any], envelopes: list[Envelope]) -> _Source | None:
    for name in Envelope.model_fields:
        if name == "payload":
            continue
        fields = [getattr(e, name) for e in envelopes]
        if values == fields or values == [str(f) for f in fields]:
            return _Source(field=name)
    if all(v == values[0] for v in values):
        return _Source(value=values[0])
    return None


@functools.cache
def amqp_mapping() -> tuple[dict[str, _Source], dict[str, _Source]]:
    """(properties, headers): what `to_amqp_message` sets, each from its envelope field.

    Read off two sample envelopes that differ in every field; properties left at aio-pika's
    defaults are not listed.
    """
    envelopes = [_sample(1), _sample(2)]
    infos: list[dict[str, Any]] = [dict(to_amqp_message(e).info()) for e in envelopes]
    defaults: dict[str, Any] = dict(aio_pika.Message(body=b"").info())
    properties: dict[str, _Source] = {}
    for name, default in defaults.items():
        if name in ("headers", "body_size"):
            continue
        values = [_plain(info[name]) for info in infos]
        if all(v == _plain(default) for v in values):
            continue
        source = _sources(values, envelopes)
        if source is None:
            raise RuntimeError(f"AMQP property {name} maps to no envelope field")
        properties[name] = source
    headers: dict[str, _Source] = {}
    for name in sorted(set().union(*(info["headers"] or {} for info in infos))):
        values = [(info["headers"] or {}).get(name) for info in infos]
        source = _sources(values, envelopes)
        if source is None:
            raise RuntimeError(f"AMQP header {name} maps to no envelope field")
        headers[name] = source
    return properties, headers


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, aio_pika.DeliveryMode) else value


# --- the document ---------------------------------------------------------------------------


def producer_of(model: type[EventPayload]) -> str:
    """The service that publishes this payload model's events."""
    try:
        return PRODUCERS[model.__module__]
    except KeyError:
        raise ValueError(
            f"{model.__module__} is not in shared.asyncapi.PRODUCERS: name its producing service"
        ) from None


def _message_id(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}"


def _doc(model: type[EventPayload]) -> tuple[str | None, str | None]:
    """(summary, description) from the model's own docstring, if it has one."""
    text = model.__dict__.get("__doc__")
    if not text:
        return None, None
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return paragraphs[0], "\n\n".join(paragraphs[1:]) or None


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _envelope_schema(
    event_type: str, version: int, producer: str, payload_ref: dict[str, Any]
) -> dict[str, Any]:
    schema = copy.deepcopy(Envelope.model_json_schema(mode="serialization"))
    schema["title"] = f"{event_type} v{version}"
    schema["description"] = (
        "The event envelope (the message body). `payload` is the event's own data; "
        "consumers read it as tolerant readers (unknown fields are ignored)."
    )
    properties = schema["properties"]
    properties["event_type"] = {**properties["event_type"], "const": event_type}
    properties["version"] = {**properties["version"], "const": version}
    properties["producer"] = {
        **properties["producer"],
        "description": f"The producing service (`{producer}`).",
    }
    properties["payload"] = payload_ref
    return schema


def _message(
    model: type[EventPayload], producer: str, payload_ref: dict[str, Any]
) -> dict[str, Any]:
    event_type, version = model.event_type, model.version
    properties, headers = amqp_mapping()
    summary, description = _doc(model)
    header_schema: dict[str, Any] = {
        "type": "object",
        "description": "The AMQP headers table. Copies in a retry or dead-letter queue carry "
        "more (see those channels).",
        "properties": {},
        "required": [],
    }
    # The envelope fields every message of this event type and version has the same value of.
    fixed: dict[str, Any] = {"event_type": event_type, "version": version, "producer": producer}
    for name, source in headers.items():
        header: dict[str, Any] = {"description": "Constant."}
        if source.field is not None:
            header = {"description": f"The envelope's `{source.field}`."}
        value = fixed.get(source.field, source.value) if source.field else source.value
        if value is not None:
            header = {"type": "integer" if isinstance(value, int) else "string", "const": value}
            header["description"] = (
                f"The envelope's `{source.field}`." if source.field else "Constant."
            )
        header_schema["properties"][name] = header
        header_schema["required"].append(name)
    amqp_properties = {
        name: {
            **source.describe(),
            **({"value": fixed[source.field]} if source.field in fixed else {}),
        }
        for name, source in properties.items()
    }
    return _without_none(
        {
            "name": _message_id(event_type, version),
            "title": f"{event_type} v{version}",
            "summary": summary,
            "description": description,
            "contentType": properties["content_type"].value
            if "content_type" in properties
            else None,
            "headers": header_schema,
            "payload": _envelope_schema(event_type, version, producer, payload_ref),
            "correlationId": {
                "description": "Carried from the request that caused the event through every "
                "event that follows it; also in the AMQP `correlation_id` property.",
                "location": "$message.payload#/correlation_id",
            },
            "tags": [{"name": producer}],
            "bindings": {
                "amqp": {
                    "messageType": event_type,
                    "bindingVersion": AMQP_BINDING_VERSION,
                    "x-properties": amqp_properties,
                }
            },
            "x-event-type": event_type,
            "x-event-version": version,
            "x-producer": producer,
            "x-expects-consumers": model.expects_consumers,
        }
    )


def _queue_binding(queue: _Declared, vhost: str) -> dict[str, Any]:
    return {
        "amqp": {
            "is": "queue",
            "queue": {
                "name": queue.name,
                "durable": queue.durable,
                "exclusive": queue.exclusive,
                "autoDelete": queue.auto_delete,
                "vhost": vhost,
            },
            "bindingVersion": AMQP_BINDING_VERSION,
            "x-arguments": queue.arguments,
        }
    }


def _dead_letters_to(queue: _Declared) -> str | None:
    target = queue.arguments.get("x-dead-letter-routing-key")
    return str(target) if target is not None else None


def build_document(consumers: ConsumerMap, *, topology: Topology | None = None) -> Document:
    """The AsyncAPI 3.0.0 document of every registered event and the given consumers.

    `consumers`: service → work queue → event types (see `deploy/asyncapi.py`). An event type
    that is not a registered contract is an error.
    """
    topology = topology or Topology.defaults()
    events = known_event_types()
    models = [payload_model(t, v) for t, v in events]
    known = {t for t, _ in events}
    refs, definitions = models_json_schema(
        [(m, "serialization") for m in models], ref_template="#/components/schemas/{model}"
    )
    exchange = _declared_exchange(topology)

    bound: dict[str, list[tuple[str, str]]] = {}  # event type → (service, consumer)
    wiring: list[tuple[str, str, list[str]]] = []
    for service in sorted(consumers):
        for consumer in sorted(consumers[service]):
            types = sorted(set(consumers[service][consumer]))
            unknown = [t for t in types if t not in known]
            if unknown:
                raise ValueError(f"{service}.{consumer} consumes unregistered events {unknown}")
            wiring.append((service, consumer, types))
            for event_type in types:
                bound.setdefault(event_type, []).append((service, consumer))

    messages: dict[str, Any] = {}
    versions: dict[str, list[str]] = {}  # event type → message ids
    for model in models:
        producer = producer_of(model)
        ref = refs[(model, "serialization")]
        message_id = _message_id(model.event_type, model.version)
        messages[message_id] = _message(model, producer, ref)
        versions.setdefault(model.event_type, []).append(message_id)

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event_type, ids in versions.items():
        model = payload_model(event_type, int(ids[-1].rsplit(".v", 1)[1]))
        producer = producer_of(model)
        listeners = [
            queue_names(topology.queue_prefix, s, c).work for s, c in bound.get(event_type, [])
        ]
        channels[event_type] = {
            "address": event_type,
            "title": event_type,
            "description": f"Routing key `{event_type}` on the `{exchange.name}` topic "
            f"exchange; published by the {producer} service."
            + (
                f" Bound to {', '.join(f'`{q}`' for q in listeners)}."
                if listeners
                else " Bound to no queue"
                + (" (published for the record)." if not model.expects_consumers else ".")
            ),
            "messages": {i: {"$ref": f"#/components/messages/{i}"} for i in ids},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {
                        "name": exchange.name,
                        "type": exchange.type,
                        "durable": exchange.durable,
                        "autoDelete": exchange.auto_delete,
                        "vhost": topology.vhost,
                    },
                    "bindingVersion": AMQP_BINDING_VERSION,
                }
            },
            "x-producer": producer,
            "x-bound-queues": listeners,
        }
        operations[f"send.{event_type}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{event_type}"},
            "title": f"{producer} publishes {event_type}",
            "summary": f"The {producer} service publishes `{event_type}` through its "
            "transactional outbox, with publisher confirms.",
            "messages": [{"$ref": f"#/channels/{event_type}/messages/{i}"} for i in ids],
            "tags": [{"name": producer}],
            "bindings": {
                "amqp": {
                    "deliveryMode": amqp_mapping()[0]["delivery_mode"].value,
                    "mandatory": model.expects_consumers,
                    "timestamp": "timestamp" in amqp_mapping()[0],
                    "bindingVersion": AMQP_BINDING_VERSION,
                }
            },
        }

    for service, consumer, types in wiring:
        names = queue_names(topology.queue_prefix, service, consumer)
        declared = _declared_queues(topology, service, consumer, types)
        work, retry, dead = (declared[n] for n in (names.work, names.retry, names.dead_letter))
        ids = [i for t in types for i in versions[t]]
        consumer_messages = {i: {"$ref": f"#/components/messages/{i}"} for i in ids}
        for channel_id in (work.name, retry.name, dead.name):
            if channel_id in channels:
                raise ValueError(f"queue {channel_id} has the name of an event type")
        channels[work.name] = {
            "address": work.name,
            "title": f"{service}: {consumer} (work queue)",
            "description": f"The {service} service's `{consumer}` consumer reads this quorum "
            f"queue. A failed handler's message goes to `{retry.name}` up to "
            f"{topology.max_retries} times, then to `{dead.name}`; a message redelivered "
            f"{work.arguments.get('x-delivery-limit')} times without an ack is dead-lettered "
            "there by the broker.",
            "messages": copy.deepcopy(consumer_messages),
            "bindings": _queue_binding(work, topology.vhost),
            "x-queue-role": "work",
            "x-service": service,
            "x-consumer": consumer,
            "x-exchange-bindings": [
                {"exchange": e, "routingKey": k} for e, k in sorted(work.routing_keys)
            ],
            "x-max-retries": topology.max_retries,
            "x-retry-queue": retry.name,
            "x-dead-letter-queue": _dead_letters_to(work),
        }
        channels[retry.name] = {
            "address": retry.name,
            "title": f"{service}: {consumer} (retry queue)",
            "description": f"A message whose handler failed waits here "
            f"{topology.retry_delay_ms} ms (`x-message-ttl`), then the broker dead-letters "
            f"it back to `{_dead_letters_to(retry)}`. The copy carries the headers in "
            "`x-added-headers`.",
            "messages": copy.deepcopy(consumer_messages),
            "bindings": _queue_binding(retry, topology.vhost),
            "x-queue-role": "retry",
            "x-service": service,
            "x-consumer": consumer,
            "x-retry-delay-ms": retry.arguments.get("x-message-ttl"),
            "x-returns-to": _dead_letters_to(retry),
            "x-added-headers": dict(RETRY_HEADERS),
        }
        channels[dead.name] = {
            "address": dead.name,
            "title": f"{service}: {consumer} (dead-letter queue)",
            "description": "Messages that failed for good (malformed, unknown, invalid, or "
            "the handler failed every retry), kept for staff (`kanta-dead-letters`). The "
            "copy carries the headers in `x-added-headers`.",
            "messages": copy.deepcopy(consumer_messages),
            "bindings": _queue_binding(dead, topology.vhost),
            "x-queue-role": "dead-letter",
            "x-service": service,
            "x-consumer": consumer,
            "x-added-headers": dict(DEAD_LETTER_HEADERS),
        }
        operations[f"receive.{service}.{consumer}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{work.name}"},
            "title": f"{service} consumes {consumer}",
            "summary": f"The {service} service applies each event once (inbox), then acks.",
            "messages": [{"$ref": f"#/channels/{work.name}/messages/{i}"} for i in ids],
            "tags": [{"name": service}],
            "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }

    services = sorted(
        {producer_of(m) for m in models} | {s for s, _, _ in wiring},
    )
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Kanta deployments: events",
            "version": DOCUMENT_VERSION,
            "description": _INFO_DESCRIPTION.format(exchange=exchange.name),
            "tags": [
                _without_none({"name": s, "description": SERVICE_DESCRIPTIONS.get(s)})
                for s in services
            ],
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": topology.host,
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "pathname": topology.vhost,
                "title": "Local RabbitMQ",
                "description": "An example: the broker of `make run` and the tests. Every "
                "deployment sets its own `AMQP_URL`.",
                "security": [{"$ref": "#/components/securitySchemes/userPassword"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": definitions["$defs"],
            "messages": messages,
            "securitySchemes": {
                "userPassword": {
                    "type": "userPassword",
                    "description": "A RabbitMQ user, from the services' `AMQP_URL`.",
                }
            },
        },
    }


_INFO_DESCRIPTION = """\
Every event is published to the durable topic exchange `{exchange}` with its event type as \
the routing key. The message body is the envelope (JSON); its fields are also copied to the \
AMQP properties (`bindings.amqp.x-properties` of each message) and the version to the \
`x-event-version` header. Each consuming service has, per consumer, a quorum work queue \
bound by event type, a retry queue and a dead-letter queue.

An incompatible change to an event is a new version, published beside the old one for a \
while. Generated from the code (`make asyncapi`); queue and exchange names are those of the \
default settings (`EXCHANGE`, `QUEUE_PREFIX`)."""


# --- outputs ----------------------------------------------------------------------------------


def render_json(document: Document) -> str:
    """The packaged JSON text: stable, one trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_yaml(document: Document) -> str:
    """The YAML text of docs/asyncapi.yaml (PyYAML, a development dependency)."""
    import yaml

    header = "# Generated by `make asyncapi` (deploy/asyncapi.py) from the code: do not edit.\n"
    # Through JSON: no object appears twice, so no YAML &anchors; each part reads alone.
    plain = json.loads(render_json(document))
    body = yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)
    return header + str(body)


@functools.cache
def packaged_text() -> bytes:
    """The committed document shipped in this package (`shared/asyncapi.json`)."""
    return importlib.resources.files("shared").joinpath(PACKAGED_NAME).read_bytes()
