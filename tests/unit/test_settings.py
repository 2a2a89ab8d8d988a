"""Settings fail fast with a clear message, and pick the database of each service."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.notifications.settings import NotificationsSettings
from services.registration.settings import RegistrationSettings
from services.scheduling.settings import SchedulingSettings
from shared.settings import InvalidSettings, load_settings, normalise_database_url


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "REGISTRATION_DATABASE_URL",
        "SCHEDULING_DATABASE_URL",
        "NOTIFICATIONS_DATABASE_URL",
        "AMQP_URL",
        "ENVIRONMENT",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def test_each_service_defaults_to_its_own_sqlite_file() -> None:
    assert RegistrationSettings().database_url == "sqlite+aiosqlite:///var/registration.db"
    assert SchedulingSettings().database_url == "sqlite+aiosqlite:///var/scheduling.db"
    assert NotificationsSettings().database_url == "sqlite+aiosqlite:///var/notifications.db"


def test_a_service_specific_url_wins_over_the_shared_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/shared")
    monkeypatch.setenv("SCHEDULING_DATABASE_URL", "postgresql://db/scheduling")
    assert RegistrationSettings().database_url == "postgresql+asyncpg://db/shared"
    assert SchedulingSettings().database_url == "postgresql+asyncpg://db/scheduling"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h:5432/d", "postgresql+asyncpg://u@h:5432/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
    ],
)
def test_plain_database_urls_get_the_async_driver(given: str, used: str) -> None:
    assert normalise_database_url(given) == used


@pytest.mark.parametrize("url", ["mysql://h/d", "http://h/d", "registration.db", ""])
def test_an_unsupported_database_url_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ValidationError, match="unsupported database URL"):
        RegistrationSettings()


def test_a_non_amqp_broker_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMQP_URL", "redis://127.0.0.1:6379")
    with pytest.raises(ValidationError, match="AMQP_URL must start with amqp://"):
        SchedulingSettings()


def test_production_refuses_the_default_guest_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="default guest user"):
        RegistrationSettings()
    monkeypatch.setenv("AMQP_URL", "amqp://guest:other-password@broker:5672/")
    with pytest.raises(ValidationError, match="default guest user"):
        RegistrationSettings()
    monkeypatch.setenv("AMQP_URL", "amqp://kanta:s3cret@broker:5672/")
    with pytest.raises(ValidationError, match="AUTH_SECRET is the development key"):
        RegistrationSettings()
    monkeypatch.setenv("AUTH_SECRET", "a-real-signing-key-from-the-vault-0123456789")
    assert RegistrationSettings().environment == "production"


def test_an_unknown_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "staging-ish")
    with pytest.raises(ValidationError):
        NotificationsSettings()


def test_smtp_login_without_a_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_USERNAME", "kanta")
    with pytest.raises(ValidationError, match="SMTP_PASSWORD is missing"):
        NotificationsSettings()
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    assert NotificationsSettings().smtp_username == "kanta"


def test_a_service_stops_at_start_up_with_one_line_naming_each_bad_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://db/kanta")
    monkeypatch.setenv("AMQP_URL", "redis://127.0.0.1")
    with pytest.raises(InvalidSettings) as stopped:
        load_settings(SchedulingSettings)
    message = str(stopped.value)
    assert message.startswith("SchedulingSettings: invalid settings: ")
    assert "unsupported database URL 'mysql://db/kanta'" in message
    assert "AMQP_URL: AMQP_URL must start with amqp://" in message
    assert "\n" not in message
