"""The scheduling service's unit of work: one transaction with its repositories."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.adapters.calendar import PeriodRepository, SessionRepository
from services.scheduling.adapters.enrolments import EnrolmentRepository
from services.scheduling.adapters.registrations import FeedRepository, RegistrationRepository
from services.scheduling.adapters.reminders import ReminderRepository
from shared.uow import UnitOfWork


class SchedulingUnitOfWork(UnitOfWork):
    """`uow.periods`, `uow.sessions`, `uow.enrolments`, … bound to this transaction's session."""

    periods: PeriodRepository
    sessions: SessionRepository
    enrolments: EnrolmentRepository
    reminders: ReminderRepository
    registrations: RegistrationRepository
    feeds: FeedRepository

    def _open(self, session: AsyncSession) -> None:
        self.periods = PeriodRepository(session)
        self.sessions = SessionRepository(session)
        self.enrolments = EnrolmentRepository(session)
        self.reminders = ReminderRepository(session)
        self.registrations = RegistrationRepository(session)
        self.feeds = FeedRepository(session)
