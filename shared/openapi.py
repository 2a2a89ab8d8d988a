"""OpenAPI that tells the truth about errors: every error is problem details, documented.

FastAPI documents its own 422 as `application/json` with its validation model, and knows
nothing of the statuses our dependencies raise (401 without a token, 403 for the wrong role,
429 past a rate limit, 503 when the database fails). This rewrites the generated schema once:
every 4xx/5xx response is `application/problem+json` with the `Problem` schema (examples kept),
and the statuses any route can answer are added where they are missing.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.http import Problem
from shared.problems import ProblemType

OPERATIONAL = frozenset({"/healthz", "/readyz", "/metrics"})
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ALWAYS = {
    "400": "The request cannot be read (e.g. a body that is not JSON or not UTF-8).",
    "401": "No access token, or one that is expired or not valid here.",
    "403": "The caller's role may not use this route.",
    "422": "A field is invalid or a rule refused the input; `field` names it.",
    "429": "Too many requests from this client; see `Retry-After`.",
    "503": "The database could not complete the request; nothing was saved.",
}
WITH_PATH_PARAMETERS = {"404": "Not found, or not the caller's to see."}
WITH_BODY = {"415": "The body's `Content-Type` is not the one this route reads (JSON or a form)."}


def _problem_content(response: dict[str, Any]) -> dict[str, Any]:
    example = None
    for media in (response.get("content") or {}).values():
        example = example or media.get("example")
    content: dict[str, Any] = {"schema": PROBLEM_REF}
    if example is not None:
        content["example"] = example
    return {"application/problem+json": content}


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem_schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["Problem"] = problem_schema
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, operations in schema.get("paths", {}).items():
        if path in OPERATIONAL:
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            extra = dict(ALWAYS)
            if "{" in path:
                extra.update(WITH_PATH_PARAMETERS)
            if "requestBody" in operation:
                extra.update(WITH_BODY)
            for code, description in extra.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = _problem_content(response)
    return schema


def install_problem_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_example(problem: ProblemType, **extra: Any) -> dict[str, Any]:
    """The catalogue entry as an example problem document."""
    example: dict[str, Any] = {
        "type": f"https://kanta.example/problems/{problem.code}",
        "title": problem.title,
        "status": problem.status,
        "code": problem.code,
        "detail": problem.example,
    }
    if problem.field is not None:
        example["field"] = problem.field
    example.update(extra)
    return example


def problem_responses(*problems: ProblemType) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route: per status, the Problem model, every code it may carry (in the
    description, each with its sentence) and an example of the first.

    One `example` per status rather than an `examples` map, because the rewrite above keeps
    `example` only.
    """
    by_status: dict[int, list[ProblemType]] = {}
    for problem in problems:
        listed = by_status.setdefault(problem.status, [])
        if problem not in listed:
            listed.append(problem)
    return {
        status: {
            "model": Problem,
            "description": "\n".join(f"- `{p.code}`: {p.example}" for p in listed),
            "content": {"application/problem+json": {"example": problem_example(listed[0])}},
        }
        for status, listed in by_status.items()
    }
