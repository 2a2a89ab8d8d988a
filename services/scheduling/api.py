"""HTTP routes of the calendar (R1, R2): staff write, every authenticated caller reads."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Body, Path, status

from services.scheduling import handlers, participation, queries
from services.scheduling.deps import PolicyDep
from services.scheduling.openapi import AUTH, STAFF, problems
from services.scheduling.schemas import (
    CalendarPublic,
    KnownRegistrationPublic,
    PeriodCreate,
    PeriodPublic,
    PeriodUpdate,
    SessionCancel,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
)
from shared.app import UoW
from shared.auth import Caller, StaffCaller

router = APIRouter(prefix="/v1")

PERIOD_404 = (404, "period_not_found", "No period 3fa85f64-5717-4562-b3fc-2c963f66afa6.")
SESSION_404 = (404, "session_not_found", "No session 3fa85f64-5717-4562-b3fc-2c963f66afa6.")
VALIDATION = (
    422,
    "validation_error",
    "The request has 1 invalid field: number: Input should be less than or equal to 3",
    "number",
)


@router.post(
    "/periods",
    tags=["calendar"],
    status_code=status.HTTP_201_CREATED,
    response_model=PeriodPublic,
    summary="Add a deployment period (staff)",
    responses=problems(
        *STAFF,
        (409, "period_number_taken", "Period 1/2027 exists already.", "number"),
        VALIDATION,
        (
            422,
            "period_overlap",
            "The period overlaps period 2/2027 (2027-05-03–2027-08-31).",
            "starts_on",
        ),
        (
            422,
            "period_order",
            "Periods are numbered in date order: period 2 starts on 2027-05-03, so period 3 "
            "cannot start on 2027-01-11.",
            "number",
        ),
        (
            422,
            "registration_window_invalid",
            "Registration must close (2027-05-02) before the period ends (2027-04-30).",
            "registration_closes_on",
        ),
    ),
)
async def create_period(body: PeriodCreate, uow: UoW, _: StaffCaller) -> PeriodPublic:
    """R1: three periods a year, numbered in date order, none overlapping; a draft at first."""
    return await handlers.create_period(body, uow)


@router.patch(
    "/periods/{period_id}",
    tags=["calendar"],
    response_model=PeriodPublic,
    summary="Change a period's dates (staff)",
    responses=problems(
        *STAFF,
        PERIOD_404,
        (
            422,
            "period_overlap",
            "The period overlaps period 2/2027 (2027-05-03–2027-08-31).",
            "starts_on",
        ),
    ),
)
async def update_period(
    period_id: uuid.UUID, body: PeriodUpdate, uow: UoW, _: StaffCaller
) -> PeriodPublic:
    """New dates, checked like a new period's; a published period emits `period.updated`."""
    return await handlers.update_period(period_id, body, uow)


@router.post(
    "/periods/{period_id}/publish",
    tags=["calendar"],
    response_model=PeriodPublic,
    summary="Publish a period and its sessions (staff)",
    responses=problems(
        *STAFF,
        PERIOD_404,
        (409, "period_already_published", "Period 1/2027 is published already."),
    ),
)
async def publish_period(
    period_id: uuid.UUID, uow: UoW, policy: PolicyDep, _: StaffCaller
) -> PeriodPublic:
    """Emits `period.published` and a `session.published` per session, then seats the
    registrations already accepted for the period."""
    return await handlers.publish_period(period_id, uow, policy)


@router.post(
    "/periods/{period_id}/sessions",
    tags=["calendar"],
    status_code=status.HTTP_201_CREATED,
    response_model=SessionPublic,
    summary="Add a preparation event or a training (staff)",
    responses=problems(
        *STAFF,
        PERIOD_404,
        (
            422,
            "session_on_holiday",
            "2027-12-06 is a Independence Day in Finland; send `confirm_holiday: true` to "
            "schedule the session anyway.",
            "starts_at",
        ),
        (422, "session_time_invalid", "The session must end after it starts.", "ends_at"),
        (
            422,
            "session_location_missing",
            "Give the session an `online_url` or a `place`.",
            "online_url",
        ),
    ),
)
async def add_session(
    period_id: uuid.UUID, body: SessionCreate, uow: UoW, policy: PolicyDep, _: StaffCaller
) -> SessionPublic:
    """R2: a draft until the period is published; in a published period it is live at once."""
    return await handlers.add_session(period_id, body, uow, policy)


@router.patch(
    "/sessions/{session_id}",
    tags=["calendar"],
    response_model=SessionPublic,
    summary="Change a session (staff)",
    responses=problems(
        *STAFF,
        SESSION_404,
        (409, "session_cancelled", "A cancelled session cannot change."),
        (
            422,
            "capacity_below_confirmed",
            "12 participants hold a seat; the capacity cannot go below that.",
            "capacity",
        ),
    ),
)
async def update_session(
    session_id: uuid.UUID, body: SessionUpdate, uow: UoW, policy: PolicyDep, _: StaffCaller
) -> SessionPublic:
    """Every change raises SEQUENCE; after publishing, a time or place change emits
    `session.rescheduled` (old → new) and moves the reminders."""
    return await handlers.update_session(session_id, body, uow, policy)


@router.post(
    "/sessions/{session_id}/cancel",
    tags=["calendar"],
    response_model=SessionPublic,
    summary="Cancel a session (staff)",
    responses=problems(
        *STAFF, SESSION_404, (409, "session_cancelled", "The session is cancelled already.")
    ),
)
async def cancel_session(
    session_id: uuid.UUID,
    uow: UoW,
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
    """Emits `session.cancelled` with the participants to tell; their seats are freed."""
    return await handlers.cancel_session(session_id, body or SessionCancel(), uow)


@router.get(
    "/calendar/{year}",
    tags=["calendar"],
    response_model=CalendarPublic,
    summary="The calendar of a year",
    responses=problems(*AUTH),
)
async def read_calendar(
    uow: UoW, caller: Caller, year: int = Path(ge=2000, le=2100)
) -> CalendarPublic:
    """Published periods and sessions of the year (staff see drafts too)."""
    return await queries.get_calendar(year, uow, caller)


@router.get(
    "/periods/{period_id}",
    tags=["calendar"],
    response_model=PeriodPublic,
    summary="One period with its sessions",
    responses=problems(*AUTH, PERIOD_404),
)
async def read_period(period_id: uuid.UUID, uow: UoW, caller: Caller) -> PeriodPublic:
    """A published period (a draft: staff only)."""
    return await queries.get_period(period_id, uow, caller)


@router.get(
    "/sessions/{session_id}",
    tags=["calendar"],
    response_model=SessionPublic,
    summary="One session",
    responses=problems(*AUTH, SESSION_404),
)
async def read_session(session_id: uuid.UUID, uow: UoW, caller: Caller) -> SessionPublic:
    """A published or cancelled session (a draft: staff only); times in Europe/Helsinki."""
    return await queries.get_session(session_id, uow, caller)


@router.get(
    "/registrations/{registration_id}",
    tags=["registrations"],
    response_model=KnownRegistrationPublic,
    summary="What scheduling knows of a registration",
    responses=problems(
        *AUTH,
        (
            404,
            "registration_not_found",
            "Scheduling has no registration 3fa85f64-5717-4562-b3fc-2c963f66afa6 (yet).",
        ),
    ),
)
async def read_known_registration(
    registration_id: uuid.UUID, uow: UoW, caller: Caller
) -> KnownRegistrationPublic:
    """The registration's participants as learnt from events (staff: any; an organisation:
    its own business ID's; 404 otherwise)."""
    return await participation.get_known_registration(registration_id, uow, caller)
