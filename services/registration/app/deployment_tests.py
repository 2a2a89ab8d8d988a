"""Use cases of deployment tests (R10): plan, record the result, report within two days."""

from __future__ import annotations

import uuid

from services.registration.app import customership, views
from services.registration.app.guards import check_dates
from services.registration.app.ports import RegistrationUoW
from services.registration.app.records import DeploymentTestRecord, RegistrationRecord
from services.registration.app.review import record_deployment
from services.registration.app.schemas.deployment_tests import (
    DeploymentTestCreate,
    DeploymentTestPage,
    DeploymentTestPublic,
    DeploymentTestReport,
    DeploymentTestResult,
)
from services.registration.domain import deployment_tests, errors
from services.registration.domain.deployment_tests import TESTABLE_STATES, DeploymentTestState
from services.registration.domain.listing import DeploymentTestFilters
from services.registration.domain.states import RegistrationState
from services.registration.settings import RegistrationSettings
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.extension import (
    DeploymentTestEvent,
    DeploymentTestFailed,
    DeploymentTestPlanned,
    DeploymentTestReported,
    DeploymentTestSucceeded,
)
from shared.paging import decode_cursor, encode_cursor

S = DeploymentTestState


async def _registration(
    uow: RegistrationUoW, registration_id: uuid.UUID, caller: Principal
) -> RegistrationRecord:
    registration = await uow.registrations.get(registration_id=registration_id)
    if registration is None or not caller.may_see(registration.business_id):
        raise errors.REGISTRATION_NOT_FOUND(f"No registration {registration_id}.")
    return registration


async def _test(
    uow: RegistrationUoW, test_id: uuid.UUID, caller: Principal, *, for_update: bool = False
) -> DeploymentTestRecord:
    """The test if the caller may see it; `for_update` row-locks it for a state change, so
    that parallel calls take turns and each sees the state the one before left."""
    test = await uow.deployment_tests.get(test_id=test_id, for_update=for_update)
    if test is None or not caller.may_see(test.business_id):
        raise errors.DEPLOYMENT_TEST_NOT_FOUND(f"No deployment test {test_id}.")
    return test


async def plan_test(
    registration_id: uuid.UUID,
    body: DeploymentTestCreate,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
    settings: RegistrationSettings,
) -> DeploymentTestPublic:
    """Plan a test of an accepted (or deployed) registration in production."""
    check_dates(body, earliest=settings.earliest_date, latest=settings.latest_date)
    now = clock.now()
    async with uow:
        registration = await _registration(uow, registration_id, caller)
        if registration.state not in TESTABLE_STATES:
            raise errors.INVALID_TRANSITION(
                f"A deployment test is planned for an accepted registration; this one is "
                f"{registration.state}."
            )
        test = uow.deployment_tests.new(
            registration_id=registration.id,
            business_id=registration.business_id,
            service=body.service or registration.service,
            environment=body.environment,
            planned_on=body.planned_on,
            state=S.PLANNED,
            created_at=now,
            updated_at=now,
        )
        uow.emit(
            DeploymentTestPlanned(
                **views.deployment_test_event_fields(test, registration),
                planned_on=body.planned_on,
            )
        )
        await uow.commit()
        return views.deployment_test_public(test, today=clock.today())


def _test_identities(body: DeploymentTestResult) -> list[str]:
    identities: list[str] = []
    for index, code in enumerate(body.test_identities):
        try:
            identities.append(deployment_tests.check_test_identity(code))
        except deployment_tests.NotATestIdentity as exc:
            raise errors.NOT_A_TEST_IDENTITY(
                f"{exc} (R10).", field=f"test_identities.{index}"
            ) from None
    return identities


async def record_result(
    test_id: uuid.UUID,
    body: DeploymentTestResult,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    settings: RegistrationSettings,
    clock: Clock,
) -> DeploymentTestPublic:
    """Record a planned test's outcome; a success is due to be reported (R10)."""
    check_dates(body, earliest=settings.earliest_date, latest=settings.latest_date)
    identities = _test_identities(body)
    now, today = clock.now(), clock.today()
    if body.tested_on > today:
        raise errors.TESTED_ON_IN_FUTURE(
            "A result is recorded after the test: tested_on is in the future."
        )
    async with uow:
        test = await _test(uow, test_id, caller, for_update=True)
        if test.state != S.PLANNED:
            raise errors.INVALID_TRANSITION(
                f"The result of deployment test {test_id} is already recorded ({test.state})."
            )
        registration = await _registration(uow, test.registration_id, caller)
        test.tested_on = body.tested_on
        test.test_identities = identities
        test.result_notes = body.notes
        test.updated_at = now
        event: DeploymentTestEvent
        if body.outcome == "success":
            test.state = S.SUCCEEDED
            test.report_due_on = deployment_tests.report_due_on(
                body.tested_on, settings.test_report_days
            )
            event = DeploymentTestSucceeded(
                **views.deployment_test_event_fields(test, registration)
            )
        else:
            test.state = S.FAILED
            event = DeploymentTestFailed(**views.deployment_test_event_fields(test, registration))
        uow.emit(event)
        await uow.commit()
        return views.deployment_test_public(test, today=today)


async def file_report(
    test_id: uuid.UUID,
    body: DeploymentTestReport,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
    settings: RegistrationSettings,
) -> DeploymentTestPublic:
    """R10: the report of a successful test; the registration becomes `deployed`."""
    check_dates(body, earliest=settings.earliest_date, latest=settings.latest_date)
    now = clock.now()
    async with uow:
        test = await _test(uow, test_id, caller, for_update=True)
        if test.state != S.SUCCEEDED:
            raise errors.INVALID_TRANSITION(
                f"Only a successful test is reported; deployment test {test_id} is {test.state}."
            )
        registration = await _registration(uow, test.registration_id, caller)
        assert test.tested_on is not None and test.report_due_on is not None
        today = clock.today()
        test.state = S.REPORTED
        test.reported_at = now
        # R10: a report after its deadline is kept, and marked late for staff to see.
        test.reported_late = deployment_tests.report_overdue(test.report_due_on, today)
        test.report = body.model_dump(mode="json")
        test.updated_at = now
        uow.emit(
            DeploymentTestReported(
                **views.deployment_test_event_fields(test, registration),
                reported_at=now,
                reported_by=caller.client_id,
                reported_late=test.reported_late,
            )
        )
        if registration.state != RegistrationState.DEPLOYED and not (
            await customership.missing_for_deployment(uow, registration, clock=clock)
        ):
            # record_deployment commits this unit of work, the report with it.
            await record_deployment(
                uow, registration.id, test.tested_on, caller=caller, clock=clock
            )
        else:
            # Deployed already, or R8: a first deployment whose customership checklist is not
            # complete stays accepted (the report is kept); staff deploy it once it is.
            await uow.commit()
        return views.deployment_test_public(test, today=today)


async def get_test(
    test_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal, clock: Clock
) -> DeploymentTestPublic:
    """A deployment test the caller may see."""
    async with uow:
        test = await _test(uow, test_id, caller)
    return views.deployment_test_public(test, today=clock.today())


async def list_tests(
    uow: RegistrationUoW,
    *,
    caller: Principal,
    registration_id: uuid.UUID | None,
    state: str | None,
    report_overdue: bool | None,
    cursor: str | None,
    limit: int,
    clock: Clock,
) -> DeploymentTestPage:
    """A page of the tests the caller may see, oldest first; overdue as of today."""
    today = clock.today()
    filters = DeploymentTestFilters(
        today=today,
        business_id=None if caller.is_staff else caller.business_id,
        registration_id=registration_id,
        state=state,
        report_overdue=report_overdue,
    )
    after = decode_cursor(cursor) if cursor is not None else None
    async with uow:
        rows = list(
            await uow.deployment_tests.list_page(filters=filters, after=after, limit=limit + 1)
        )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return DeploymentTestPage(
        items=[views.deployment_test_public(t, today=today) for t in rows],
        next_cursor=next_cursor,
    )
