"""Scheduling service settings (env vars or `.env`)."""

from __future__ import annotations

from shared.settings import ServiceSettings, database_url_field


class SchedulingSettings(ServiceSettings):
    """Everything the scheduling service reads from its environment."""

    service_name: str = "scheduling"
    database_url: str = database_url_field("scheduling")
