"""HTTP plumbing every service shares: problem details, correlation ids, health, metrics."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.context import correlation_id_var
from shared.correlation import is_valid_correlation_id
from shared.errors import ServiceError
from shared.guards import RequestGuard
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
CORRELATION_HEADER = "X-Correlation-ID"


class FieldError(BaseModel):
    """One field at fault."""

    field: str = Field(examples=["organisation.business_id"])
    message: str = Field(examples=["2077474-1 is not a valid business ID (Y-tunnus)"])
    type: str = Field(examples=["value_error"])


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable `code` for programs and `errors` per field."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        default="about:blank", examples=["https://kanta.example/problems/validation_error"]
    )
    title: str = Field(examples=["Unprocessable content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["The request body has 1 invalid field."])
    code: str = Field(examples=["validation_error"])
    instance: str | None = Field(default=None, examples=["/v1/registrations"])
    field: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
    correlation_id: str | None = None


def problem_response(
    request: Request, problem: Problem, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Serialise a problem with the right media type."""
    problem.instance = problem.instance or request.url.path
    problem.correlation_id = correlation_id_var.get()
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _type_uri(code: str) -> str:
    return f"https://kanta.example/problems/{code}"


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _human(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "This field is not part of the form; remove it."
    if kind == "missing":
        return "This field is required."
    if kind == "json_invalid":
        error = (err.get("ctx") or {}).get("error")
        return f"JSON decode error: {error}" if error else "JSON decode error"
    return str(err.get("msg", "invalid value"))


def install_error_handlers(app: FastAPI) -> None:
    """Translate every error into problem details: domain errors, validation, HTTP, the rest."""

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        problem = Problem(
            type=_type_uri(exc.code),
            title=exc.title,
            status=exc.status,
            detail=exc.detail,
            code=exc.code,
            field=exc.field,
            **exc.extra,
        )
        return problem_response(request, problem, headers=exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(
                # A JSON syntax error's location is a character offset, not a field.
                field="body" if err["type"] == "json_invalid" else _field_path(err["loc"]),
                message=_human(err),
                type=err["type"],
            )
            for err in exc.errors()
        ]
        first = errors[0] if errors else None
        if first is not None and first.type == "json_invalid":
            detail = f"The request body is not valid JSON ({first.message})."
        elif first is not None and first.type == "missing" and first.field == "body":
            detail = "The request has no body; send the form as a JSON object."
        elif (
            first is not None
            and first.field == "body"
            and first.type in ("model_attributes_type", "dict_type")
        ):
            detail = "The request body is not a JSON object of the expected form."
        else:
            count = len(errors)
            detail = (
                f"The request has {count} invalid field{'s' if count != 1 else ''}: "
                + "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
            )
        problem = Problem(
            type=_type_uri("validation_error"),
            title="Unprocessable content",
            status=422,
            detail=detail,
            code="validation_error",
            field=first.field if first else None,
            errors=errors,
        )
        return problem_response(request, problem)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            403: "forbidden",
        }.get(exc.status_code, f"http_{exc.status_code}")
        problem = Problem(
            type=_type_uri(code),
            title=str(exc.detail) if exc.status_code >= 500 else _title(exc.status_code),
            status=exc.status_code,
            detail=str(exc.detail),
            code=code,
        )
        return problem_response(request, problem, headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A constraint caught a concurrent write the domain checks could not see.
        log.warning("write refused by a database constraint: %s", exc.orig)
        problem = Problem(
            type=_type_uri("conflicting_write"),
            title="Conflict",
            status=409,
            detail="Another request changed the same data at the same moment; nothing of this "
            "request was saved. Read the current state and try again.",
            code="conflicting_write",
        )
        return problem_response(request, problem)

    @app.exception_handler(DBAPIError)
    async def _storage(request: Request, exc: DBAPIError) -> JSONResponse:
        if refused_text(exc):
            # The client's text, not the database, is at fault: a 422 that says so, never a
            # 503 with Retry-After that a client would retry for ever (#15 item 2).
            log.warning("text refused by the database: %s", exc.orig)
            problem = Problem(
                type=_type_uri("validation_error"),
                title="Unprocessable content",
                status=422,
                detail="A text value holds a character the database cannot store (NUL or "
                "another control character, or bytes that are not UTF-8); remove it.",
                code="validation_error",
            )
            return problem_response(request, problem)
        log.error("database failure, transaction rolled back: %s", exc.orig)
        problem = Problem(
            type=_type_uri("storage_unavailable"),
            title="Service unavailable",
            status=503,
            detail="The database could not complete the request; nothing was saved. "
            "Try again in a moment.",
            code="storage_unavailable",
        )
        return problem_response(request, problem, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        problem = Problem(
            type=_type_uri("internal_error"),
            title="Internal error",
            status=500,
            detail="Something went wrong on our side; nothing was saved. Quote the correlation id.",
            code="internal_error",
        )
        return problem_response(request, problem)


# SQLSTATEs of text PostgreSQL cannot store: 22021 character_not_in_repertoire ("invalid byte
# sequence for encoding UTF8: 0x00"), 22P05 untranslatable_character ("\\u0000 cannot be
# converted to text", in JSON).
_TEXT_SQLSTATES = frozenset({"22021", "22P05"})
_TEXT_ERRORS = (
    "CharacterNotInRepertoireError",
    "UntranslatableCharacterError",
    "invalid byte sequence",
    "cannot be converted to text",
)


def refused_text(exc: DBAPIError) -> bool:
    """Whether the database refused a text value itself (a NUL byte, say), not failed."""
    orig = exc.orig
    chain = [orig, getattr(orig, "__cause__", None)]
    for error in chain:
        if error is None:
            continue
        for attribute in ("sqlstate", "pgcode"):
            if getattr(error, attribute, None) in _TEXT_SQLSTATES:
                return True
    described = f"{type(orig).__name__} {type(chain[1]).__name__} {orig}"
    return any(marker in described for marker in _TEXT_ERRORS)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_request_guards(app: FastAPI) -> None:
    """Refuse control characters, wrong methods and media types before routing.

    Install it before `install_correlation_and_metrics`, so that it runs inside it: its
    answers carry the correlation id and are counted.
    """
    app.add_middleware(RequestGuard)


def install_correlation_and_metrics(app: FastAPI, *, service: str) -> None:
    """Take or make `X-Correlation-ID`, echo it, and count requests per route."""

    @app.middleware("http")
    async def _correlation(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(CORRELATION_HEADER, "")
        correlation_id = incoming if is_valid_correlation_id(incoming) else str(uuid.uuid4())
        token = correlation_id_var.set(correlation_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            correlation_id_var.reset(token)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        HTTP_REQUESTS.labels(service, request.method, path, str(response.status_code)).inc()
        HTTP_LATENCY.labels(service, request.method, path).observe(time.perf_counter() - started)
        response.headers[CORRELATION_HEADER] = correlation_id
        return response


class Health(BaseModel):
    """Liveness or readiness with the state of each dependency readiness depends on."""

    status: str = Field(examples=["ok"])
    checks: dict[str, str] = Field(default_factory=dict, examples=[{"database": "ok"}])


class RelayState(BaseModel):
    """The outbox relay: `ok`, `waiting_for_broker`, `failing` (see `last_error`), `stopped`."""

    status: str = Field(examples=["ok"])
    last_success_at: datetime | None = Field(
        description="The end of its last pass that published everything it claimed."
    )
    last_error: str | None = None


class Readiness(Health):
    """Readiness: the database; the broker and the relay are reported, not required."""

    broker: str = Field(
        examples=["connected"],
        description="`connected` or `unreachable`. Readiness does not depend on it: the API "
        "takes requests during a broker outage and the outbox holds their events.",
    )
    relay: RelayState


ReadinessCheck = Callable[[], Awaitable[Readiness]]


def install_operational_routes(app: FastAPI, readiness: ReadinessCheck) -> None:
    """`/healthz` (the process is alive), `/readyz` (the database), `/metrics` (Prometheus)."""

    @app.get("/healthz", response_model=Health, tags=["operations"], summary="Liveness")
    async def healthz() -> Health:
        """The process answers: nothing else is checked, so a restart cannot cure a failure."""
        return Health(status="ok")

    @app.get(
        "/readyz",
        response_model=Readiness,
        tags=["operations"],
        summary="Readiness: the database reachable (broker and relay reported)",
        responses={503: {"model": Readiness, "description": "The database is not reachable"}},
    )
    async def readyz(response: Response) -> Readiness:
        state = await readiness()
        if state.status != "ok":
            response.status_code = 503
        return state

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
