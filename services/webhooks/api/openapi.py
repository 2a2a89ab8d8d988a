"""The OpenAPI 3.1 `webhooks` of the service: each payload with its schema, an example, and
how to verify a delivery's signature."""

from __future__ import annotations

import copy
from typing import Any

from services.webhooks.domain.catalogue import KINDS, EventKind

EXAMPLE_ID = "5f0c7a52-3f6e-4b1c-9a47-0b1f2e3d4c5b"
EXAMPLE_ENROLMENT = "8d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f"
EXAMPLE_SESSION = "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
EXAMPLE_PERIOD = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
CONTACT = {
    "name": "Maija Meikäläinen",
    "email": "maija@example.fi",
    "language": "fi",
    "role": "technical",
    "participates": True,
}
REGISTRATION = {
    "registration_id": EXAMPLE_ID,
    "organisation": {
        "name": "Esimerkki Terveys Oy",
        "business_id": "2077474-0",
        "domain": "health_care",
        "sector": "private",
    },
    "service": "patient_data_repository",
    "reason": "first_deployment",
    "period": {"year": 2027, "number": 1},
    "planned_production_start": "2027-04-15",
    "registration_required": True,
    "warnings": [],
    "contacts": [CONTACT],
    "revision": 3,
}
REGISTRATION_EXTRAS: dict[str, dict[str, Any]] = {
    "registration.submitted": {"state": "submitted", "submitted_at": "2026-11-02T09:30:00Z"},
    "registration.updated": {
        "state": "submitted",
        "changed": ["contacts"],
        "previous_state": "submitted",
    },
    "registration.accepted": {"state": "accepted"},
    "registration.rejected": {"state": "rejected", "note": "The period is full."},
    "registration.returned": {"state": "returned", "note": "Add a technical contact."},
    "registration.moved": {
        "state": "moved",
        "from_period": {"year": 2026, "number": 3},
        "note": None,
    },
    "registration.withdrawn": {"state": "withdrawn", "previous_state": "accepted"},
    "registration.deployed": {"state": "deployed", "deployed_on": "2027-04-20"},
    "registration.completed": {"state": "completed"},
}
NOTICE = {
    "notice_id": EXAMPLE_ID,
    "kind": "connection_point_change",
    "business_id": "2077474-0",
    "organisation_name": "Esimerkki Terveys Oy",
    "details": {"connection_point": "Uusi liityntäpiste"},
    "effective_on": "2027-03-01",
}
TEST = {
    "test_id": EXAMPLE_ID,
    "registration_id": EXAMPLE_ENROLMENT,
    "business_id": "2077474-0",
    "organisation_name": "Esimerkki Terveys Oy",
    "service": "patient_data_repository",
    "tested_on": "2027-04-12",
    "report_due_on": "2027-04-14",
    "contacts": [CONTACT],
}
TEST_EXTRAS: dict[str, dict[str, Any]] = {
    "deployment_test.planned": {"planned_on": "2027-04-12", "tested_on": None},
    "deployment_test.reported": {
        "reported_at": "2027-04-13T10:00:00Z",
        "reported_by": "client-esimerkki",
    },
}
SESSION = {
    "session_id": EXAMPLE_SESSION,
    "uid": f"{EXAMPLE_SESSION}@kanta.example",
    "sequence": 0,
    "period_id": EXAMPLE_PERIOD,
    "period": {"year": 2027, "number": 1},
    "kind": "preparation",
    "title": {
        "fi": "Käyttöönoton valmistelutilaisuus",
        "sv": "Förberedande tillfälle för införandet",
        "en": "Preparation event",
    },
    "starts_at": "2027-01-20T07:00:00Z",
    "ends_at": "2027-01-20T10:00:00Z",
    "online_url": "https://meet.example.fi/kanta",
    "place": None,
    "language": "fi",
    "capacity": 100,
    "audience": {"services": None, "domains": None, "roles": None},
    "status": "scheduled",
}
ENROLMENT = {
    "enrolment_id": EXAMPLE_ENROLMENT,
    "participant": {
        "enrolment_id": EXAMPLE_ENROLMENT,
        "registration_id": EXAMPLE_ID,
        "name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "language": "fi",
        "role": "technical",
        "seat": "confirmed",
        "calendar_uid": f"{EXAMPLE_ENROLMENT}@kanta.example",
        "calendar_sequence": 0,
    },
    "session": SESSION,
    "feed_url": None,
}
ENROLMENT_EXTRAS: dict[str, dict[str, Any]] = {
    "enrolment.confirmed": {"resend": False},
    "enrolment.waitlisted": {"position": 2, "resend": False},
    "enrolment.cancelled": {"reason": "The registration was withdrawn."},
}

VERIFYING = """\
Every delivery is a `POST` of JSON, signed by [Standard Webhooks 1.0](https://www.standardwebhooks.com/):

- `webhook-id`: the event's id, the same on every retry and redelivery; use it to drop
  duplicates (a delivery can arrive more than once).
- `webhook-timestamp`: when this attempt was signed (Unix seconds); refuse one far from now
  (five minutes) against replays.
- `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`,
  keyed with the secret's bytes (base64-decode what follows `whsec_`). During a secret rotation
  it holds two signatures separated by a space; accept the delivery when one matches.

Verify over the body bytes as received, before parsing them. Any Standard Webhooks library does
it (`pip install standardwebhooks`: `Webhook(secret).verify(body, headers)`), or by hand:

```python
import base64, hashlib, hmac

def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, sig.partition(",")[2])
        for sig in headers["webhook-signature"].split()
        if sig.startswith("v1,")
    )
```

Answer `2xx` within 15 seconds (do the work afterwards). Anything else is a failure and is
retried after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; redirects are not followed;
`429` or `503` with `Retry-After` sets the wait; `410 Gone` disables the subscription, as do
failures of every attempt or for days on end. The body's `data.links.self` is where the object
can be read again from the producing service's API.
"""

SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The event's id: the same on every retry of it.",
        "schema": {"type": "string", "format": "uuid"},
        "example": EXAMPLE_ID,
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "When this attempt was signed, Unix seconds.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "example": "1798790400",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "`v1,<base64 HMAC-SHA256>`, one per valid secret, space-separated.",
        "schema": {"type": "string"},
        "example": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    },
]


def example_payload(kind: EventKind) -> dict[str, Any]:
    """An example `data` object of the event (validated against its model in the tests)."""
    event_type = kind.event_type
    if event_type.startswith("registration."):
        return {**REGISTRATION, **REGISTRATION_EXTRAS[event_type]}
    if event_type.startswith("notice."):
        extras: dict[str, Any] = (
            {"routed_to_kela": False, "kela_mailbox": None, "contacts": [CONTACT]}
            if event_type == "notice.received"
            else {"acknowledged_by": "kela-staff"}
        )
        return {**NOTICE, **extras}
    if event_type.startswith("deployment_test."):
        return {**TEST, **TEST_EXTRAS.get(event_type, {})}
    if event_type == "customership.formed":
        return {
            "business_id": "2077474-0",
            "organisation_name": "Esimerkki Terveys Oy",
            "formed_on": "2027-02-01",
            "registration_id": EXAMPLE_ID,
        }
    return copy.deepcopy({**ENROLMENT, **ENROLMENT_EXTRAS.get(event_type, {})})


def _component(kind: EventKind) -> str:
    return "Webhook_" + kind.event_type.replace(".", "_")


def add_webhooks(schema: dict[str, Any], *, base_urls: dict[str, str]) -> None:
    """Add `webhooks` (one per subscribable event type) and their body schemas to `schema`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    webhooks: dict[str, Any] = {}
    links = {
        "type": "object",
        "properties": {"self": {"type": "string", "format": "uri"}},
        "required": ["self"],
        "description": "Where to read the object again (the producing service's API).",
    }
    for kind in KINDS:
        data_schema = kind.model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in data_schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        data_schema.setdefault("properties", {})["links"] = links
        data_schema.setdefault("required", []).append("links")
        components[kind.model.__name__] = data_schema
        name = _component(kind)
        components[name] = {
            "type": "object",
            "title": f"{kind.event_type} v{kind.model.version}",
            "properties": {
                "type": {"const": kind.event_type},
                "version": {"const": kind.model.version},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": {"$ref": f"#/components/schemas/{kind.model.__name__}"},
            },
            "required": ["type", "version", "timestamp", "data"],
        }
        data = example_payload(kind)
        data["links"] = {
            "self": base_urls[kind.producer].rstrip("/")
            + kind.path(kind.model.model_validate(data))
        }
        example = {
            "type": kind.event_type,
            "version": kind.model.version,
            "timestamp": "2027-01-04T08:15:00Z",
            "data": data,
        }
        webhooks[kind.event_type] = {
            "post": {
                "operationId": f"webhook_{kind.event_type.replace('.', '_')}",
                "summary": kind.summary,
                "description": (
                    f"{(kind.model.__doc__ or kind.summary).strip()}\n\nSigned by Standard "
                    "Webhooks 1.0: see *Verifying a webhook* in the API's description."
                ),
                "tags": ["webhooks"],
                "parameters": SIGNATURE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{name}"},
                            "example": example,
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received; nothing more is sent of this event."},
                    "410": {"description": "Gone: the subscription is disabled."},
                    "429": {"description": "Too many: the next attempt waits `Retry-After`."},
                    "503": {"description": "Unavailable: the next attempt waits `Retry-After`."},
                },
            }
        }
    schema["webhooks"] = webhooks
    info = schema.setdefault("info", {})
    info["description"] = f"{info.get('description', '')}\n\n## Verifying a webhook\n\n{VERIFYING}"
