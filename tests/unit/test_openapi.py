"""Each service's OpenAPI documents errors as problem details, with examples to copy."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

SERVICES = ("registration", "scheduling", "notifications", "webhooks")


def openapi(service: str) -> dict[str, Any]:
    main = importlib.import_module(f"services.{service}.main")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings = getattr(settings_module, f"{service.capitalize()}Settings")(
        database_url="sqlite+aiosqlite:///:memory:", environment="test"
    )
    schema: dict[str, Any] = main.create_app(settings).openapi()
    return schema


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path not in ("/healthz", "/readyz", "/metrics")
        for method, operation in item.items()
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_response_is_problem_details_and_auth_errors_are_documented(
    service: str,
) -> None:
    schema = openapi(service)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        for code in ("401", "422", "429"):
            assert code in responses, f"{method.upper()} {path} lacks {code}"
        for code, response in responses.items():
            if code[0] in "45":
                assert list(response["content"]) == ["application/problem+json"], (
                    f"{method.upper()} {path} {code}"
                )


def _has_example(media: dict[str, Any], schema: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    ref = media.get("schema", {}).get("$ref", "")
    target = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return "examples" in target or "example" in target


@pytest.mark.parametrize("service", SERVICES)
def test_every_request_body_has_an_example(service: str) -> None:
    schema = openapi(service)
    missing = []
    for path, method, operation in operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        for media_type, media in body["content"].items():
            if media_type == "application/json" and not _has_example(media, schema):
                missing.append(f"{method.upper()} {path}")
    assert missing == []


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_with_a_body_documents_415(service: str) -> None:
    """#15 item 11: a body that is not JSON (or not a form) is a 415 problem document."""
    schema = openapi(service)
    with_body = [(p, m, o) for p, m, o in operations(schema) if "requestBody" in o]
    if not with_body:
        pytest.skip(f"no operation of {service} takes a body")
    for path, method, operation in with_body:
        response = operation["responses"].get("415")
        assert response is not None, f"{method.upper()} {path} lacks 415"
        assert list(response["content"]) == ["application/problem+json"]
