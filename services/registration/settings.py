"""Registration service settings (env vars or `.env`)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings, database_url_field


class RegistrationSettings(ServiceSettings):
    """Everything the registration service reads from its environment."""

    service_name: str = "registration"
    database_url: str = database_url_field("registration")
    token_ttl_s: int = Field(default=900, ge=60, le=86_400)
    # Extension of use (R9, R10)
    notice_connection_point_lead_days: int = Field(default=14, ge=0, le=365)
    notice_volume_threshold: int = Field(default=500_000, ge=0)
    kela_notice_mailbox: str = "kanta-notices@kela.example"
    test_report_days: int = Field(default=2, ge=1, le=30)
    deadline_watch_interval_s: float = Field(default=300.0, gt=0)
