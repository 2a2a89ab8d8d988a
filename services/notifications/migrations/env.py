"""Alembic environment of the notifications service."""

from services.notifications.adapters.tables import metadata
from services.notifications.settings import NotificationsSettings
from shared.migrations import run_env

run_env(metadata, lambda: NotificationsSettings().database_url)
