"""Alembic environment of the scheduling service."""

from services.scheduling.adapters.tables import metadata
from services.scheduling.settings import SchedulingSettings
from shared.migrations import run_env

run_env(metadata, lambda: SchedulingSettings().database_url)
