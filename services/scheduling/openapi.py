"""OpenAPI documentation of the scheduling routes' problem responses."""

from __future__ import annotations

from typing import Any

from shared.http import Problem

TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    422: "Unprocessable content",
}


def problem(status: int, code: str, detail: str, *, field: str | None = None) -> dict[str, Any]:
    """One example problem of a status, as `responses={status: …}` wants it."""
    example: dict[str, Any] = {
        "type": f"https://kanta.example/problems/{code}",
        "title": TITLES[status],
        "status": status,
        "code": code,
        "detail": detail,
    }
    if field is not None:
        example["field"] = field
    return {
        "model": Problem,
        "description": detail,
        "content": {"application/problem+json": {"example": example}},
    }


def problems(*entries: tuple[int, str, str] | tuple[int, str, str, str]) -> dict[int | str, Any]:
    """Several statuses at once: the first entry of a status is its example, the others'
    codes and sentences are listed in its description."""
    result: dict[int | str, Any] = {}
    for entry in entries:
        status, code, detail = entry[0], entry[1], entry[2]
        field = entry[3] if len(entry) == 4 else None
        if status in result:
            result[status]["description"] += f" Or `{code}`: {detail}"
        else:
            result[status] = problem(status, code, detail, field=field)
            result[status]["description"] = f"`{code}`: {detail}"
    return result


AUTH = (
    (
        401,
        "unauthorized",
        "This route needs an access token: send `Authorization: Bearer <token>`.",
    ),
)
STAFF = (*AUTH, (403, "staff_only", "Only Kela staff may use this route."))
