"""The event envelope and payload registry (unit)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.clock import SystemClock
from shared.context import correlation_id_var
from shared.contracts.registration import RegistrationSubmitted
from shared.events import (
    Envelope,
    UnknownEventType,
    make_envelope,
    parse_payload,
    payload_model,
)
from tests.support import submitted_event


def test_make_envelope_carries_type_version_and_current_correlation_id() -> None:
    token = correlation_id_var.set("corr-123")
    try:
        envelope = make_envelope(submitted_event(), producer="registration")
    finally:
        correlation_id_var.reset(token)
    assert envelope.event_type == "registration.submitted"
    assert envelope.version == 1
    assert envelope.producer == "registration"
    assert envelope.correlation_id == "corr-123"
    assert envelope.occurred_at.tzinfo is not None
    assert envelope.occurred_at.utcoffset() == timedelta(0)


def test_envelope_round_trips_through_json_and_payload_parses_back() -> None:
    payload = submitted_event()
    envelope = make_envelope(payload, producer="registration", correlation_id="c")
    again = Envelope.model_validate_json(envelope.model_dump_json())
    assert again == envelope
    parsed = parse_payload(again)
    assert isinstance(parsed, RegistrationSubmitted)
    assert parsed == payload


def test_occurred_at_is_normalised_to_utc() -> None:
    helsinki = timezone(timedelta(hours=2))
    envelope = Envelope(
        event_id=uuid.uuid4(),
        event_type="registration.submitted",
        version=1,
        occurred_at=datetime(2027, 1, 11, 9, 0, tzinfo=helsinki),
        producer="p",
        correlation_id="c",
        payload={},
    )
    assert envelope.occurred_at == datetime(2027, 1, 11, 7, 0, tzinfo=UTC)
    assert envelope.occurred_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_type", "Registration Submitted"),
        ("event_type", "registration"),
        ("event_type", "registration..submitted"),
        ("version", 0),
        ("occurred_at", "2027-01-11T09:00:00"),  # naive: refused
        ("producer", ""),
        ("event_id", "not-a-uuid"),
        # The HTTP path's rule for correlation ids (#15 item 5): one printable line, <= 200.
        ("correlation_id", "c\r\nBcc: victim@example.fi"),
        ("correlation_id", "c\n"),
        ("correlation_id", "c\x00"),
        ("correlation_id", "c\u2028d"),
        ("correlation_id", "c" * 201),
        ("correlation_id", ""),
    ],
)
def test_envelope_refuses_malformed_fields(field: str, value: object) -> None:
    fields: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "event_type": "registration.submitted",
        "version": 1,
        "occurred_at": "2027-01-11T09:00:00+02:00",
        "producer": "p",
        "correlation_id": "c",
        "payload": {},
    }
    fields[field] = value
    with pytest.raises(ValidationError):
        Envelope.model_validate(fields)


@pytest.mark.parametrize(
    "correlation_id", ["c", "0b1c6a8e-1c3e-4f3a-9d7e-2f1f3c4b5a6d", "ääkköset ja välit", "c" * 200]
)
def test_envelope_takes_every_correlation_id_the_http_path_takes(correlation_id: str) -> None:
    from shared.correlation import is_valid_correlation_id

    assert is_valid_correlation_id(correlation_id)
    envelope = make_envelope(
        submitted_event(), producer="registration", correlation_id=correlation_id
    )
    assert Envelope.model_validate_json(envelope.model_dump_json()) == envelope


def test_a_cr_lf_correlation_id_makes_the_message_malformed() -> None:
    """#15 item 5: refused at the door (dead-lettered), never a mail-building failure later."""
    from types import SimpleNamespace

    from shared.errors import MalformedMessage
    from shared.messaging.amqp import CONTENT_TYPE, from_amqp_message

    good = make_envelope(submitted_event(), producer="registration", correlation_id="c")
    body = good.model_dump(mode="json") | {"correlation_id": "c\r\nBcc: victim@example.fi"}
    message = SimpleNamespace(
        body=json.dumps(body).encode(),
        content_type=CONTENT_TYPE,
        message_id=str(good.event_id),
        type=good.event_type,
    )
    with pytest.raises(MalformedMessage, match="correlation_id"):
        from_amqp_message(message)  # type: ignore[arg-type]


def test_envelope_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Envelope.model_validate(
            {
                "event_id": str(uuid.uuid4()),
                "event_type": "registration.submitted",
                "version": 1,
                "occurred_at": "2027-01-11T09:00:00+02:00",
                "producer": "p",
                "correlation_id": "c",
                "payload": {},
                "priority": "high",
            }
        )


def test_unknown_type_or_version_has_no_model() -> None:
    with pytest.raises(UnknownEventType):
        payload_model("registration.submitted", 99)
    with pytest.raises(UnknownEventType):
        payload_model("registration.exploded", 1)


def test_payload_is_a_tolerant_reader_but_checks_what_it_needs() -> None:
    envelope = make_envelope(submitted_event(), producer="registration", correlation_id="c")
    extended = envelope.model_copy(update={"payload": {**envelope.payload, "added_later": 1}})
    assert isinstance(parse_payload(extended), RegistrationSubmitted)
    broken = envelope.model_copy(update={"payload": {**envelope.payload, "contacts": "nobody"}})
    with pytest.raises(ValidationError):
        parse_payload(broken)


def test_every_event_of_the_contracts_is_registered_once_under_its_own_type() -> None:
    import shared.contracts  # noqa: F401  (registers every model)
    from shared.events import known_event_types

    known = dict(known_event_types())
    for name in (
        "registration.submitted",
        "registration.accepted",
        "registration.moved",
        "registration.withdrawn",
        "period.published",
        "session.published",
        "session.rescheduled",
        "session.cancelled",
        "session.reminder_due",
        "enrolment.confirmed",
        "enrolment.waitlisted",
        "enrolment.promoted",
        "enrolment.cancelled",
        "notice.received",
        "deployment_test.succeeded",
        "deployment_test.report_overdue",
        "customership.formed",
    ):
        assert known.get(name) == 1, name
        assert payload_model(name, 1).event_type == name


def test_every_event_that_expects_consumers_has_one_and_every_consumed_event_expects_them() -> None:
    """Mandatory publishing holds only for events some service binds a queue for."""
    import importlib

    import shared.contracts  # noqa: F401
    from shared.events import known_event_types

    consumed: set[str] = set()
    for service in ("registration", "scheduling", "notifications"):
        main = importlib.import_module(f"services.{service}.main")
        settings_module = importlib.import_module(f"services.{service}.settings")
        settings = getattr(settings_module, f"{service.capitalize()}Settings")(
            database_url="sqlite+aiosqlite:///:memory:", environment="test"
        )
        for spec in main.build_runtime(settings, SystemClock()).consumer_specs:
            consumed |= set(spec.handlers)
    for event_type, version in known_event_types():
        expected = payload_model(event_type, version).expects_consumers
        assert expected == (event_type in consumed), event_type
