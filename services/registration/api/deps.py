"""Route dependencies of the registration service: its unit of work, settings, ids, files."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Request

from services.registration.app.ports import RegistrationUoW, SheetWriter, UnitOfWorkFactory
from services.registration.settings import RegistrationSettings
from shared.app import ClockDep, runtime_of, unit_of_work

__all__ = ["ClockDep", "RegistrationId", "Settings", "Sheets", "UnitsOfWork", "UoW"]

UoW = Annotated[RegistrationUoW, Depends(unit_of_work)]
"""A fresh unit of work of the running service."""


def _settings(request: Request) -> RegistrationSettings:
    settings: RegistrationSettings = request.app.state.settings
    return settings


Settings = Annotated[RegistrationSettings, Depends(_settings)]
"""The running service's settings."""


async def _units(request: Request) -> UnitOfWorkFactory:
    units: UnitOfWorkFactory = runtime_of(request).uow
    return units


UnitsOfWork = Annotated[UnitOfWorkFactory, Depends(_units)]
"""A maker of units of work, for a use case that takes several short transactions."""


def _sheets(request: Request) -> SheetWriter:
    sheets: SheetWriter = request.app.state.sheet_writer
    return sheets


Sheets = Annotated[SheetWriter, Depends(_sheets)]
"""Writes the staff exports (CSV, XLSX); `main` sets it."""

RegistrationId = Annotated[uuid.UUID, Path(description="The registration's id.")]
