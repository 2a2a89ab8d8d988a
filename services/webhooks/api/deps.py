"""What the webhooks routes get injected: the unit of work, the clock, the secret box, the
address check, the settings, and the sender's doorbell."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.webhooks.app.ports import AddressCheckPort, SecretBoxPort, WebhooksUnitOfWorkPort
from services.webhooks.settings import WebhooksSettings
from shared.app import ClockDep, unit_of_work
from shared.loops import Doorbell

UoW = Annotated[WebhooksUnitOfWorkPort, Depends(unit_of_work)]
"""A fresh unit of work of the webhooks service."""


async def _box(request: Request) -> SecretBoxPort:
    box: SecretBoxPort = request.app.state.secret_box
    return box


async def _addresses(request: Request) -> AddressCheckPort:
    check: AddressCheckPort = request.app.state.address_check
    return check


async def _settings(request: Request) -> WebhooksSettings:
    settings: WebhooksSettings = request.app.state.settings
    return settings


async def _doorbell(request: Request) -> Doorbell:
    doorbell: Doorbell = request.app.state.doorbell
    return doorbell


SecretBoxDep = Annotated[SecretBoxPort, Depends(_box)]
AddressCheckDep = Annotated[AddressCheckPort, Depends(_addresses)]
SettingsDep = Annotated[WebhooksSettings, Depends(_settings)]
DoorbellDep = Annotated[Doorbell, Depends(_doorbell)]

__all__ = ["AddressCheckDep", "ClockDep", "DoorbellDep", "SecretBoxDep", "SettingsDep", "UoW"]
