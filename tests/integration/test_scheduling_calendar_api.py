"""R1/R2 over HTTP: staff build and publish the calendar, everyone authenticated reads it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import aio_pika
import pytest

from tests.dates import iso, weekend_day, working_day
from tests.integration.scheduling_support import (
    PERIOD,
    SESSION_DAY,
    YEAR,
    add_session,
    body,
    create_period,
    publish,
    scheduling_service,
    session_body,
    utc_z,
)
from tests.support import catch_events

pytestmark = pytest.mark.asyncio

PREP_DAY = working_day(date.fromisoformat(PERIOD["starts_on"]))
"""The preparation event opens the period, before the trainings (its first working day)."""


async def test_r1_r2_staff_publish_a_period_and_its_sessions_with_events(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        exchange = service.settings.exchange
        async with catch_events(amqp_connection, exchange, "period.*", "session.*") as caught:
            period = await create_period(service)
            assert period["status"] == "draft"
            prep = await add_session(
                service,
                period["id"],
                kind="preparation",
                title={"fi": "Valmistelutilaisuus", "sv": "Förberedande", "en": "Preparation"},
                starts_at=utc_z(PREP_DAY, "09:00"),
                ends_at=utc_z(PREP_DAY, "11:30"),
                audience={"services": None, "domains": None, "roles": None},
            )
            training = await add_session(service, period["id"])
            assert prep["status"] == "draft" and prep["sequence"] == 0
            assert prep["starts_at"] == iso(PREP_DAY, "09:00")  # stored UTC, shown local

            other = service.organisation()
            draft = await service.client.get(f"/v1/sessions/{prep['id']}", headers=other)
            assert draft.status_code == 404
            assert draft.json()["code"] == "session_not_found"
            hidden = await service.client.get(f"/v1/calendar/{YEAR}", headers=other)
            assert hidden.json() == {"year": YEAR, "periods": []}

            published = await publish(service, period["id"])
            assert published["status"] == "published"
            assert {s["status"] for s in published["sessions"]} == {"scheduled"}
            messages = [await caught.next() for _ in range(3)]

        envelopes = [body(m) for m in messages]
        assert [e["event_type"] for e in envelopes] == [
            "period.published",
            "session.published",
            "session.published",
        ]
        assert envelopes[0]["payload"]["period_id"] == period["id"]
        assert envelopes[0]["payload"]["registration_closes_on"] == PERIOD["registration_closes_on"]
        sessions = {
            e["payload"]["session"]["session_id"]: e["payload"]["session"] for e in envelopes[1:]
        }
        assert set(sessions) == {prep["id"], training["id"]}
        info = sessions[prep["id"]]
        assert info["uid"] == prep["uid"] and info["sequence"] == 0
        assert info["period"] == {"year": YEAR, "number": 1}
        assert info["starts_at"] == utc_z(PREP_DAY, "09:00")
        assert info["status"] == "scheduled"
        assert info["title"] == {
            "fi": "Valmistelutilaisuus",
            "sv": "Förberedande",
            "en": "Preparation",
        }

        calendar = await service.client.get(f"/v1/calendar/{YEAR}", headers=other)
        assert calendar.status_code == 200
        (seen,) = calendar.json()["periods"]
        assert [s["id"] for s in seen["sessions"]] == [prep["id"], training["id"]]
        again = await service.client.post(
            f"/v1/periods/{period['id']}/publish", headers=service.staff
        )
        assert (again.status_code, again.json()["code"]) == (409, "period_already_published")


async def test_r1_calendar_rules_answer_problems_with_stable_codes(
    make_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(make_settings) as service:
        post, staff = service.client.post, service.staff
        await create_period(service)

        async def refused(json: dict[str, Any]) -> tuple[int, str, str | None]:
            response = await post("/v1/periods", json=json, headers=staff)
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["detail"]
            return response.status_code, problem["code"], problem.get("field")

        assert await refused(PERIOD) == (409, "period_number_taken", "number")
        overlapping = {
            **PERIOD,
            "number": 2,
            "starts_on": f"{YEAR}-04-01",
            "ends_on": f"{YEAR}-06-30",
        }
        assert await refused(overlapping) == (422, "period_overlap", "starts_on")
        before_first = {
            **PERIOD,
            "number": 2,
            "starts_on": f"{YEAR}-01-01",
            "ends_on": f"{YEAR}-01-08",
            "registration_closes_on": f"{YEAR}-01-05",
        }
        assert await refused(before_first) == (422, "period_order", "number")
        late_window = {
            **PERIOD,
            "number": 2,
            "starts_on": f"{YEAR}-05-03",
            "ends_on": f"{YEAR}-08-31",
            "registration_closes_on": f"{YEAR}-09-01",
        }
        assert await refused(late_window) == (
            422,
            "registration_window_invalid",
            "registration_closes_on",
        )
        assert await refused({**PERIOD, "number": 4}) == (422, "validation_error", "number")
        assert await refused({**PERIOD, "colour": "red"}) == (422, "validation_error", "colour")
        assert await refused({**PERIOD, "starts_on": "next monday"}) == (
            422,
            "validation_error",
            "starts_on",
        )


async def test_r2_session_rules_holidays_and_bad_input_are_problems_never_500(
    make_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        url = f"/v1/periods/{period['id']}/sessions"

        async def post(**changes: Any) -> tuple[int, dict[str, Any]]:
            response = await service.client.post(
                url, json=session_body(**changes), headers=service.staff
            )
            return response.status_code, response.json()

        independence_day = date(YEAR, 12, 6)
        status, problem = await post(
            starts_at=iso(independence_day, "09:00"), ends_at=iso(independence_day, "12:00")
        )
        assert (status, problem["code"], problem["field"]) == (
            422,
            "session_on_holiday",
            "starts_at",
        )
        assert "Independence Day" in problem["detail"]
        saturday = weekend_day(SESSION_DAY)
        status, problem = await post(
            starts_at=iso(saturday, "09:00"), ends_at=iso(saturday, "12:00")
        )
        assert (status, problem["code"]) == (422, "session_on_holiday")
        status, confirmed = await post(
            starts_at=iso(saturday, "09:00"),
            ends_at=iso(saturday, "12:00"),
            confirm_holiday=True,
        )
        assert status == 201 and confirmed["starts_at"] == iso(saturday, "09:00")
        status, problem = await post(starts_at=f"{SESSION_DAY.isoformat()}T09:00:00")
        assert (status, problem["code"], problem["field"]) == (422, "validation_error", "starts_at")
        status, problem = await post(online_url=None, place=None)
        assert (status, problem["code"]) == (422, "session_location_missing")
        status, problem = await post(audience={"services": ["teleportation"]})
        assert (status, problem["field"]) == (422, "audience.services.0")
        status, problem = await post(kind="party", capacity=0, wifi=True)
        assert status == 422
        assert {e["field"] for e in problem["errors"]} == {"kind", "capacity", "wifi"}
        status, problem = await post(ends_at=iso(SESSION_DAY, "08:00"))
        assert (status, problem["code"], problem["field"]) == (
            422,
            "session_time_invalid",
            "ends_at",
        )
        missing = await service.client.post(
            "/v1/periods/3fa85f64-5717-4562-b3fc-2c963f66afa6/sessions",
            json=session_body(),
            headers=service.staff,
        )
        assert (missing.status_code, missing.json()["code"]) == (404, "period_not_found")
        not_json = await service.client.post(
            url, content=b"{", headers={**service.staff, "content-type": "application/json"}
        )
        assert not_json.status_code == 422


ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
STAFF_ONLY = [
    ("POST", "/v1/periods"),
    ("PATCH", "/v1/periods/3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ("POST", "/v1/periods/3fa85f64-5717-4562-b3fc-2c963f66afa6/sessions"),
    ("POST", "/v1/periods/3fa85f64-5717-4562-b3fc-2c963f66afa6/publish"),
    ("PATCH", "/v1/sessions/3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ("POST", "/v1/sessions/3fa85f64-5717-4562-b3fc-2c963f66afa6/cancel"),
    ("GET", "/v1/sessions/3fa85f64-5717-4562-b3fc-2c963f66afa6/participants"),
    ("POST", "/v1/sessions/3fa85f64-5717-4562-b3fc-2c963f66afa6/participants"),
    (
        "DELETE",
        "/v1/sessions/3fa85f64-5717-4562-b3fc-2c963f66afa6/participants/3fa85f64-5717-4562-b3fc-2c963f66afa6",
    ),
    ("POST", "/v1/enrolments/3fa85f64-5717-4562-b3fc-2c963f66afa6/move"),
]


async def test_staff_only_routes_answer_403_to_organisations_and_401_without_a_token(
    make_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(make_settings) as service:
        organisation = service.organisation()
        for method, path in STAFF_ONLY:
            anonymous = await service.client.request(method, path, json={})
            assert anonymous.status_code == 401, (method, path)
            assert anonymous.json()["code"] == "unauthorized"
            assert anonymous.headers["www-authenticate"].startswith("Bearer")
            refused = await service.client.request(method, path, json={}, headers=organisation)
            assert refused.status_code == 403, (method, path)
            assert refused.json()["code"] == "staff_only"


async def test_reading_needs_a_token_and_the_api_documents_its_problems(
    make_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(make_settings) as service:
        for path in (f"/v1/calendar/{YEAR}", "/v1/enrolments"):
            assert (await service.client.get(path)).status_code == 401
        spec = (await service.client.get("/openapi.json")).json()
        create = spec["paths"]["/v1/periods"]["post"]
        unprocessable = create["responses"]["422"]
        for code in ("period_overlap", "period_order", "registration_window_invalid"):
            assert f"`{code}`" in unprocessable["description"]
        conflict = create["responses"]["409"]["content"]["application/problem+json"]
        assert conflict["example"]["code"] == "period_number_taken"
        assert create["requestBody"]["content"]["application/json"]["schema"]
        assert "/v1/sessions/{session_id}.ics" in spec["paths"]
