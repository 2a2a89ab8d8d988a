"""Registration service settings (env vars or `.env`)."""

from __future__ import annotations

import ipaddress
from datetime import date

from limits import parse
from pydantic import Field, field_validator, model_validator

from shared.settings import ServiceSettings, database_url_field


class RegistrationSettings(ServiceSettings):
    """Everything the registration service reads from its environment."""

    service_name: str = "registration"
    database_url: str = database_url_field("registration")
    token_ttl_s: int = Field(default=900, ge=60, le=86_400)
    # The token endpoint (issue 15.8): `RATE_LIMIT_TOKEN` counts the tokens issued per client;
    # wrong secrets are counted apart, per client and address and per address, and block only
    # there (services/registration/adapters/secret_guard.py).
    rate_limit_token_failures: str = "10/minute"
    rate_limit_token_failures_per_host: str = "30/minute"
    # Proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated, or
    # `*`; none by default (api/addresses.py). Serve with `uvicorn --no-proxy-headers`.
    forwarded_allow_ips: str = ""
    # Issue 15.10: a date outside this range is a 422 wherever the API takes one (the same
    # settings as the scheduling service's).
    earliest_date: date = date(2000, 1, 1)
    latest_date: date = date(2100, 12, 31)
    # Extension of use (R9, R10)
    notice_connection_point_lead_days: int = Field(default=14, ge=0, le=365)
    notice_volume_threshold: int = Field(default=500_000, ge=0)
    kela_notice_mailbox: str = "kanta-notices@kela.example"
    test_report_days: int = Field(default=2, ge=1, le=30)
    deadline_watch_interval_s: float = Field(default=300.0, gt=0)

    @field_validator("rate_limit_token_failures", "rate_limit_token_failures_per_host")
    @classmethod
    def _failure_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '10/minute'") from None
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if item and item != "*":
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(
                        f"FORWARDED_ALLOW_IPS: {item!r} is not an address or a network"
                    ) from None
        return value

    @model_validator(mode="after")
    def _date_range(self) -> RegistrationSettings:
        if self.latest_date <= self.earliest_date:
            raise ValueError("LATEST_DATE must come after EARLIEST_DATE")
        return self
