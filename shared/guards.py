"""Checks every request passes before routing: control characters, methods, media types.

- A control character (NUL and every other C0, DEL, C1) in the URL path, in a query
  parameter or in a form field is a 422 `validation_error` naming the parameter, before any
  route runs: such a value can reach no database, log line or mail (#15 item 2).
- A path that exists without the method is a 405 whose `Allow` lists every method of the
  path, even where a route with a path parameter would take the method
  (`PATCH /v1/registrations/export.csv`): a literal path beats a template (#15 item 11).
- A body whose `Content-Type` is not the route's (JSON, or a form) is a 415.

Each answer is problem details, like every other error of the API.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, params
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.convertors import Convertor
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import correlation_id_var

PROBLEM_JSON = "application/problem+json"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
MAX_FORM_BYTES = 64 * 1024


def control_character(value: str) -> tuple[int, str] | None:
    """(1-based position, character) of the first control character (Cc) in `value`."""
    for index, char in enumerate(value):
        if unicodedata.category(char) == "Cc":
            return index + 1, char
    return None


def _problem(
    path: str,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://kanta.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": path,
        "errors": [],
    }
    if field is not None:
        body["field"] = field
        body["errors"] = [{"field": field, "message": detail, "type": "value_error"}]
    correlation_id = correlation_id_var.get()
    if correlation_id is not None:
        body["correlation_id"] = correlation_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _control_problem(path: str, field: str, found: tuple[int, str]) -> JSONResponse:
    position, char = found
    detail = (
        f"{field}: the value holds a control character (U+{ord(char):04X}) at position "
        f"{position}; remove it"
    )
    return _problem(
        path,
        status=422,
        code="validation_error",
        title="Unprocessable content",
        detail=detail,
        field=field,
    )


def _params(pairs: Iterable[tuple[str, str]]) -> tuple[str, tuple[int, str]] | None:
    """The first (name, control character) among `pairs`; a name at fault counts as 'query'."""
    for name, value in pairs:
        found = control_character(name)
        if found is not None:
            return "query", found
        found = control_character(value)
        if found is not None:
            return name, found
    return None


def _media_type(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            media = value.decode("latin-1").split(";", 1)[0].strip().lower()
            return media or None
    return None


def _is_json(media: str) -> bool:
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _specificity(template: str) -> tuple[int, int]:
    """Higher for a more specific template: fewer parameters, then more literal characters."""
    literal = re.sub(r"\{[^}]*\}", "", template)
    return -template.count("{"), len(literal)


def _body_kind(route: BaseRoute) -> str | None:
    """'json', 'form' or None (the route reads no body)."""
    if not isinstance(route, APIRoute) or route.body_field is None:
        return None
    return "form" if isinstance(route.body_field.field_info, params.Form) else "json"


@dataclass(frozen=True)
class Endpoint:
    """One route as the guard sees it: its path template, methods and body."""

    path: str
    pattern: re.Pattern[str]
    convertors: dict[str, Convertor[Any]]
    methods: frozenset[str]
    body: str | None  # 'json', 'form' or None

    def match(self, path: str) -> dict[str, Any] | None:
        """The path parameters if `path` is one of this template's, else None."""
        found = self.pattern.match(path)
        if found is None:
            return None
        return {
            name: self.convertors[name].convert(value) for name, value in found.groupdict().items()
        }


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every HTTP route of `app`, included routers flattened, in routing order."""
    table = []
    for context in iter_route_contexts(app.routes):
        template, methods = context.path_format, context.methods
        if template is None or not methods:
            continue  # a mount or a websocket: not ours to judge
        pattern, _, convertors = compile_path(template)
        table.append(
            Endpoint(
                template,
                pattern,
                convertors,
                frozenset(methods),
                _body_kind(context.original_route),
            )
        )
    return table


Matched = list[tuple[Endpoint, dict[str, Any]]]


class RequestGuard:
    """ASGI middleware running the checks above; it sits inside the correlation middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: list[Endpoint] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._table is None:  # routes are all included once the first request comes
            self._table = endpoints(scope["app"])
        path: str = scope["path"]
        matched = [
            (endpoint, params)
            for endpoint in self._table
            for params in [endpoint.match(path)]
            if params is not None
        ]
        method: str = scope["method"]
        refusal = self._refuse_controls(scope, path, matched)
        if refusal is None:
            refusal = self._refuse_method(path, method, matched)
        if refusal is None:
            handler = next((e for e, _ in matched if method in e.methods), None)
            kind = handler.body if handler is not None else None
            refusal = self._refuse_media_type(scope, path, kind)
            if refusal is None and kind == "form":
                receive, refusal = await self._check_form(scope, path, receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _refuse_controls(scope: Scope, path: str, matched: Matched) -> JSONResponse | None:
        found = control_character(path)
        if found is not None:
            params = (item for _, values in matched for item in values.items())
            fault = _params((name, str(value)) for name, value in params)
            name, at = fault if fault is not None and fault[0] != "query" else ("path", found)
            return _control_problem(path, name, at)
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace")
            fault = _params(pairs)
            if fault is not None:
                return _control_problem(path, *fault)
        return None

    @staticmethod
    def _refuse_method(path: str, method: str, matched: Matched) -> JSONResponse | None:
        if not matched:
            return None  # no such path: the router's 404
        # The path is its most specific template: fewest parameters, then most literal text.
        closest = max((_specificity(e.path), e.path) for e, _ in matched)[1]
        same = [endpoint for endpoint, _ in matched if endpoint.path == closest]
        if any(method in endpoint.methods for endpoint in same):
            return None
        allowed = sorted({allowed for endpoint in same for allowed in endpoint.methods})
        return _problem(
            path,
            status=405,
            code="method_not_allowed",
            title="Method Not Allowed",
            detail=f"This path answers {', '.join(allowed)} only.",
            headers={"Allow": ", ".join(allowed)},
        )

    @staticmethod
    def _refuse_media_type(scope: Scope, path: str, kind: str | None) -> JSONResponse | None:
        media = _media_type(scope)
        if kind is None or media is None:
            return None
        if kind == "json" and not _is_json(media):
            expected = "application/json"
        elif kind == "form" and media not in FORM_TYPES:
            expected = "application/x-www-form-urlencoded"
        else:
            return None
        return _problem(
            path,
            status=415,
            code="unsupported_media_type",
            title="Unsupported Media Type",
            detail=f"The body is {media}; send it as {expected}.",
            headers={"Accept": expected} if kind == "json" else None,
        )

    @staticmethod
    async def _check_form(
        scope: Scope, path: str, receive: Receive
    ) -> tuple[Receive, JSONResponse | None]:
        """Read an url-encoded form (small: a token request) and check its fields."""
        if _media_type(scope) != "application/x-www-form-urlencoded":
            return receive, None
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > MAX_FORM_BYTES or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        fault = None
        if size <= MAX_FORM_BYTES:
            pairs = parse_qsl(
                body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace"
            )
            fault = _params(pairs)
        pending = list(messages)

        async def replay() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        if fault is None:
            return replay, None
        name, found = fault
        return replay, _control_problem(path, "body" if name == "query" else name, found)
