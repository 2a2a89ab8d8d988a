"""Alembic environment of the registration service."""

import services.registration.clients  # noqa: F401  (its table shares the metadata)
from services.registration.models import metadata
from services.registration.settings import RegistrationSettings
from shared.migrations import run_env

run_env(metadata, lambda: RegistrationSettings().database_url)
