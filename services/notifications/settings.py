"""Notifications service settings (env vars or `.env`)."""

from __future__ import annotations

from email.utils import parseaddr

from pydantic import EmailStr, Field, SecretStr, field_validator, model_validator

from shared.contracts.common import Language
from shared.settings import ServiceSettings, database_url_field


class NotificationsSettings(ServiceSettings):
    """Everything the notifications service reads from its environment."""

    service_name: str = "notifications"
    database_url: str = database_url_field("notifications")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    mail_from: str = "Kanta-käyttöönotot <kayttoonotot@kanta.example>"
    # Gets a copy of every new registration and overdue deployment-test reports (R10);
    # empty: neither.
    staff_mailbox: EmailStr | None = "kayttoonotot-staff@kanta.example"
    # The language of the mails to the staff mailbox (the staff copy, overdue flags) (#14.6).
    staff_language: Language = "fi"
    # Kela's contact address: every mail gives it, deployment-test mails say to report there.
    kela_contact_email: EmailStr | None = "kanta-kayttoonotot@kanta.example"
    mail_batch_size: int = Field(default=50, ge=1, le=1000)
    mail_poll_interval_s: float = Field(default=1.0, gt=0)
    mail_claim_ttl_s: float = Field(default=120.0, gt=0)
    mail_max_attempts: int = Field(default=8, ge=1, le=50)
    mail_retry_base_s: float = Field(default=30.0, gt=0)
    mail_retry_max_s: float = Field(default=3600.0, gt=0)

    @field_validator("staff_mailbox", "kela_contact_email", mode="before")
    @classmethod
    def _staff_mailbox(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        _, address = parseaddr(value)
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            raise ValueError(
                "MAIL_FROM must be an address, optionally with a name "
                f"('Name <a@b.fi>'), not {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _consistent_timings(self) -> NotificationsSettings:
        if self.mail_claim_ttl_s <= self.smtp_timeout_s:
            raise ValueError(
                f"MAIL_CLAIM_TTL_S ({self.mail_claim_ttl_s}) must exceed SMTP_TIMEOUT_S "
                f"({self.smtp_timeout_s}): a claim has to outlast at least one SMTP try"
            )
        if self.smtp_username and not (
            self.smtp_password and self.smtp_password.get_secret_value()
        ):
            raise ValueError("SMTP_USERNAME is set but SMTP_PASSWORD is missing")
        if self.mail_retry_max_s < self.mail_retry_base_s:
            raise ValueError(
                f"MAIL_RETRY_MAX_S ({self.mail_retry_max_s}) is below MAIL_RETRY_BASE_S "
                f"({self.mail_retry_base_s})"
            )
        return self

    @property
    def mail_from_address(self) -> str:
        """The bare address of `mail_from`: the SMTP envelope sender."""
        return parseaddr(self.mail_from)[1]

    @property
    def mail_from_name(self) -> str:
        """The display name of `mail_from` (the calendar organiser's name), else its address."""
        name, address = parseaddr(self.mail_from)
        return name or address

    @property
    def message_id_domain(self) -> str:
        """The right-hand side of our Message-IDs: the sender's domain."""
        return self.mail_from_address.rpartition("@")[2].lower()
