"""The notifications service's unit of work: one transaction, with its repositories on it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.adapters.mails import ClaimOutcome, MailRepository, finish_claim
from services.notifications.adapters.read_models import ReadModelRepository
from services.notifications.adapters.suppressions import SuppressionRepository
from shared.db import single_statement
from shared.uow import UnitOfWork


class NotificationsUnitOfWork(UnitOfWork):
    """`uow.mails`, `uow.suppressions` and `uow.read_models` inside `async with uow:`."""

    mails: MailRepository
    suppressions: SuppressionRepository
    read_models: ReadModelRepository

    def _open(self, session: AsyncSession) -> None:
        self.mails = MailRepository(session)
        self.suppressions = SuppressionRepository(session)
        self.read_models = ReadModelRepository(session)

    async def finish_claim_alone(self, *, outcome: ClaimOutcome) -> bool:
        """End a claim in one statement of its own, outside `async with` (the sender's hot path).

        One round trip on PostgreSQL (autocommit); False when the claim was lost.
        """
        async with single_statement(self.engine) as connection:
            return await finish_claim(connection, outcome=outcome)
