"""The event contract as AsyncAPI 3.0: generated from the code, committed, valid, served."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from deploy.asyncapi import JSON_PATH, ROOT, YAML_PATH, consumer_map, outputs
from shared.app import create_service_app
from shared.asyncapi import build_document, packaged_text, render_json, render_yaml
from shared.events import known_event_types, payload_model
from shared.messaging.topology import DELIVERY_LIMIT
from shared.settings import ServiceSettings

NODE_DIR = ROOT / "tests" / "asyncapi"

HAND_MAP = {
    "scheduling": {"registrations": ["registration.submitted", "registration.accepted"]},
    "notifications": {
        "registrations": ["registration.submitted"],
        "scheduling": ["period.published"],
    },
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document of the real system: every service's consumers."""
    return build_document(consumer_map())


@pytest.fixture(scope="module")
def hand_document() -> dict[str, Any]:
    """A document from a hand-written consumer map: needs none of the services."""
    return build_document(HAND_MAP)


def test_committed_documents_are_up_to_date() -> None:
    for path, text in outputs().items():
        name = path.relative_to(ROOT)
        assert path.exists(), f"{name} is missing: run `make asyncapi` and commit it"
        assert path.read_text(encoding="utf-8") == text, (
            f"{name} differs from the contracts and consumers in the code: "
            "run `make asyncapi` and commit the result"
        )
    assert packaged_text() == JSON_PATH.read_bytes()


def test_an_event_expects_consumers_exactly_when_a_queue_is_bound_to_it(
    document: dict[str, Any],
) -> None:
    # A publish with `mandatory` stays in the outbox while no queue is bound (shared.events).
    for event_type, version in known_event_types():
        bound = document["channels"][event_type]["x-bound-queues"]
        expects = payload_model(event_type, version).expects_consumers
        assert bool(bound) == expects, f"{event_type} v{version}: expects {expects}, {bound}"


@pytest.fixture(scope="session")
def asyncapi_parser() -> Path:
    """tests/asyncapi/validate.mjs, with @asyncapi/parser installed (npm ci on a fresh clone)."""
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: the AsyncAPI validation needs Node.js 18 or later")
    if not (NODE_DIR / "node_modules" / "@asyncapi" / "parser").is_dir():
        subprocess.run(
            ["sh", str(ROOT / "deploy" / "ensure_node_tools.sh")], check=True, timeout=300
        )
    return NODE_DIR / "validate.mjs"


def _validate(script: Path, *paths: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["node", str(script), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SCARF_ANALYTICS": "false"},
        cwd=NODE_DIR,
    )
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == len(paths), result.stderr
    return reports


def test_the_document_passes_the_asyncapi_parser(
    document: dict[str, Any], asyncapi_parser: Path, tmp_path: Path
) -> None:
    (tmp_path / "asyncapi.yaml").write_text(render_yaml(document), encoding="utf-8")
    (tmp_path / "asyncapi.json").write_text(render_json(document), encoding="utf-8")
    reports = _validate(asyncapi_parser, tmp_path / "asyncapi.yaml", tmp_path / "asyncapi.json")
    for report in reports:
        errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
        assert errors == [] and report["valid"], report["file"]


def test_the_parser_reports_a_broken_document(
    hand_document: dict[str, Any], asyncapi_parser: Path, tmp_path: Path
) -> None:
    broken = json.loads(render_json(hand_document))
    broken["channels"]["registration.submitted"]["bindings"]["amqp"]["is"] = "exchange"
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    (report,) = _validate(asyncapi_parser, tmp_path / "broken.json")
    assert not report["valid"]
    assert any(d["severity"] == "error" for d in report["diagnostics"])


def test_one_channel_per_event_type_on_the_topic_exchange(hand_document: dict[str, Any]) -> None:
    channels = hand_document["channels"]
    for event_type, version in known_event_types():
        channel = channels[event_type]
        assert channel["address"] == event_type
        assert channel["bindings"]["amqp"]["is"] == "routingKey"
        assert channel["bindings"]["amqp"]["exchange"] == {
            "name": "kanta.events",
            "type": "topic",
            "durable": True,
            "autoDelete": False,
            "vhost": "/",
        }
        assert f"{event_type}.v{version}" in channel["messages"]
    assert channels["registration.submitted"]["x-bound-queues"] == [
        "kanta.notifications.registrations",
        "kanta.scheduling.registrations",
    ]
    assert hand_document["servers"]["local"]["protocol"] == "amqp"


def test_each_consumer_has_its_work_retry_and_dead_letter_queues(
    hand_document: dict[str, Any],
) -> None:
    channels = hand_document["channels"]
    work = channels["kanta.scheduling.registrations"]
    retry = channels["kanta.scheduling.registrations.retry"]
    dead = channels["kanta.scheduling.registrations.dlq"]
    for channel in (work, retry, dead):
        binding = channel["bindings"]["amqp"]
        assert binding["is"] == "queue" and binding["queue"]["durable"] is True
        assert binding["x-arguments"]["x-queue-type"] == "quorum"
    assert work["x-exchange-bindings"] == [
        {"exchange": "kanta.events", "routingKey": "registration.accepted"},
        {"exchange": "kanta.events", "routingKey": "registration.submitted"},
    ]
    assert work["bindings"]["amqp"]["x-arguments"]["x-delivery-limit"] == DELIVERY_LIMIT
    assert work["x-dead-letter-queue"] == "kanta.scheduling.registrations.dlq"
    assert work["x-max-retries"] == ServiceSettings.model_fields["max_retries"].default
    delay = ServiceSettings.model_fields["retry_delay_ms"].default
    assert retry["bindings"]["amqp"]["x-arguments"]["x-message-ttl"] == delay
    assert retry["x-retry-delay-ms"] == delay
    assert retry["x-returns-to"] == "kanta.scheduling.registrations"
    assert "x-dead-letter-reason" in dead["x-added-headers"]
    assert sorted(work["messages"]) == ["registration.accepted.v1", "registration.submitted.v1"]


def test_operations_send_by_the_producer_and_receive_by_each_work_queue(
    hand_document: dict[str, Any],
) -> None:
    operations = hand_document["operations"]
    send = operations["send.registration.submitted"]
    assert send["action"] == "send"
    assert send["channel"] == {"$ref": "#/channels/registration.submitted"}
    assert send["tags"] == [{"name": "registration"}]
    assert send["bindings"]["amqp"]["deliveryMode"] == 2
    assert send["bindings"]["amqp"]["mandatory"] is True
    assert operations["send.customership.formed"]["bindings"]["amqp"]["mandatory"] is False
    assert operations["send.period.published"]["tags"] == [{"name": "scheduling"}]
    assert operations["send.notice.received"]["tags"] == [{"name": "registration"}]
    receive = operations["receive.notifications.scheduling"]
    assert receive["action"] == "receive"
    assert receive["channel"] == {"$ref": "#/channels/kanta.notifications.scheduling"}
    assert receive["messages"] == [
        {"$ref": "#/channels/kanta.notifications.scheduling/messages/period.published.v1"}
    ]
    assert sorted(op for op in operations if op.startswith("receive.")) == [
        "receive.notifications.registrations",
        "receive.notifications.scheduling",
        "receive.scheduling.registrations",
    ]


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_a_message_is_the_envelope_with_its_payload_model_and_amqp_properties(
    hand_document: dict[str, Any],
) -> None:
    message = hand_document["components"]["messages"]["registration.submitted.v1"]
    assert message["x-event-version"] == 1 and message["contentType"] == "application/json"
    body = message["payload"]["properties"]
    assert body["event_type"]["const"] == "registration.submitted"
    assert body["version"]["const"] == 1
    payload = _resolve(hand_document, body["payload"]["$ref"])
    model = payload_model("registration.submitted", 1)
    expected = model.model_json_schema(mode="serialization")
    assert payload["required"] == expected["required"]
    assert set(payload["properties"]) == set(expected["properties"])
    assert message["headers"]["properties"]["x-event-version"]["const"] == 1
    amqp = message["bindings"]["amqp"]
    assert amqp["messageType"] == "registration.submitted"
    assert amqp["x-properties"] == {
        "app_id": {"envelopeField": "producer", "value": "registration"},
        "content_type": {"value": "application/json"},
        "correlation_id": {"envelopeField": "correlation_id"},
        "delivery_mode": {"value": 2},
        "message_id": {"envelopeField": "event_id"},
        "timestamp": {"envelopeField": "occurred_at"},
        "type": {"envelopeField": "event_type", "value": "registration.submitted"},
    }
    # Every reference in the document points somewhere.
    text = render_json(hand_document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        _resolve(hand_document, ref)


def test_a_consumer_of_an_unregistered_event_is_refused() -> None:
    with pytest.raises(ValueError, match="unregistered"):
        build_document({"scheduling": {"registrations": ["registration.teleported"]}})


def test_the_yaml_and_the_json_are_the_same_document(hand_document: dict[str, Any]) -> None:
    assert yaml.safe_load(render_yaml(hand_document)) == json.loads(render_json(hand_document))


async def test_every_service_serves_the_packaged_document() -> None:
    settings = ServiceSettings(
        service_name="probe", database_url="sqlite+aiosqlite:///:memory:", _env_file=None
    )

    def no_runtime(*_: Any) -> Any:
        raise AssertionError("the lifespan does not run here")

    app = create_service_app(
        settings=settings, build_runtime=no_runtime, routers=[], title="probe", description=""
    )
    transport = httpx.ASGITransport(app=app)  # no lifespan: the route needs no runtime
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/asyncapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(JSON_PATH.read_text(encoding="utf-8"))
    assert response.json() == yaml.safe_load(YAML_PATH.read_text(encoding="utf-8"))
    assert "/asyncapi.json" not in app.openapi()["paths"]
