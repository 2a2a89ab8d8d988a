"""Alembic environment of the registration service."""

import services.registration.clients
import services.registration.extension.models  # noqa: F401  (so do these)
from services.registration.models import metadata
from services.registration.settings import RegistrationSettings
from shared.migrations import run_env

run_env(metadata, lambda: RegistrationSettings().database_url)
