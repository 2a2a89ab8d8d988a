"""HTTP routes of the calendar (R1, R2): staff write, every authenticated caller reads."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Body, Path, status

from services.scheduling.api.deps import AUTH, STAFF, Caller, ClockDep, PolicyDep, StaffCaller, UoW
from services.scheduling.app import periods, queries, sessions
from services.scheduling.app.schemas import (
    CalendarPublic,
    InvitationsResent,
    PeriodCreate,
    PeriodPublic,
    PeriodUpdate,
    SessionCancel,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
)
from services.scheduling.domain import errors
from shared.openapi import problem_responses
from shared.problems import VALIDATION_ERROR

router = APIRouter(prefix="/v1", tags=["calendar"])


@router.post(
    "/periods",
    status_code=status.HTTP_201_CREATED,
    response_model=PeriodPublic,
    summary="Add a deployment period (staff)",
    responses=problem_responses(
        *STAFF,
        errors.PERIOD_NUMBER_TAKEN,
        errors.PERIOD_LIMIT_REACHED,
        errors.PERIOD_OVERLAP,
        errors.PERIOD_ORDER,
        errors.REGISTRATION_WINDOW_INVALID,
        errors.PERIOD_NUMBER_INVALID,
        errors.PERIOD_YEAR_MISMATCH,
        errors.PERIOD_DATES_INVALID,
        errors.DATE_OUT_OF_RANGE,
        VALIDATION_ERROR,
    ),
)
async def create_period(
    body: PeriodCreate, uow: UoW, policy: PolicyDep, clock: ClockDep, _: StaffCaller
) -> PeriodPublic:
    """R1: three periods a year, numbered in date order, none overlapping; a draft at first."""
    return await periods.create_period(body, uow, policy, clock=clock)


@router.patch(
    "/periods/{period_id}",
    response_model=PeriodPublic,
    summary="Change a period's dates (staff)",
    responses=problem_responses(
        *STAFF,
        errors.PERIOD_NOT_FOUND,
        errors.PERIOD_OVERLAP,
        errors.PERIOD_ORDER,
        errors.REGISTRATION_WINDOW_INVALID,
        errors.PERIOD_DATES_INVALID,
        errors.DATE_OUT_OF_RANGE,
        errors.SESSION_OUTSIDE_PERIOD,
    ),
)
async def update_period(
    period_id: uuid.UUID,
    body: PeriodUpdate,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    _: StaffCaller,
) -> PeriodPublic:
    """New dates, checked like a new period's; its sessions must still lie inside it (R2);
    a published period emits `period.updated`."""
    return await periods.update_period(period_id, body, uow, policy, clock=clock)


@router.post(
    "/periods/{period_id}/publish",
    response_model=PeriodPublic,
    summary="Publish a period and its sessions (staff)",
    responses=problem_responses(
        *STAFF,
        errors.PERIOD_NOT_FOUND,
        errors.PERIOD_ALREADY_PUBLISHED,
        errors.PERIOD_WITHOUT_PREPARATION,
    ),
)
async def publish_period(
    period_id: uuid.UUID, uow: UoW, policy: PolicyDep, clock: ClockDep, _: StaffCaller
) -> PeriodPublic:
    """Emits `period.published` and a `session.published` per session, then seats the
    registrations already accepted for the period. R2: a period without a preparation
    event is not published (409 `period_without_preparation`)."""
    return await periods.publish_period(period_id, uow, policy, clock=clock)


@router.post(
    "/periods/{period_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionPublic,
    summary="Add a preparation event or a training (staff)",
    responses=problem_responses(
        *STAFF,
        errors.PERIOD_NOT_FOUND,
        errors.SESSION_ON_HOLIDAY,
        errors.SESSION_TIME_INVALID,
        errors.SESSION_LOCATION_MISSING,
        errors.SESSION_OUTSIDE_PERIOD,
        errors.DATE_OUT_OF_RANGE,
        VALIDATION_ERROR,
    ),
)
async def add_session(
    period_id: uuid.UUID,
    body: SessionCreate,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    _: StaffCaller,
) -> SessionPublic:
    """R2: a draft until the period is published; in a published period it is live at once.
    It lies inside the period's dates (a preparation event may precede the period by
    `PREPARATION_LEAD_DAYS`, 60 by default)."""
    return await sessions.add_session(period_id, body, uow, policy, clock=clock)


@router.patch(
    "/sessions/{session_id}",
    response_model=SessionPublic,
    summary="Change a session (staff)",
    responses=problem_responses(
        *STAFF,
        errors.SESSION_NOT_FOUND,
        errors.SESSION_CANCELLED,
        errors.CAPACITY_BELOW_CONFIRMED,
        errors.SESSION_ON_HOLIDAY,
        errors.SESSION_TIME_INVALID,
        errors.SESSION_LOCATION_MISSING,
        errors.SESSION_OUTSIDE_PERIOD,
        errors.DATE_OUT_OF_RANGE,
        VALIDATION_ERROR,
    ),
)
async def update_session(
    session_id: uuid.UUID,
    body: SessionUpdate,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    _: StaffCaller,
) -> SessionPublic:
    """Every change raises SEQUENCE; after publishing, a change a calendar shows (time,
    place, link, title) emits `session.rescheduled` (old → new) to everyone holding an entry
    and moves the reminders; the period's seats are reconciled."""
    return await sessions.update_session(session_id, body, uow, policy, clock=clock)


@router.post(
    "/sessions/{session_id}/cancel",
    response_model=SessionPublic,
    summary="Cancel a session (staff)",
    responses=problem_responses(*STAFF, errors.SESSION_NOT_FOUND, errors.SESSION_CANCELLED),
)
async def cancel_session(
    session_id: uuid.UUID,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    _: StaffCaller,
    body: SessionCancel | None = Body(
        default=None,
        openapi_examples={
            "with a note": {
                "summary": "A note for the participants (optional; the body may be left out)",
                "value": {"note": "The trainer fell ill; a new date follows."},
            }
        },
    ),
) -> SessionPublic:
    """Emits `session.cancelled` with everyone who held an entry (confirmed and waiting);
    their enrolments end as cancelled (still listed as the session's participants)."""
    return await sessions.cancel_session(
        session_id, body or SessionCancel(), uow, policy, clock=clock
    )


@router.post(
    "/sessions/{session_id}/invitations/resend",
    response_model=InvitationsResent,
    summary="Send a session's current invitations again (staff)",
    responses=problem_responses(*STAFF, errors.SESSION_NOT_FOUND, errors.SESSION_NOT_OPEN),
)
async def resend_invitations(
    session_id: uuid.UUID, uow: UoW, policy: PolicyDep, clock: ClockDep, _: StaffCaller
) -> InvitationsResent:
    """Every confirmed and waiting participant gets their invitation again, rendered from
    the session as it is now with their current SEQUENCE (`enrolment.confirmed` or
    `enrolment.waitlisted` with `resend: true`); nothing else changes."""
    return await sessions.resend_invitations(session_id, uow, policy, clock=clock)


@router.get(
    "/calendar/{year}",
    response_model=CalendarPublic,
    summary="The calendar of a year",
    responses=problem_responses(*AUTH),
)
async def read_calendar(
    uow: UoW, caller: Caller, year: int = Path(ge=2000, le=2100)
) -> CalendarPublic:
    """Published periods and sessions of the year (staff see drafts too)."""
    return await queries.get_calendar(year, uow, caller)


@router.get(
    "/periods/{period_id}",
    response_model=PeriodPublic,
    summary="One period with its sessions",
    responses=problem_responses(*AUTH, errors.PERIOD_NOT_FOUND),
)
async def read_period(period_id: uuid.UUID, uow: UoW, caller: Caller) -> PeriodPublic:
    """A published period (a draft: staff only)."""
    return await queries.get_period(period_id, uow, caller)


@router.get(
    "/sessions/{session_id}",
    response_model=SessionPublic,
    summary="One session",
    responses=problem_responses(*AUTH, errors.SESSION_NOT_FOUND),
)
async def read_session(session_id: uuid.UUID, uow: UoW, caller: Caller) -> SessionPublic:
    """A published or cancelled session (a draft: staff only); times in Europe/Helsinki."""
    return await queries.get_session(session_id, uow, caller)
