"""The registration service's unit of work: one transaction, with its repositories on it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.adapters.clients import ClientRepository
from services.registration.adapters.customerships import CustomershipRepository
from services.registration.adapters.deployment_tests import DeploymentTestRepository
from services.registration.adapters.notices import NoticeRepository
from services.registration.adapters.periods import PeriodRepository
from services.registration.adapters.registrations import RegistrationRepository
from shared.uow import UnitOfWork


class RegistrationUnitOfWork(UnitOfWork):
    """`async with uow:` then `uow.registrations.get(...)`, `uow.emit(...)`, `uow.commit()`."""

    registrations: RegistrationRepository
    periods: PeriodRepository
    clients: ClientRepository
    notices: NoticeRepository
    deployment_tests: DeploymentTestRepository
    customerships: CustomershipRepository

    def _open(self, session: AsyncSession) -> None:
        self.registrations = RegistrationRepository(session)
        self.periods = PeriodRepository(session)
        self.clients = ClientRepository(session)
        self.notices = NoticeRepository(session)
        self.deployment_tests = DeploymentTestRepository(session)
        self.customerships = CustomershipRepository(session)
