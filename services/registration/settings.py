"""Registration service settings (env vars or `.env`)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings, database_url_field


class RegistrationSettings(ServiceSettings):
    """Everything the registration service reads from its environment."""

    service_name: str = "registration"
    database_url: str = database_url_field("registration")
    token_ttl_s: int = Field(default=900, ge=60, le=86_400)
