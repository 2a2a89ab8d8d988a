"""Scheduling service settings (env vars or `.env`)."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field, SecretStr, field_validator, model_validator

from shared.settings import ServiceSettings, database_url_field

DEV_FEED_SECRET = "development-only-feed-secret-do-not-use-in-production"


class SchedulingSettings(ServiceSettings):
    """Everything the scheduling service reads from its environment."""

    service_name: str = "scheduling"
    database_url: str = database_url_field("scheduling")
    # REMINDER_OFFSETS='["P7D", "P1D"]': how long before a session its participants are
    # reminded; whole days are calendar days in Helsinki.
    reminder_offsets: list[timedelta] = Field(
        default_factory=lambda: [timedelta(days=7), timedelta(days=1)]
    )
    reminder_poll_interval_s: float = Field(default=30.0, gt=0)
    reminder_batch_size: int = Field(default=100, ge=1, le=10_000)
    # Calendar feed tokens are HMACs of a per-participant salt under this secret.
    feed_secret: SecretStr = SecretStr(DEV_FEED_SECRET)
    public_base_url: str = "http://127.0.0.1:8002"
    # ORGANIZER of the calendar files (RFC 5546 PUBLISH wants one): Kela's team mailbox.
    calendar_organizer: str = Field(default="kayttoonotot@kanta.example", pattern=r"^\S+@\S+$")

    # R2: a preparation event may lie this many days before its period starts.
    preparation_lead_days: int = Field(default=60, ge=0, le=366)
    # #15: dates outside this range are refused (422) wherever the API takes one.
    earliest_date: date = date(2000, 1, 1)
    latest_date: date = date(2100, 12, 31)

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: list[timedelta]) -> list[timedelta]:
        if any(offset <= timedelta(0) for offset in value):
            raise ValueError('every reminder offset must be positive, e.g. ["P7D", "P1D"]')
        if len(set(value)) != len(value):
            raise ValueError("reminder offsets must differ from each other")
        return sorted(value, reverse=True)

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"PUBLIC_BASE_URL must be an http(s) URL, not {value!r}")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _date_range(self) -> SchedulingSettings:
        if self.latest_date <= self.earliest_date:
            raise ValueError("LATEST_DATE must come after EARLIEST_DATE")
        return self

    @model_validator(mode="after")
    def _production_feed_secret(self) -> SchedulingSettings:
        if (
            self.environment == "production"
            and self.feed_secret.get_secret_value() == DEV_FEED_SECRET
        ):
            raise ValueError("FEED_SECRET is the development key; set a real one")
        return self
