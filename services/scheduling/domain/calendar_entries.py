"""A session as a calendar file shows it: plain values, so that any writer can render it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CalendarEntry:
    """One VEVENT: a stable `uid`, `sequence` rising per change; `cancelled` also when only
    the attendee's enrolment was; `tentative` while the attendee waits for a seat."""

    uid: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    starts_at: datetime
    ends_at: datetime
    kind: str
    language: str
    title_fi: str
    title_sv: str
    title_en: str | None
    online_url: str | None
    place: str | None
    status: str
    period_year: int
    period_number: int
    cancelled: bool = False
    tentative: bool = False

    @property
    def title(self) -> str:
        """The title in the session's own language (Finnish when that one is missing)."""
        return title_in(self.language, fi=self.title_fi, sv=self.title_sv, en=self.title_en)


def title_in(language: str, *, fi: str, sv: str, en: str | None) -> str:
    """A session's title in `language`, or the Finnish one when that is missing."""
    return {"fi": fi, "sv": sv, "en": en}.get(language) or fi
