"""Use cases of the period calendar (R1): add, change and publish periods."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.queries import period_view
from services.scheduling.app.reconcile import lock_scope, reconcile_period
from services.scheduling.app.records import PeriodRecord
from services.scheduling.app.schemas import PeriodCreate, PeriodPublic, PeriodUpdate
from services.scheduling.app.views import period_info, period_public, session_info
from services.scheduling.domain import errors
from services.scheduling.domain.calendar import (
    PeriodDates,
    check_in_range,
    check_period,
    check_session_in_period,
)
from services.scheduling.domain.states import PeriodStatus, SessionStatus
from shared.clock import Clock
from shared.contracts.scheduling import PeriodPublished, PeriodUpdated, SessionPublished


def _dates(period: PeriodRecord) -> PeriodDates:
    return PeriodDates(
        year=period.year,
        number=period.number,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        registration_opens_on=period.registration_opens_on,
        registration_closes_on=period.registration_closes_on,
    )


def _check_range(policy: Policy, dates: PeriodDates) -> None:
    """#15: every date of the period inside the range the service takes."""
    for field in ("starts_on", "ends_on", "registration_opens_on", "registration_closes_on"):
        check_in_range(
            field,
            getattr(dates, field),
            earliest=policy.earliest_date,
            latest=policy.latest_date,
        )


async def create_period(
    cmd: PeriodCreate, uow: SchedulingUoW, policy: Policy, *, clock: Clock
) -> PeriodPublic:
    """R1: add a draft period after checking it against the year's other periods."""
    _check_range(policy, PeriodDates(**cmd.model_dump()))
    async with uow:
        others = await uow.periods.list_all(year=cmd.year)
        check_period(PeriodDates(**cmd.model_dump()), [_dates(p) for p in others])
        now = clock.now()
        period = uow.periods.create(dates=PeriodDates(**cmd.model_dump()), now=now)
        try:
            await uow.commit()
        except IntegrityError:  # the same number entered concurrently
            raise errors.PERIOD_NUMBER_TAKEN(
                f"Period {cmd.number}/{cmd.year} exists already."
            ) from None
    return period_public(period)


async def update_period(
    period_id: uuid.UUID, cmd: PeriodUpdate, uow: SchedulingUoW, policy: Policy, *, clock: Clock
) -> PeriodPublic:
    """R1: change a period's dates; a published period's change emits `period.updated`.

    R2: the period's live sessions must still lie inside it (422 `session_outside_period`).
    """
    async with uow:
        periods, rows = await lock_scope(uow, [period_id])
        if not periods:
            raise errors.PERIOD_NOT_FOUND(f"No period {period_id}.")
        period = periods[0]
        changes = cmd.model_dump(exclude_unset=True, exclude_none=True)
        candidate = PeriodDates(**{**_dates(period).__dict__, **changes})
        _check_range(policy, candidate)
        others = await uow.periods.list_all(year=period.year)
        check_period(candidate, [_dates(p) for p in others if p.id != period.id])
        if candidate == _dates(period):
            return period_public(period)
        for row in rows:
            if row.status != SessionStatus.CANCELLED:
                check_session_in_period(
                    row.starts_at,
                    row.ends_at,
                    kind=row.kind,
                    period=candidate,
                    preparation_lead_days=policy.preparation_lead_days,
                )
        for name, value in changes.items():
            setattr(period, name, value)
        period.updated_at = clock.now()
        if period.status == PeriodStatus.PUBLISHED:
            uow.emit(PeriodUpdated.model_validate(period_info(period).model_dump()))
            await reconcile_period(uow, policy, period=period, clock=clock)
        await uow.commit()
    return period_public(period)


async def publish_period(
    period_id: uuid.UUID, uow: SchedulingUoW, policy: Policy, *, clock: Clock
) -> PeriodPublic:
    """Publish the period and its draft sessions, then seat its accepted registrations.

    R2: a period has a preparation event; one without is not published (409).
    """
    async with uow:
        periods, rows = await lock_scope(uow, [period_id])
        if not periods:
            raise errors.PERIOD_NOT_FOUND(f"No period {period_id}.")
        period = periods[0]
        if period.status == PeriodStatus.PUBLISHED:
            raise errors.PERIOD_ALREADY_PUBLISHED(
                f"Period {period.number}/{period.year} is published already."
            )
        if not any(r.kind == "preparation" and r.status != SessionStatus.CANCELLED for r in rows):
            raise errors.PERIOD_WITHOUT_PREPARATION(
                f"Period {period.number}/{period.year} has no preparation event; add one "
                "before publishing (R2)."
            )
        period.status, period.published_at = PeriodStatus.PUBLISHED, clock.now()
        period.updated_at = period.published_at
        uow.emit(PeriodPublished.model_validate(period_info(period).model_dump()))
        drafts = await uow.sessions.list_all(period_ids=[period.id], statuses=[SessionStatus.DRAFT])
        for row in drafts:
            row.status, row.updated_at = SessionStatus.SCHEDULED, clock.now()
            uow.emit(SessionPublished(session=session_info(row, period)))
        await uow.flush()
        await reconcile_period(uow, policy, period=period, clock=clock)
        await uow.commit()
        return await period_view(uow, period, staff=True)
