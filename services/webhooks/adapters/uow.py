"""The webhooks service's unit of work: one transaction, with its repositories on it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.webhooks.adapters.deliveries import DeliveryRepository
from services.webhooks.adapters.registrations import RegistrationRepository
from services.webhooks.adapters.subscriptions import SubscriptionRepository
from shared.uow import UnitOfWork


class WebhooksUnitOfWork(UnitOfWork):
    """`uow.subscriptions`, `uow.deliveries` and `uow.registrations` inside `async with uow:`."""

    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository
    registrations: RegistrationRepository

    def _open(self, session: AsyncSession) -> None:
        self.subscriptions = SubscriptionRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.registrations = RegistrationRepository(session)
