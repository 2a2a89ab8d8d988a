"""Alembic environment of the webhooks service."""

from services.webhooks.adapters.tables import metadata
from services.webhooks.settings import WebhooksSettings
from shared.migrations import run_env

run_env(metadata, lambda: WebhooksSettings().database_url)
