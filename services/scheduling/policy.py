"""What the use cases need of the settings, and the participants' calendar feed tokens."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from services.scheduling.settings import DEV_FEED_SECRET, SchedulingSettings


@dataclass(frozen=True)
class Policy:
    """Reminder offsets and feed signing, taken from the settings in the composition root."""

    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
    feed_secret: bytes = DEV_FEED_SECRET.encode()
    public_base_url: str = "http://127.0.0.1:8002"
    calendar_organizer: str = "kayttoonotot@kanta.example"

    @classmethod
    def from_settings(cls, settings: SchedulingSettings) -> Policy:
        return cls(
            reminder_offsets=tuple(settings.reminder_offsets),
            feed_secret=settings.feed_secret.get_secret_value().encode(),
            public_base_url=settings.public_base_url,
            calendar_organizer=settings.calendar_organizer,
        )

    def feed_token(self, *, email: str, salt: str) -> str:
        """The participant's unguessable feed token: an HMAC only this service can make."""
        return hmac.new(self.feed_secret, f"{salt}:{email}".encode(), hashlib.sha256).hexdigest()

    def feed_url(self, token: str) -> str:
        return f"{self.public_base_url}/v1/feeds/{token}.ics"


def hash_token(token: str) -> str:
    """What is stored of a feed token (a leaked table does not reveal the feeds)."""
    return hashlib.sha256(token.encode()).hexdigest()
