"""The one reconcile step (R2): the seats each participant holds follow from the current state.

Scheduling keeps, per registration, the newest snapshot it has seen (state, period, the
participating contacts with language and role) and, per session, its current state. From
them `desired_seats` computes the seats every participant should hold: for a registration
that holds seats in the period (accepted, or moved into it), each participating contact
gets the period's preparation event(s) and the trainings whose audience matches, in their
language where a version in it exists (else Finnish, Swedish, English). `reconcile_period`
then applies the difference in the caller's transaction: it cancels what the state no
longer gives, promotes the first in line into every free seat, and seats (or waitlists) the
newcomers, each with its event. Every registration event and every period or session
change calls it; no other code takes or frees seats on its own (staff's and organisations'
explicit actions aside).

Sessions that are not open (a draft, a cancelled one, one that has started) are left alone:
a seat in a past session is history. A person taken out on purpose (by the organisation or
staff, or moved by staff) is not seated there again; a seat staff gave by hand (`added`) or
moved a person into (`moved`) is kept while the registration holds seats in the period (and,
for a moved one, while the person is still its contact).

Locks: the periods (in id order), then every session of them (in id order), before any
change; every writer takes them in that order, so two transactions never wait on each other
in a circle.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence

from services.scheduling.app import seats
from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.records import (
    EnrolmentRecord,
    PeriodRecord,
    RegistrationRecord,
    SessionRecord,
)
from services.scheduling.domain.enrolment import Person, SessionChoice, sessions_for
from services.scheduling.domain.states import LIVE, SEATED_STATES, PeriodStatus, SessionStatus
from shared.clock import Clock
from shared.contracts.common import Contact

SeatKey = tuple[uuid.UUID, str]
"""(session id, the person's email in lower case)."""


def session_choice(row: SessionRecord) -> SessionChoice:
    """What the R2 selection needs of a session."""
    audience = row.audience

    def part(key: str) -> tuple[str, ...] | None:
        value = audience.get(key)
        return None if value is None else tuple(sorted(value))

    return SessionChoice(
        session_id=row.id,
        kind="preparation" if row.kind == "preparation" else "training",
        language=row.language,
        services=part("services"),
        domains=part("domains"),
        roles=part("roles"),
    )


def holds_seats_in(registration: RegistrationRecord, period: PeriodRecord) -> bool:
    """R2: the registration's participants hold seats in this period."""
    return (
        registration.state in SEATED_STATES
        and registration.service is not None
        and (registration.period_year, registration.period_number) == (period.year, period.number)
    )


def participating(registration: RegistrationRecord) -> list[Contact]:
    """The registration's participating contacts, as the newest snapshot gave them."""
    return [Contact.model_validate(c) for c in registration.participants]


def desired_seats(
    registrations: Sequence[RegistrationRecord],
    open_sessions: Sequence[SessionRecord],
    period: PeriodRecord,
) -> dict[SeatKey, Person]:
    """Every seat the state gives in the period's open sessions, oldest registration first."""
    if period.status != PeriodStatus.PUBLISHED:
        return {}
    choices = [session_choice(r) for r in open_sessions]
    wanted: dict[SeatKey, Person] = {}
    for registration in sorted(registrations, key=lambda r: r.received_at):
        if not holds_seats_in(registration, period):
            continue
        assert registration.service is not None
        for contact in participating(registration):
            email = str(contact.email).lower()
            for choice in sessions_for(
                choices,
                service=registration.service,
                domain=registration.domain or "",
                role=contact.role,
                language=contact.language,
            ):
                assert isinstance(choice.session_id, uuid.UUID)
                wanted.setdefault(
                    (choice.session_id, email),
                    Person(
                        registration_id=registration.registration_id,
                        business_id=registration.business_id,
                        name=contact.name,
                        email=email,
                        language=contact.language,
                        role=contact.role,
                    ),
                )
    return wanted


def reason_to_end(
    enrolment: EnrolmentRecord,
    registration: RegistrationRecord | None,
    period: PeriodRecord,
    desired: dict[SeatKey, Person],
) -> str | None:
    """Why the state no longer gives this live enrolment, or None when it stays."""
    if registration is None:
        return None  # a registration scheduling has not heard of: nothing to judge by
    if not holds_seats_in(registration, period):
        if registration.state == "withdrawn":
            return "registration_withdrawn"
        if registration.state == "rejected":
            return "registration_rejected"
        if registration.state == "returned":
            return "registration_returned"
        if (registration.period_year, registration.period_number) != (period.year, period.number):
            return "registration_moved"
        return "registration_changed"
    emails = {str(c.email).lower() for c in participating(registration)}
    if enrolment.origin != "added" and enrolment.email not in emails:
        return "contact_removed"
    if enrolment.origin == "rules" and (enrolment.session_id, enrolment.email) not in desired:
        return "session_no_longer_matches"
    return None


async def lock_scope(
    uow: SchedulingUoW, period_ids: Iterable[uuid.UUID]
) -> tuple[list[PeriodRecord], list[SessionRecord]]:
    """Lock the periods (id order), then all their sessions (id order): the one lock order."""
    periods: list[PeriodRecord] = []
    for period_id in sorted(set(period_ids)):
        period = await uow.periods.get(period_id=period_id, lock=True)
        if period is not None:
            periods.append(period)
    rows = await uow.sessions.list_all(period_ids=[p.id for p in periods])
    locked: list[SessionRecord] = []
    for row in sorted(rows, key=lambda r: r.id):
        fresh = await uow.sessions.get(session_id=row.id, lock=True)
        assert fresh is not None
        locked.append(fresh)
    return periods, locked


async def reconcile_period(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    period: PeriodRecord,
    clock: Clock,
    registration_ids: Collection[uuid.UUID] | None = None,
) -> None:
    """Bring the seats of the period's open sessions to what the state gives (R2).

    The caller holds the period's and its sessions' locks (`lock_scope`). With
    `registration_ids`, only those registrations' seats are judged (an event of one of
    them); free seats are filled from the waiting lists either way.
    """
    now = clock.now()
    rows = await uow.sessions.list_all(period_ids=[period.id])
    open_rows = [r for r in rows if r.status == SessionStatus.SCHEDULED and r.starts_at > now]
    by_id = {r.id: r for r in open_rows}
    live = list(await uow.enrolments.list_all(session_ids=list(by_id), statuses=LIVE))
    if registration_ids is not None:
        live = [e for e in live if e.registration_id in registration_ids]
        ids = set(registration_ids)
        registrations = list(await uow.registrations.list_by_ids(registration_ids=ids))
    else:
        holding = await uow.registrations.list_accepted(year=period.year, number=period.number)
        known = {r.registration_id for r in holding}
        others = {e.registration_id for e in live} - known
        registrations = [
            *holding,
            *await uow.registrations.list_by_ids(registration_ids=others),
        ]
    by_registration = {r.registration_id: r for r in registrations}
    desired = desired_seats(registrations, open_rows, period)

    # 1. What the state no longer gives ends (promotion waits until all have ended).
    kept: set[SeatKey] = set()
    for enrolment in live:
        registration = by_registration.get(enrolment.registration_id)
        reason = reason_to_end(enrolment, registration, period, desired)
        if reason is None:
            kept.add((enrolment.session_id, enrolment.email))
            person = desired.get((enrolment.session_id, enrolment.email))
            if person is not None and person.registration_id == enrolment.registration_id:
                enrolment.name, enrolment.role = person.name, person.role
                enrolment.language = person.language
            continue
        await seats.cancel(
            uow,
            policy,
            locked=by_id[enrolment.session_id],
            period=period,
            enrolment=enrolment,
            reason=reason,
            clock=clock,
            promote=False,
        )

    # 2. Free seats go to those in line first, in their order.
    for session_id in sorted(by_id):
        await seats.fill_free_seats(
            uow, policy, locked=by_id[session_id], period=period, clock=clock
        )

    # 3. Newcomers: a seat if one is left, else the end of the line.
    if not desired:
        return
    removed = await uow.enrolments.removed(session_ids=list(by_id))
    for key, person in desired.items():
        if key in kept or key in removed:
            continue
        if registration_ids is not None and person.registration_id not in registration_ids:
            continue
        await seats.enrol(
            uow, policy, locked=by_id[key[0]], period=period, person=person, clock=clock
        )


async def reconcile_periods(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    period_ids: Iterable[uuid.UUID],
    clock: Clock,
    registration_ids: Collection[uuid.UUID] | None = None,
) -> None:
    """Lock the periods and their sessions, and reconcile each (see `reconcile_period`)."""
    periods, _ = await lock_scope(uow, period_ids)
    for period in periods:
        await reconcile_period(
            uow, policy, period=period, clock=clock, registration_ids=registration_ids
        )


async def reconcile_registration(
    uow: SchedulingUoW, policy: Policy, *, registration_id: uuid.UUID, clock: Clock
) -> None:
    """One registration's seats after its newest snapshot: in the period it holds seats in
    and wherever it still holds some; then its feeds follow (a contact who left loses it)."""
    registration = await uow.registrations.get(registration_id=registration_id)
    if registration is None:
        return
    live = await uow.enrolments.list_all(registration_id=registration_id, statuses=LIVE)
    period_ids: set[uuid.UUID] = set()
    for session_id in {e.session_id for e in live}:
        row = await uow.sessions.get(session_id=session_id)
        if row is not None:
            period_ids.add(row.period_id)
    if registration.period_year is not None and registration.period_number is not None:
        target = await uow.periods.find(
            year=registration.period_year, number=registration.period_number
        )
        if target is not None:
            period_ids.add(target.id)
    await reconcile_periods(
        uow, policy, period_ids=period_ids, clock=clock, registration_ids={registration_id}
    )
    await uow.flush()
    still = await uow.enrolments.list_all(registration_id=registration_id, statuses=LIVE)
    keep = {e.email for e in still}
    if registration.state in SEATED_STATES:
        keep |= {str(c.email).lower() for c in participating(registration)}
    await uow.feeds.revoke(registration_id=registration_id, now=clock.now(), keep=keep)
