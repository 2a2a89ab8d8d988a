"""Route dependencies of the scheduling service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.scheduling.policy import Policy
from services.scheduling.settings import SchedulingSettings


def _policy(request: Request) -> Policy:
    settings: SchedulingSettings = request.app.state.settings
    return Policy.from_settings(settings)


PolicyDep = Annotated[Policy, Depends(_policy)]
"""The running service's reminder offsets and feed signing."""
