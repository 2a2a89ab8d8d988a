"""Webhooks service settings (env vars or `.env`)."""

from __future__ import annotations

from datetime import timedelta

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator

from services.webhooks.domain.schedule import DEFAULT_DELAYS_S
from shared.settings import ServiceSettings, database_url_field

# The development key of the secret box: `make run` works out of the box; production refuses
# it. A real one: `python -c "from cryptography.fernet import Fernet as F; print(F.generate_key())"`
DEV_WEBHOOK_SECRET_KEY = "ZGV2ZWxvcG1lbnQtb25seS13ZWJob29rLWtleS0wMDA="


class WebhooksSettings(ServiceSettings):
    """Everything the webhooks service reads from its environment."""

    service_name: str = "webhooks"
    database_url: str = database_url_field("webhooks")
    # Fernet keys that encrypt the subscriptions' signing secrets at rest, comma-separated:
    # the first encrypts, every one decrypts (add a new key in front to rotate the keys).
    # Encrypted, not hashed: signing a delivery needs the secret itself (HMAC).
    webhook_secret_key: SecretStr = SecretStr(DEV_WEBHOOK_SECRET_KEY)
    # http:// endpoints (local use only); the default takes https:// alone.
    webhook_allow_http: bool = False
    # The SSRF check (public addresses only). Off only for a receiver on loopback in tests.
    webhook_check_addresses: bool = True
    webhook_timeout_s: float = Field(default=15.0, gt=0, le=120)
    # Seconds between attempts: len + 1 attempts in all, the first at once.
    webhook_retry_delays_s: tuple[float, ...] = Field(default=DEFAULT_DELAYS_S, min_length=1)
    webhook_retry_jitter: float = Field(default=0.1, ge=0, lt=1)
    webhook_retry_after_max_s: float = Field(default=36000.0, gt=0)
    # An endpoint failing without one success for this long is disabled.
    webhook_disable_after_days: float = Field(default=5.0, gt=0)
    # After a rotation the old secret still signs (beside the new one) for this long.
    webhook_rotation_grace_s: float = Field(default=86400.0, ge=0)
    webhook_batch_size: int = Field(default=50, ge=1, le=1000)
    webhook_concurrency: int = Field(default=10, ge=1, le=200)
    webhook_poll_interval_s: float = Field(default=1.0, gt=0)
    webhook_claim_ttl_s: float = Field(default=120.0, gt=0)
    webhook_response_excerpt_bytes: int = Field(default=1024, ge=0, le=65536)
    webhook_log_retention_days: float = Field(default=30.0, gt=0)
    webhook_max_subscriptions: int = Field(default=10, ge=1, le=1000)
    # Where the links in the bodies point: each producing service's public API.
    registration_api_url: str = "http://localhost:8001"
    scheduling_api_url: str = "http://localhost:8002"

    @field_validator("webhook_secret_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr) -> SecretStr:
        keys = [k.strip() for k in value.get_secret_value().split(",") if k.strip()]
        if not keys:
            raise ValueError("WEBHOOK_SECRET_KEY is empty")
        for key in keys:
            try:
                Fernet(key)
            except ValueError:
                raise ValueError(
                    "WEBHOOK_SECRET_KEY must be Fernet keys (url-safe base64 of 32 bytes), "
                    "comma-separated"
                ) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> WebhooksSettings:
        if self.webhook_claim_ttl_s <= self.webhook_timeout_s:
            raise ValueError(
                f"WEBHOOK_CLAIM_TTL_S ({self.webhook_claim_ttl_s}) must exceed "
                f"WEBHOOK_TIMEOUT_S ({self.webhook_timeout_s}): a claim outlasts one attempt"
            )
        if self.environment == "production":
            if DEV_WEBHOOK_SECRET_KEY in self.fernet_keys:
                raise ValueError("WEBHOOK_SECRET_KEY is the development key; set a real one")
            if self.webhook_allow_http or not self.webhook_check_addresses:
                raise ValueError(
                    "WEBHOOK_ALLOW_HTTP and WEBHOOK_CHECK_ADDRESSES=false are for local use only"
                )
        return self

    @property
    def fernet_keys(self) -> list[str]:
        return [
            k.strip() for k in self.webhook_secret_key.get_secret_value().split(",") if k.strip()
        ]

    @property
    def rotation_grace(self) -> timedelta:
        return timedelta(seconds=self.webhook_rotation_grace_s)

    @property
    def disable_after(self) -> timedelta:
        return timedelta(days=self.webhook_disable_after_days)

    @property
    def base_urls(self) -> dict[str, str]:
        """Producer → public API base URL, for the bodies' `links`."""
        return {"registration": self.registration_api_url, "scheduling": self.scheduling_api_url}
