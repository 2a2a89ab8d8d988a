"""Notifications settings: the staff mailbox is optional, and a bad one stops start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifications.settings import NotificationsSettings


def settings(**values: object) -> NotificationsSettings:
    return NotificationsSettings.model_validate(
        {"environment": "test", "database_url": "sqlite+aiosqlite:///:memory:", **values}
    )


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_an_empty_staff_mailbox_turns_the_copies_off(empty: str | None) -> None:
    assert settings(staff_mailbox=empty).staff_mailbox is None


def test_a_staff_mailbox_must_be_an_address() -> None:
    assert settings(staff_mailbox="kela@example.fi").staff_mailbox == "kela@example.fi"
    with pytest.raises(ValidationError, match="staff_mailbox"):
        settings(staff_mailbox="not an address")


def test_the_calendar_organiser_is_the_sender() -> None:
    configured = settings(mail_from="Kanta-käyttöönotot <kayttoonotot@kanta.example>")
    assert configured.mail_from_name == "Kanta-käyttöönotot"
    assert configured.mail_from_address == "kayttoonotot@kanta.example"
    assert settings(mail_from="kela@example.fi").mail_from_name == "kela@example.fi"
