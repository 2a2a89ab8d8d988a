"""Scheduling settings: reminder offsets from the environment, nonsense refused at start-up."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.scheduling.app.policy import Policy
from services.scheduling.settings import SchedulingSettings


def test_reminder_offsets_default_to_a_week_and_a_day() -> None:
    settings = SchedulingSettings()
    assert settings.reminder_offsets == [timedelta(days=7), timedelta(days=1)]
    assert Policy.from_settings(settings).reminder_offsets == (timedelta(days=7), timedelta(days=1))


def test_reminder_offsets_are_read_as_iso_8601_durations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_OFFSETS", '["PT2H", "P14D"]')
    assert SchedulingSettings().reminder_offsets == [timedelta(days=14), timedelta(hours=2)]


@pytest.mark.parametrize("value", ['["-P1D"]', '["P1D", "P1D"]', '["PT0S"]', '"soon"'])
def test_nonsense_offsets_are_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("REMINDER_OFFSETS", value)
    with pytest.raises(ValidationError):
        SchedulingSettings()


def test_production_needs_its_own_feed_secret_and_a_web_base_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("AMQP_URL", "amqp://kanta:s3cret@broker:5672/")
    monkeypatch.setenv("AUTH_SECRET", "a-production-signing-key")
    with pytest.raises(ValidationError, match="FEED_SECRET"):
        SchedulingSettings()
    monkeypatch.setenv("FEED_SECRET", "a-production-feed-secret")
    assert SchedulingSettings().environment == "production"
    monkeypatch.setenv("PUBLIC_BASE_URL", "kanta.example")
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL"):
        SchedulingSettings()


def test_feed_tokens_depend_on_the_secret_the_salt_and_the_registration() -> None:
    policy = Policy(feed_secret=b"one")
    one, two = uuid.uuid4(), uuid.uuid4()
    token = policy.feed_token(registration_id=one, email="tekninen@example.fi", salt="a")
    assert len(token) == 64
    assert token == policy.feed_token(registration_id=one, email="tekninen@example.fi", salt="a")
    assert token != policy.feed_token(registration_id=one, email="tekninen@example.fi", salt="b")
    # #15: a feed is one contact of one registration, not an email address alone.
    assert token != policy.feed_token(registration_id=two, email="tekninen@example.fi", salt="a")
    other = Policy(feed_secret=b"two")
    assert token != other.feed_token(registration_id=one, email="tekninen@example.fi", salt="a")
    assert policy.feed_url(token).endswith(f"/v1/feeds/{token}.ics")
