"""Use cases of deployment tests (R10): plan, record the result, report within two days."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import and_, or_
from sqlmodel import col, select

from services.registration.extension import rules
from services.registration.extension.models import DeploymentTest
from services.registration.extension.registrations import (
    RegistrationView,
    load_registration,
    mark_deployed,
)
from services.registration.extension.schemas import (
    DeploymentTestCreate,
    DeploymentTestPage,
    DeploymentTestPublic,
    DeploymentTestReport,
    DeploymentTestResult,
)
from services.registration.settings import RegistrationSettings
from shared.auth import Principal
from shared.contracts.extension import (
    DeploymentTestEvent,
    DeploymentTestFailed,
    DeploymentTestPlanned,
    DeploymentTestReported,
    DeploymentTestSucceeded,
)
from shared.errors import Conflict, NotFound, RuleViolation
from shared.paging import decode_cursor, encode_cursor
from shared.types import utcnow
from shared.uow import UnitOfWork

TESTABLE_STATES = frozenset({"accepted", "deployed"})


def public(test: DeploymentTest, today: date) -> DeploymentTestPublic:
    overdue = test.overdue_flagged_at is not None or (
        test.state == "succeeded"
        and test.report_due_on is not None
        and rules.report_overdue(test.report_due_on, today)
    )
    return DeploymentTestPublic(
        id=test.id,
        registration_id=test.registration_id,
        business_id=test.business_id,
        service=test.service,
        environment=test.environment,
        planned_on=test.planned_on,
        state=test.state,
        tested_on=test.tested_on,
        test_identities=test.test_identities,
        report_due_on=test.report_due_on,
        report_overdue=overdue,
        reported_at=test.reported_at,
        report=test.report,
    )


def event_fields(test: DeploymentTest, registration: RegistrationView) -> dict[str, object]:
    """The fields every `deployment_test.*` event carries."""
    return {
        "test_id": test.id,
        "registration_id": test.registration_id,
        "business_id": test.business_id,
        "organisation_name": registration.organisation_name,
        "service": test.service,
        "tested_on": test.tested_on,
        "report_due_on": test.report_due_on,
        "contacts": registration.contacts,
    }


async def _registration(
    uow: UnitOfWork, registration_id: uuid.UUID, principal: Principal
) -> RegistrationView:
    registration = await load_registration(uow, registration_id)
    if registration is None or not principal.may_see(registration.business_id):
        raise NotFound(f"No registration {registration_id}.", code="registration_not_found")
    return registration


async def _test(uow: UnitOfWork, test_id: uuid.UUID, principal: Principal) -> DeploymentTest:
    test = await uow.session.get(DeploymentTest, test_id)
    if test is None or not principal.may_see(test.business_id):
        raise NotFound(f"No deployment test {test_id}.", code="deployment_test_not_found")
    return test


async def plan_test(
    registration_id: uuid.UUID,
    body: DeploymentTestCreate,
    principal: Principal,
    uow: UnitOfWork,
) -> DeploymentTestPublic:
    now = utcnow()
    async with uow:
        registration = await _registration(uow, registration_id, principal)
        if registration.state not in TESTABLE_STATES:
            raise Conflict(
                f"A deployment test is planned for an accepted registration; this one is "
                f"{registration.state}.",
                code="invalid_transition",
            )
        test = DeploymentTest(
            registration_id=registration.id,
            business_id=registration.business_id,
            service=body.service or registration.service,
            environment=body.environment,
            planned_on=body.planned_on,
            state="planned",
            created_at=now,
            updated_at=now,
        )
        uow.session.add(test)
        uow.emit(
            DeploymentTestPlanned(**event_fields(test, registration), planned_on=body.planned_on)
        )
        await uow.commit()
        return public(test, rules.helsinki_today(now))


async def record_result(
    test_id: uuid.UUID,
    body: DeploymentTestResult,
    principal: Principal,
    uow: UnitOfWork,
    settings: RegistrationSettings,
) -> DeploymentTestPublic:
    identities: list[str] = []
    for index, code in enumerate(body.test_identities):
        try:
            identities.append(rules.check_test_identity(code))
        except rules.NotATestIdentity as exc:
            raise RuleViolation(
                f"{exc} (R10).", code="not_a_test_identity", field=f"test_identities.{index}"
            ) from None
    now = utcnow()
    today = rules.helsinki_today(now)
    if body.tested_on > today:
        raise RuleViolation(
            "A result is recorded after the test: tested_on is in the future.",
            code="tested_on_in_future",
            field="tested_on",
        )
    async with uow:
        test = await _test(uow, test_id, principal)
        if test.state != "planned":
            raise Conflict(
                f"The result of deployment test {test_id} is already recorded ({test.state}).",
                code="invalid_transition",
            )
        registration = await _registration(uow, test.registration_id, principal)
        test.tested_on = body.tested_on
        test.test_identities = identities
        test.result_notes = body.notes
        test.updated_at = now
        event: DeploymentTestEvent
        if body.outcome == "success":
            test.state = "succeeded"
            test.report_due_on = rules.report_due_on(body.tested_on, settings.test_report_days)
            event = DeploymentTestSucceeded(**event_fields(test, registration))
        else:
            test.state = "failed"
            event = DeploymentTestFailed(**event_fields(test, registration))
        uow.session.add(test)
        uow.emit(event)
        await uow.commit()
        return public(test, today)


async def file_report(
    test_id: uuid.UUID,
    body: DeploymentTestReport,
    principal: Principal,
    uow: UnitOfWork,
) -> DeploymentTestPublic:
    """R10: the report of a successful test; the registration becomes `deployed`."""
    now = utcnow()
    async with uow:
        test = await _test(uow, test_id, principal)
        if test.state != "succeeded":
            raise Conflict(
                f"Only a successful test is reported; deployment test {test_id} is {test.state}.",
                code="invalid_transition",
            )
        registration = await _registration(uow, test.registration_id, principal)
        test.state = "reported"
        test.reported_at = now
        test.report = body.model_dump(mode="json")
        test.updated_at = now
        uow.session.add(test)
        uow.emit(
            DeploymentTestReported(
                **event_fields(test, registration),
                reported_at=now,
                reported_by=principal.client_id,
            )
        )
        assert test.tested_on is not None
        if registration.state != "deployed":
            await mark_deployed(uow, registration.id, test.tested_on, principal)
        await uow.commit()
        return public(test, rules.helsinki_today(now))


async def get_test(
    test_id: uuid.UUID, principal: Principal, uow: UnitOfWork
) -> DeploymentTestPublic:
    async with uow:
        return public(await _test(uow, test_id, principal), rules.helsinki_today(utcnow()))


async def list_tests(
    principal: Principal,
    uow: UnitOfWork,
    *,
    registration_id: uuid.UUID | None,
    state: str | None,
    report_overdue: bool | None,
    cursor: str | None,
    limit: int,
    now: datetime | None = None,
) -> DeploymentTestPage:
    today = rules.helsinki_today(now or utcnow())
    query = select(DeploymentTest)
    if not principal.is_staff:
        query = query.where(DeploymentTest.business_id == principal.business_id)
    if registration_id is not None:
        query = query.where(DeploymentTest.registration_id == registration_id)
    if state is not None:
        query = query.where(DeploymentTest.state == state)
    overdue = or_(
        col(DeploymentTest.overdue_flagged_at).is_not(None),
        and_(col(DeploymentTest.state) == "succeeded", col(DeploymentTest.report_due_on) < today),
    )
    if report_overdue is True:
        query = query.where(overdue)
    elif report_overdue is False:
        query = query.where(~overdue)
    if cursor is not None:
        after_at, after_id = decode_cursor(cursor)
        query = query.where(
            or_(
                col(DeploymentTest.created_at) > after_at,
                and_(
                    col(DeploymentTest.created_at) == after_at,
                    col(DeploymentTest.id) > after_id,
                ),
            )
        )
    query = query.order_by(col(DeploymentTest.created_at), col(DeploymentTest.id)).limit(limit + 1)
    async with uow:
        rows = list(await uow.session.exec(query))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return DeploymentTestPage(items=[public(t, today) for t in rows], next_cursor=next_cursor)
