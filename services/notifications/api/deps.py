"""What the notifications routes get injected: the unit of work, the mailer, the clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.notifications.app.mailer import Mailer
from services.notifications.app.ports import DeliveryUnitOfWork
from shared.app import ClockDep, unit_of_work

UoW = Annotated[DeliveryUnitOfWork, Depends(unit_of_work)]
"""A fresh unit of work of the notifications service."""


async def _mailer(request: Request) -> Mailer:
    mailer: Mailer = request.app.state.mailer
    return mailer


MailerDep = Annotated[Mailer, Depends(_mailer)]
"""How a mail queued by a route is addressed, and the sender's doorbell."""

__all__ = ["ClockDep", "MailerDep", "UoW"]
