"""HTTP routes of deployment tests (käyttöönottokoe, R10)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, status

from services.registration.api.deps import ClockDep, RegistrationId, Settings, UoW
from services.registration.app import deployment_tests
from services.registration.app.schemas.deployment_tests import (
    DeploymentTestCreate,
    DeploymentTestPage,
    DeploymentTestPublic,
    DeploymentTestReport,
    DeploymentTestResult,
)
from services.registration.domain import errors
from shared.auth import Caller
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Cursor, Limit
from shared.problems import INVALID_CURSOR

router = APIRouter(prefix="/v1", tags=["deployment tests"])


@router.post(
    "/registrations/{registration_id}/deployment-tests",
    status_code=status.HTTP_201_CREATED,
    response_model=DeploymentTestPublic,
    summary="Plan a deployment test (käyttöönottokoe) of an accepted registration",
    responses=problem_responses(
        errors.REGISTRATION_NOT_FOUND, errors.INVALID_TRANSITION, errors.DATE_OUT_OF_RANGE
    ),
)
async def plan_test(
    registration_id: RegistrationId,
    body: DeploymentTestCreate,
    caller: Caller,
    uow: UoW,
    clock: ClockDep,
    settings: Settings,
) -> DeploymentTestPublic:
    return await deployment_tests.plan_test(
        registration_id, body, uow, caller=caller, clock=clock, settings=settings
    )


@router.post(
    "/deployment-tests/{test_id}/result",
    response_model=DeploymentTestPublic,
    summary="Record the result of a deployment test",
    responses=problem_responses(
        errors.DEPLOYMENT_TEST_NOT_FOUND,
        errors.INVALID_TRANSITION,
        errors.NOT_A_TEST_IDENTITY,
        errors.TESTED_ON_IN_FUTURE,
        errors.DATE_OUT_OF_RANGE,
    ),
)
async def record_result(
    test_id: uuid.UUID,
    body: DeploymentTestResult,
    caller: Caller,
    uow: UoW,
    settings: Settings,
    clock: ClockDep,
) -> DeploymentTestPublic:
    """Only Kela's test identity codes (individual number 900–999) are accepted. A success
    must be reported within two days (R10); the contacts are reminded by mail."""
    return await deployment_tests.record_result(
        test_id, body, uow, caller=caller, settings=settings, clock=clock
    )


@router.post(
    "/deployment-tests/{test_id}/report",
    response_model=DeploymentTestPublic,
    summary="Report a successful deployment test to Kela (R10)",
    responses=problem_responses(
        errors.DEPLOYMENT_TEST_NOT_FOUND, errors.INVALID_TRANSITION, errors.DATE_OUT_OF_RANGE
    ),
)
async def file_report(
    test_id: uuid.UUID,
    body: DeploymentTestReport,
    caller: Caller,
    uow: UoW,
    clock: ClockDep,
    settings: Settings,
) -> DeploymentTestPublic:
    """The registration moves to `deployed` with the test's date (R8: a first deployment
    once its customership checklist is complete). A report after `report_due_on` is kept
    and marked `reported_late` (R10)."""
    return await deployment_tests.file_report(
        test_id, body, uow, caller=caller, clock=clock, settings=settings
    )


@router.get(
    "/deployment-tests",
    response_model=DeploymentTestPage,
    summary="List deployment tests",
    responses=problem_responses(INVALID_CURSOR),
)
async def list_tests(
    caller: Caller,
    uow: UoW,
    clock: ClockDep,
    registration_id: uuid.UUID | None = None,
    state: Literal["planned", "succeeded", "failed", "reported"] | None = None,
    report_overdue: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> DeploymentTestPage:
    """`report_overdue=true` lists successful tests not reported in time (staff follow-up)."""
    return await deployment_tests.list_tests(
        uow,
        caller=caller,
        registration_id=registration_id,
        state=state,
        report_overdue=report_overdue,
        cursor=cursor,
        limit=limit,
        clock=clock,
    )


@router.get(
    "/deployment-tests/{test_id}",
    response_model=DeploymentTestPublic,
    summary="Read a deployment test",
    responses=problem_responses(errors.DEPLOYMENT_TEST_NOT_FOUND),
)
async def read_test(
    test_id: uuid.UUID, caller: Caller, uow: UoW, clock: ClockDep
) -> DeploymentTestPublic:
    return await deployment_tests.get_test(test_id, uow, caller=caller, clock=clock)
