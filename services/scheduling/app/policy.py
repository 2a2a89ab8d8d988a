"""What the use cases need of the settings: reminder offsets, feed signing, the organiser."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from services.scheduling.domain.feeds import feed_token
from services.scheduling.settings import DEV_FEED_SECRET, SchedulingSettings


@dataclass(frozen=True)
class Policy:
    """Reminder offsets and feed signing, taken from the settings in the composition root."""

    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
    feed_secret: bytes = DEV_FEED_SECRET.encode()
    public_base_url: str = "http://127.0.0.1:8002"
    calendar_organizer: str = "kayttoonotot@kanta.example"
    preparation_lead_days: int = 60
    earliest_date: date = date(2000, 1, 1)
    latest_date: date = date(2100, 12, 31)

    @classmethod
    def from_settings(cls, settings: SchedulingSettings) -> Policy:
        """The policy of a running service."""
        return cls(
            reminder_offsets=tuple(settings.reminder_offsets),
            feed_secret=settings.feed_secret.get_secret_value().encode(),
            public_base_url=settings.public_base_url,
            calendar_organizer=settings.calendar_organizer,
            preparation_lead_days=settings.preparation_lead_days,
            earliest_date=settings.earliest_date,
            latest_date=settings.latest_date,
        )

    def feed_token(self, *, registration_id: uuid.UUID, email: str, salt: str) -> str:
        """The participant's unguessable feed token: an HMAC only this service can make."""
        return feed_token(
            self.feed_secret, registration_id=str(registration_id), email=email, salt=salt
        )

    def feed_url(self, token: str) -> str:
        """The public URL of a participant's calendar feed."""
        return f"{self.public_base_url}/v1/feeds/{token}.ics"
