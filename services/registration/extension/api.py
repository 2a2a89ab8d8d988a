"""HTTP routes of the extension of use: notices (R9), deployment tests (R10), customership (R8)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status

from services.registration.extension import customership, deployment_tests, notices
from services.registration.extension.schemas import (
    CustomershipPublic,
    DeploymentTestCreate,
    DeploymentTestPage,
    DeploymentTestPublic,
    DeploymentTestReport,
    DeploymentTestResult,
    NoticeCreate,
    NoticePage,
    NoticePublic,
)
from services.registration.settings import RegistrationSettings
from shared.app import UoW
from shared.auth import Caller, OrganisationCaller, StaffCaller
from shared.http import Problem

router = APIRouter(prefix="/v1")


def _settings(request: Request) -> RegistrationSettings:
    settings: RegistrationSettings = request.app.state.settings
    return settings


Settings = Annotated[RegistrationSettings, Depends(_settings)]
Limit = Annotated[int, Query(ge=1, le=200)]


def problem(code: str, status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    """An OpenAPI response entry with a problem-details example."""
    titles = {403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Unprocessable content"}
    return {
        "model": Problem,
        "description": detail,
        "content": {
            "application/problem+json": {
                "example": {
                    "type": f"https://kanta.example/problems/{code}",
                    "title": titles.get(status_code, "Error"),
                    "status": status_code,
                    "code": code,
                    "detail": detail,
                    **extra,
                }
            }
        },
    }


NOTICE_404 = problem("notice_not_found", 404, "No notice 3fa85f64-5717-4562-b3fc-2c963f66afa6.")
TEST_404 = problem(
    "deployment_test_not_found", 404, "No deployment test 3fa85f64-5717-4562-b3fc-2c963f66afa6."
)
CONFLICT = problem("invalid_transition", 409, "Notice … is already acknowledged.")


@router.post(
    "/notices",
    status_code=status.HTTP_201_CREATED,
    response_model=NoticePublic,
    tags=["notices"],
    summary="File a change notice (R9)",
    responses={
        403: problem("organisation_only", 403, "Only an organisation may use this route."),
        422: problem(
            "notice_too_late",
            422,
            "A technical connection point change must be notified at least 14 days ahead "
            "(R9): the earliest effective date today is 2027-03-01.",
            field="notice.effective_on",
            earliest_allowed="2027-03-01",
        ),
    },
)
async def file_notice(
    body: NoticeCreate, caller: OrganisationCaller, uow: UoW, settings: Settings
) -> NoticePublic:
    """Connection point changes need 14 days' lead time (a setting); document-group and
    system-profile changes and growth over 500,000 documents are sent to Kela's mailbox."""
    return await notices.file_notice(body, caller, uow, settings)


@router.get("/notices", response_model=NoticePage, tags=["notices"], summary="List notices")
async def list_notices(
    caller: Caller,
    uow: UoW,
    state: Literal["received", "acknowledged"] | None = None,
    kind: str | None = Query(default=None, max_length=40),
    routed_to_kela: bool | None = None,
    cursor: str | None = Query(default=None, max_length=500),
    limit: Limit = 50,
) -> NoticePage:
    """Staff see every organisation's notices; an organisation its own."""
    return await notices.list_notices(
        caller,
        uow,
        state=state,
        kind=kind,
        routed_to_kela=routed_to_kela,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/notices/{notice_id}",
    response_model=NoticePublic,
    tags=["notices"],
    summary="Read a notice with its history",
    responses={404: NOTICE_404},
)
async def read_notice(notice_id: uuid.UUID, caller: Caller, uow: UoW) -> NoticePublic:
    return await notices.get_notice(notice_id, caller, uow)


@router.post(
    "/notices/{notice_id}/acknowledge",
    response_model=NoticePublic,
    tags=["notices"],
    summary="Acknowledge a notice (staff)",
    responses={404: NOTICE_404, 409: CONFLICT},
)
async def acknowledge_notice(notice_id: uuid.UUID, caller: StaffCaller, uow: UoW) -> NoticePublic:
    return await notices.acknowledge_notice(notice_id, caller, uow)


@router.post(
    "/registrations/{registration_id}/deployment-tests",
    status_code=status.HTTP_201_CREATED,
    response_model=DeploymentTestPublic,
    tags=["deployment tests"],
    summary="Plan a deployment test (käyttöönottokoe) of an accepted registration",
    responses={
        404: problem("registration_not_found", 404, "No registration …."),
        409: problem("invalid_transition", 409, "This registration is submitted."),
    },
)
async def plan_test(
    registration_id: uuid.UUID, body: DeploymentTestCreate, caller: Caller, uow: UoW
) -> DeploymentTestPublic:
    return await deployment_tests.plan_test(registration_id, body, caller, uow)


@router.post(
    "/deployment-tests/{test_id}/result",
    response_model=DeploymentTestPublic,
    tags=["deployment tests"],
    summary="Record the result of a deployment test",
    responses={
        404: TEST_404,
        409: problem("invalid_transition", 409, "The result is already recorded."),
        422: problem(
            "not_a_test_identity",
            422,
            "010181-123F is not a test identity code: the individual number 123 must be "
            "900–999 (Kela's test series); never use a real person's code (R10).",
            field="test_identities.0",
        ),
    },
)
async def record_result(
    test_id: uuid.UUID,
    body: DeploymentTestResult,
    caller: Caller,
    uow: UoW,
    settings: Settings,
) -> DeploymentTestPublic:
    """Only Kela's test identity codes (individual number 900–999) are accepted. A success
    must be reported within two days (R10); the contacts are reminded by mail."""
    return await deployment_tests.record_result(test_id, body, caller, uow, settings)


@router.post(
    "/deployment-tests/{test_id}/report",
    response_model=DeploymentTestPublic,
    tags=["deployment tests"],
    summary="Report a successful deployment test to Kela (R10)",
    responses={
        404: TEST_404,
        409: problem("invalid_transition", 409, "Only a successful test is reported."),
    },
)
async def file_report(
    test_id: uuid.UUID, body: DeploymentTestReport, caller: Caller, uow: UoW
) -> DeploymentTestPublic:
    """The registration moves to `deployed` with the test's date."""
    return await deployment_tests.file_report(test_id, body, caller, uow)


@router.get(
    "/deployment-tests",
    response_model=DeploymentTestPage,
    tags=["deployment tests"],
    summary="List deployment tests",
)
async def list_tests(
    caller: Caller,
    uow: UoW,
    registration_id: uuid.UUID | None = None,
    state: Literal["planned", "succeeded", "failed", "reported"] | None = None,
    report_overdue: bool | None = None,
    cursor: str | None = Query(default=None, max_length=500),
    limit: Limit = 50,
) -> DeploymentTestPage:
    """`report_overdue=true` lists successful tests not reported in time (staff follow-up)."""
    return await deployment_tests.list_tests(
        caller,
        uow,
        registration_id=registration_id,
        state=state,
        report_overdue=report_overdue,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/deployment-tests/{test_id}",
    response_model=DeploymentTestPublic,
    tags=["deployment tests"],
    summary="Read a deployment test",
    responses={404: TEST_404},
)
async def read_test(test_id: uuid.UUID, caller: Caller, uow: UoW) -> DeploymentTestPublic:
    return await deployment_tests.get_test(test_id, caller, uow)


@router.get(
    "/customerships",
    response_model=list[CustomershipPublic],
    tags=["customership"],
    summary="Customerships and their checklists (staff)",
)
async def list_customerships(
    caller: StaffCaller,
    uow: UoW,
    formed: bool | None = None,
    after: str | None = Query(default=None, max_length=9, description="business ID to start after"),
    limit: Limit = 50,
) -> list[CustomershipPublic]:
    return await customership.list_customerships(uow, formed=formed, limit=limit, after=after)


@router.get(
    "/customerships/{business_id}",
    response_model=CustomershipPublic,
    tags=["customership"],
    summary="One organisation's customership (R8)",
    responses={404: problem("customership_not_found", 404, "No customership for 2077474-0.")},
)
async def read_customership(business_id: str, caller: Caller, uow: UoW) -> CustomershipPublic:
    return await customership.get_customership(business_id, caller, uow)
