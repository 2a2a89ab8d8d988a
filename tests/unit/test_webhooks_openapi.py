"""The webhooks service's OpenAPI 3.1: every payload under `webhooks` with schema and example,
how to verify a signature, and errors as problem details like every service."""

from __future__ import annotations

from typing import Any

import pytest

from services.webhooks.api.openapi import example_payload
from services.webhooks.domain.catalogue import KINDS
from services.webhooks.main import create_app
from services.webhooks.settings import WebhooksSettings


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    settings = WebhooksSettings(database_url="sqlite+aiosqlite:///:memory:", environment="test")
    document: dict[str, Any] = create_app(settings).openapi()
    return document


def test_every_subscribable_event_is_a_documented_webhook(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1")
    assert set(schema["webhooks"]) == {kind.event_type for kind in KINDS}
    components = schema["components"]["schemas"]
    for kind in KINDS:
        post = schema["webhooks"][kind.event_type]["post"]
        media = post["requestBody"]["content"]["application/json"]
        body_ref = media["schema"]["$ref"].rsplit("/", 1)[-1]
        assert components[body_ref]["properties"]["type"] == {"const": kind.event_type}
        example = media["example"]
        assert example["type"] == kind.event_type
        # The example is a valid payload of the event's own model, with its link.
        kind.model.model_validate(example["data"])
        assert example["data"]["links"]["self"].startswith("http")
        assert {p["name"] for p in post["parameters"]} == {
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
        }


def test_the_description_says_how_to_verify_a_signature(schema: dict[str, Any]) -> None:
    description = schema["info"]["description"]
    assert "Verifying a webhook" in description
    for phrase in ("webhook-signature", "HMAC-SHA256", "whsec_", "standardwebhooks", "410"):
        assert phrase in description


def test_examples_are_valid_payloads() -> None:
    for kind in KINDS:
        kind.model.model_validate(example_payload(kind))


def test_errors_are_problem_details_and_bodies_have_examples(schema: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        if path in ("/healthz", "/readyz", "/metrics"):
            continue
        for method, operation in item.items():
            for code in ("401", "422", "429"):
                assert code in operation["responses"], f"{method} {path} lacks {code}"
            for code, response in operation["responses"].items():
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"]
            body = operation.get("requestBody")
            if body is not None:
                ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                assert "examples" in schema["components"]["schemas"][ref], f"{method} {path}"
