"""HTTP routes of the registration form: thin, they call use cases and return models.

Who may call what: any authenticated caller submits, reads, lists and reads history, an
organisation only for its own business ID (another organisation's registration answers 404,
exactly like a missing one); only the organisation edits and withdraws; only staff review,
move, record deployment and export. The service catalogue is public reference data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from services.registration.api.deps import (
    ClockDep,
    RegistrationId,
    Settings,
    Sheets,
    UnitsOfWork,
    UoW,
)
from services.registration.app import export, queries, registrations
from services.registration.app.schemas.registrations import (
    HistoryEntry,
    RegistrationCreate,
    RegistrationPage,
    RegistrationPublic,
    RegistrationUpdate,
)
from services.registration.domain import errors
from services.registration.domain.errors import AUTH, FORM_RULES, READ
from services.registration.domain.listing import Filters, Position
from services.registration.domain.states import RegistrationState
from shared.auth import Caller, OrganisationCaller, StaffCaller
from shared.catalogue import Catalogue, load_catalogue
from shared.contracts.common import Domain
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Cursor, Limit, decode_cursor
from shared.problems import INVALID_CURSOR, ORGANISATION_ONLY, STAFF_ONLY, VALIDATION_ERROR
from shared.text import SafeLine

router = APIRouter(prefix="/v1", tags=["registrations"])


@router.get(
    "/services",
    response_model=Catalogue,
    tags=["catalogue"],
    summary="The catalogue of Kanta services and functionalities (public)",
)
async def list_services() -> Catalogue:
    """The current version of the catalogue: codes, fi/sv/en names, domains."""
    return load_catalogue()


@router.post(
    "/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationPublic,
    summary="Register for a deployment period",
    responses=problem_responses(
        *AUTH,
        errors.NOT_YOUR_ORGANISATION,
        errors.DUPLICATE_REGISTRATION,
        VALIDATION_ERROR,
        errors.IDEMPOTENCY_KEY_REUSED,
        *FORM_RULES,
    ),
)
async def submit_registration(
    body: RegistrationCreate,
    uow: UoW,
    caller: Caller,
    clock: ClockDep,
    settings: Settings,
    response: Response,
    idempotency_key: Annotated[
        SafeLine | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="Retry safely: the same key and body return the first answer.",
        ),
    ] = None,
) -> RegistrationPublic:
    """Submit a registration (R3–R8 checked); warnings (R6) come back in `warnings`."""
    result = await registrations.submit_registration(
        body, uow, caller=caller, clock=clock, settings=settings, idempotency_key=idempotency_key
    )
    response.headers["Location"] = f"/v1/registrations/{result.id}"
    return result


@router.get(
    "/registrations",
    response_model=RegistrationPage,
    summary="List registrations (staff: all; an organisation: its own)",
    responses=problem_responses(*AUTH, VALIDATION_ERROR, INVALID_CURSOR),
)
async def list_registrations(
    uow: UoW,
    caller: Caller,
    period_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    period_number: Annotated[int | None, Query(ge=1, le=3)] = None,
    service: Annotated[SafeLine | None, Query(max_length=64)] = None,
    business_id: Annotated[
        SafeLine | None,
        Query(max_length=9, description="Staff: one organisation's registrations."),
    ] = None,
    domain: Domain | None = None,
    state: RegistrationState | None = None,
    has_warnings: bool | None = None,
    modified_since: Annotated[
        AwareDatetime | None,
        Query(
            ge=datetime(2000, 1, 1, tzinfo=UTC),
            le=datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC),
            description="Only those changed at or after this instant (2000–2100).",
        ),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> RegistrationPage:
    """Oldest change first; follow `next_cursor` until it is null."""
    filters = Filters(
        period_year=period_year,
        period_number=period_number,
        service=service,
        business_id=business_id,
        domain=domain,
        state=state.value if state else None,
        has_warnings=has_warnings,
        modified_since=modified_since,
    )
    after = Position(*decode_cursor(cursor)) if cursor else None
    return await queries.list_registrations(filters, uow, caller=caller, after=after, limit=limit)


def _export_filters(
    period_year: int | None, period_number: int | None, state: RegistrationState | None
) -> Filters:
    return Filters(
        period_year=period_year, period_number=period_number, state=state.value if state else None
    )


@router.get(
    "/registrations/export.csv",
    response_class=StreamingResponse,
    summary="Export registrations as CSV (staff)",
    responses={
        200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a header row"},
        **problem_responses(*AUTH, STAFF_ONLY, VALIDATION_ERROR),
    },
)
async def export_csv(
    units: UnitsOfWork,
    sheets: Sheets,
    caller: StaffCaller,
    period_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    period_number: Annotated[int | None, Query(ge=1, le=3)] = None,
    state: RegistrationState | None = None,
) -> StreamingResponse:
    return StreamingResponse(
        export.csv_stream(units, _export_filters(period_year, period_number, state), sheets=sheets),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="registrations.csv"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/registrations/export.xlsx",
    response_class=Response,
    summary="Export registrations as XLSX (staff)",
    responses={
        200: {"content": {XLSX: {}}, "description": "One sheet with a header row"},
        **problem_responses(*AUTH, STAFF_ONLY, VALIDATION_ERROR),
    },
)
async def export_xlsx(
    units: UnitsOfWork,
    sheets: Sheets,
    caller: StaffCaller,
    period_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    period_number: Annotated[int | None, Query(ge=1, le=3)] = None,
    state: RegistrationState | None = None,
) -> Response:
    content = await export.xlsx_bytes(
        units, _export_filters(period_year, period_number, state), sheets=sheets
    )
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="registrations.xlsx"'},
    )


@router.get(
    "/registrations/{registration_id}",
    response_model=RegistrationPublic,
    summary="Read one registration",
    responses=problem_responses(*READ),
)
async def read_registration(
    registration_id: RegistrationId, uow: UoW, caller: Caller
) -> RegistrationPublic:
    return await queries.get_registration(registration_id, uow, caller=caller)


@router.patch(
    "/registrations/{registration_id}",
    response_model=RegistrationPublic,
    summary="Change the form (the organisation, while the window is open)",
    responses=problem_responses(
        *READ,
        ORGANISATION_ONLY,
        errors.INVALID_TRANSITION,
        errors.DUPLICATE_REGISTRATION,
        errors.REGISTRATION_WINDOW_CLOSED,
        errors.BUSINESS_ID_IMMUTABLE,
        *FORM_RULES,
    ),
)
async def edit_registration(
    registration_id: RegistrationId,
    body: RegistrationUpdate,
    uow: UoW,
    caller: OrganisationCaller,
    clock: ClockDep,
    settings: Settings,
) -> RegistrationPublic:
    """An accepted, moved or returned registration goes back to `submitted`."""
    return await registrations.edit_registration(
        registration_id, body, uow, caller=caller, clock=clock, settings=settings
    )


@router.get(
    "/registrations/{registration_id}/history",
    response_model=list[HistoryEntry],
    summary="Every change of a registration: who, role, when, old → new",
    responses=problem_responses(*READ),
)
async def read_history(
    registration_id: RegistrationId, uow: UoW, caller: Caller
) -> list[HistoryEntry]:
    return await queries.get_history(registration_id, uow, caller=caller)
