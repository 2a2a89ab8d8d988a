"""HTTP routes of the registration service: thin, they call handlers and return models.

Who may call what: any authenticated caller submits, reads, lists and reads history, an
organisation only for its own business ID (another organisation's registration answers 404,
exactly like a missing one); only the organisation edits and withdraws; only staff review,
move, record deployment and export. The service catalogue is public reference data.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from services.registration import export, handlers, review_api
from services.registration.catalogue import Catalogue, load_catalogue
from services.registration.clock import finnish_today
from services.registration.domain import RegistrationState
from services.registration.paging import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor
from services.registration.problems import AUTH, READ, problems
from services.registration.repository import Filters
from services.registration.schemas import (
    HistoryEntry,
    RegistrationCreate,
    RegistrationId,
    RegistrationPage,
    RegistrationPublic,
    RegistrationUpdate,
)
from shared.app import UoW
from shared.auth import Caller, OrganisationCaller, StaffCaller
from shared.contracts.common import Domain
from shared.runtime import Runtime

router = APIRouter(prefix="/v1", tags=["registrations"])

FORM_RULES = (
    "period_not_open",
    "production_after_period",
    "profile_change_not_social_welfare",
    "profile_required",
    "unknown_service",
    "service_not_for_domain",
    "vendor_support_not_health_care",
    "customership_required",
    "date_in_future",
)


def today() -> date:
    return finnish_today()


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
    responses=problems(
        *AUTH,
        "not_your_organisation",
        "duplicate_registration",
        "validation_error",
        "idempotency_key_reused",
        *FORM_RULES,
    ),
)
async def submit_registration(
    body: RegistrationCreate,
    uow: UoW,
    caller: Caller,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="Retry safely: the same key and body return the first answer.",
        ),
    ] = None,
) -> RegistrationPublic:
    """Submit a registration (R3–R8 checked); warnings (R6) come back in `warnings`."""
    result = await handlers.submit_registration(
        body, uow, caller=caller, idempotency_key=idempotency_key, today=today()
    )
    response.headers["Location"] = f"/v1/registrations/{result.id}"
    return result


@router.get(
    "/registrations",
    response_model=RegistrationPage,
    summary="List registrations (staff: all; an organisation: its own)",
    responses=problems(*AUTH, "validation_error", "invalid_cursor"),
)
async def list_registrations(
    uow: UoW,
    caller: Caller,
    period_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    period_number: Annotated[int | None, Query(ge=1, le=3)] = None,
    service: Annotated[str | None, Query(max_length=64)] = None,
    business_id: Annotated[
        str | None, Query(max_length=9, description="Staff: one organisation's registrations.")
    ] = None,
    domain: Domain | None = None,
    state: RegistrationState | None = None,
    has_warnings: bool | None = None,
    modified_since: Annotated[
        AwareDatetime | None, Query(description="Only those changed at or after this instant.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
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
    after = decode_cursor(cursor) if cursor else None
    return await handlers.list_registrations(filters, uow, caller=caller, after=after, limit=limit)


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
        **problems(*AUTH, "staff_only", "validation_error"),
    },
)
async def export_csv(
    request: Request,
    caller: StaffCaller,
    period_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    period_number: Annotated[int | None, Query(ge=1, le=3)] = None,
    state: RegistrationState | None = None,
) -> StreamingResponse:
    runtime: Runtime = request.app.state.runtime
    return StreamingResponse(
        export.csv_stream(runtime.uow, _export_filters(period_year, period_number, state)),
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
        **problems(*AUTH, "staff_only", "validation_error"),
    },
)
async def export_xlsx(
    request: Request,
    caller: StaffCaller,
    period_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    period_number: Annotated[int | None, Query(ge=1, le=3)] = None,
    state: RegistrationState | None = None,
) -> Response:
    runtime: Runtime = request.app.state.runtime
    content = await export.xlsx_bytes(
        runtime.uow, _export_filters(period_year, period_number, state)
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
    responses=problems(*READ),
)
async def read_registration(
    registration_id: RegistrationId, uow: UoW, caller: Caller
) -> RegistrationPublic:
    return await handlers.get_registration(registration_id, uow, caller=caller)


@router.patch(
    "/registrations/{registration_id}",
    response_model=RegistrationPublic,
    summary="Change the form (the organisation, while the window is open)",
    responses=problems(
        *READ,
        "organisation_only",
        "invalid_transition",
        "duplicate_registration",
        "registration_window_closed",
        "business_id_immutable",
        *FORM_RULES,
    ),
)
async def edit_registration(
    registration_id: RegistrationId, body: RegistrationUpdate, uow: UoW, caller: OrganisationCaller
) -> RegistrationPublic:
    """An accepted, moved or returned registration goes back to `submitted`."""
    return await handlers.edit_registration(
        registration_id, body, uow, caller=caller, today=today()
    )


@router.get(
    "/registrations/{registration_id}/history",
    response_model=list[HistoryEntry],
    summary="Every change of a registration: who, role, when, old → new",
    responses=problems(*READ),
)
async def read_history(
    registration_id: RegistrationId, uow: UoW, caller: Caller
) -> list[HistoryEntry]:
    return await handlers.get_history(registration_id, uow, caller=caller)


router.include_router(review_api.router)
