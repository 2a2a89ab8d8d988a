"""Route dependencies of the scheduling service, and the problems every route may answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import CalendarWriter, SchedulingUoW
from services.scheduling.settings import SchedulingSettings
from shared.app import ClockDep, unit_of_work
from shared.auth import Caller, StaffCaller
from shared.problems import STAFF_ONLY, UNAUTHORIZED

__all__ = [
    "AUTH",
    "STAFF",
    "CalendarWriterDep",
    "Caller",
    "ClockDep",
    "PolicyDep",
    "StaffCaller",
    "UoW",
]


def _policy(request: Request) -> Policy:
    settings: SchedulingSettings = request.app.state.settings
    return Policy.from_settings(settings)


UoW = Annotated[SchedulingUoW, Depends(unit_of_work)]
"""A fresh unit of work of the running service."""
PolicyDep = Annotated[Policy, Depends(_policy)]
"""The running service's reminder offsets and feed signing."""


def _calendar_writer(request: Request) -> CalendarWriter:
    writer: CalendarWriter = request.app.state.calendar_writer
    return writer


CalendarWriterDep = Annotated[CalendarWriter, Depends(_calendar_writer)]
"""Writes the .ics files (set by the composition root)."""

AUTH = (UNAUTHORIZED,)
STAFF = (UNAUTHORIZED, STAFF_ONLY)
