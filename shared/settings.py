"""The settings base every service builds on (pydantic-settings: env vars and `.env`)."""

from __future__ import annotations

from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]
JwtAlgorithm = Literal["HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"]

# The development signing key: every service shares it so `make run` works out of the box.
# Production refuses it (see `_production_needs_real_secrets`).
DEV_AUTH_SECRET = "development-only-signing-key-do-not-use-in-production"
MEMORY_BROKER = "memory://"
"""AMQP_URL of the in-memory broker (`shared.messaging.memory`): the fast test tier only."""


def normalise_database_url(url: str) -> str:
    """Accept plain `postgresql://` and `sqlite:///` URLs and pick the async drivers."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite:///")):
        return url
    raise ValueError(
        f"unsupported database URL {url!r}: use postgresql://… or sqlite:///path/to/file.db"
    )


def database_url_field(service: str) -> Any:
    """A `database_url` field read from `<SERVICE>_DATABASE_URL`, else `DATABASE_URL`."""
    return Field(
        default=f"sqlite+aiosqlite:///var/{service}.db",
        validation_alias=AliasChoices(f"{service.upper()}_DATABASE_URL", "DATABASE_URL"),
    )


class ServiceSettings(BaseSettings):
    """Settings common to all services. Subclasses set `service_name` and `database_url`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    service_name: str
    environment: Environment = "development"
    database_url: str
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    exchange: str = Field(default="kanta.events", min_length=1)
    queue_prefix: str = Field(default="kanta", min_length=1)
    # Queues of throw-away environments (tests) can expire when unused; None keeps them.
    queue_expires_ms: int | None = Field(default=None, ge=1000)
    prefetch: int = Field(default=64, ge=1, le=10_000)
    # Deliveries waiting together are applied in one transaction, up to this many.
    consumer_batch_max: int = Field(default=50, ge=1, le=1_000)
    # Under load (several deliveries already waiting), wait this long for more to join the
    # batch before its transaction starts; a delivery that arrives alone never waits.
    consumer_batch_linger_ms: float = Field(default=5.0, ge=0, le=1_000)
    retry_delay_ms: int = Field(default=5_000, ge=10)
    # How a retry queue hands a message back when its delay is over. at-least-once (the
    # default) confirms the move; the test suite, which creates and deletes thousands of
    # queues, uses at-most-once because RabbitMQ 3.10 loses its at-least-once supervisor
    # when such a queue is deleted while starting (then every retry queue fails).
    retry_dead_letter_strategy: Literal["at-least-once", "at-most-once"] = "at-least-once"
    max_retries: int = Field(default=3, ge=0, le=100)
    outbox_batch_size: int = Field(default=200, ge=1, le=10_000)
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    outbox_claim_ttl_s: float = Field(default=30.0, gt=0)
    broker_reconnect_interval_s: float = Field(default=2.0, gt=0)
    migrate_on_startup: bool = True
    db_pool_size: int = Field(default=10, ge=1)
    log_level: str = "INFO"
    log_json: bool | None = None  # None: JSON when stderr is not a terminal
    # Access tokens (OAuth2 client credentials, JWT). Verification uses, in order: the JWKS
    # URL of an identity provider, the public key (PEM) for RS256/ES256/EdDSA, or the shared
    # secret for HS*. The registration service signs with the secret or the private key.
    auth_algorithm: JwtAlgorithm = "HS256"
    auth_secret: SecretStr = SecretStr(DEV_AUTH_SECRET)
    auth_public_key: str | None = None
    auth_private_key: SecretStr | None = None
    auth_jwks_url: str | None = None
    auth_issuer: str = "kanta-deployments"
    auth_audience: str = "kanta-deployments"
    auth_leeway_s: int = Field(default=30, ge=0, le=300)
    # Per API client; see shared/ratelimit.py. Format of the `limits` library: "300/minute".
    rate_limit_writes: str = "300/minute"
    rate_limit_token: str = "30/minute"
    rate_limit_token_per_host: str = "300/minute"  # many client ids tried from one address
    rate_limit_storage_url: str = "memory://"

    @field_validator("auth_public_key", "auth_jwks_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # An empty variable (AUTH_JWKS_URL=) means "not set", never "set to nothing".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rate_limit_writes", "rate_limit_token", "rate_limit_token_per_host")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '300/minute'") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("amqp_url")
    @classmethod
    def _amqp_url(cls, value: str) -> str:
        if not value.startswith(("amqp://", "amqps://", MEMORY_BROKER)):
            raise ValueError(f"AMQP_URL must start with amqp:// or amqps://, not {value!r}")
        return value

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> ServiceSettings:
        if self.uses_memory_broker and self.environment != "test":
            raise ValueError(f"AMQP_URL {MEMORY_BROKER} (the in-memory broker) is for tests only")
        if self.environment == "production" and urlsplit(self.amqp_url).username in (None, "guest"):
            raise ValueError(
                "AMQP_URL uses RabbitMQ's default guest user; set a real user and password "
                "outside development"
            )
        if (
            not self.auth_algorithm.startswith("HS")
            and self.auth_public_key is None
            and self.auth_jwks_url is None
        ):
            raise ValueError(
                f"AUTH_ALGORITHM {self.auth_algorithm} needs AUTH_PUBLIC_KEY or AUTH_JWKS_URL "
                "to verify tokens"
            )
        if (
            self.environment == "production"
            and self.auth_jwks_url is None
            and self.auth_public_key is None
            and self.auth_secret.get_secret_value() == DEV_AUTH_SECRET
        ):
            raise ValueError(
                "AUTH_SECRET is the development key; set AUTH_SECRET, AUTH_PUBLIC_KEY or "
                "AUTH_JWKS_URL outside development"
            )
        return self

    @property
    def uses_memory_broker(self) -> bool:
        """The fast test tier's in-memory stand-in instead of RabbitMQ."""
        return self.amqp_url.startswith(MEMORY_BROKER)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class InvalidSettings(SystemExit):
    """The service cannot start: its settings are wrong. The message names each one."""


S = TypeVar("S", bound=ServiceSettings)


def load_settings(cls: type[S]) -> S:
    """Read a service's settings; on a bad value stop with one readable line per problem."""
    try:
        return cls()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']).upper() or 'settings'}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise InvalidSettings(f"{cls.__name__}: invalid settings: {problems}") from None
