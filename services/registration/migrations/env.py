"""Alembic environment of the registration service."""

from services.registration.adapters.tables import metadata
from services.registration.settings import RegistrationSettings
from shared.migrations import run_env

run_env(metadata, lambda: RegistrationSettings().database_url)
