"""When to try a delivery again, and what an endpoint's answer means.

The schedule (a setting): the first attempt at once, then after about 5 s, 5 min, 30 min,
2 h, 5 h, 10 h and 10 h, each delay with ± jitter so that many deliveries failing together
do not come back together. 2xx is success; 3xx (never followed), other statuses, timeouts
and connection errors are failures; `410 Gone` means the endpoint is gone for good; `429`
and `503` ask for a pause, and their `Retry-After` replaces the schedule's delay.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

DEFAULT_DELAYS_S: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)


class Verdict(enum.StrEnum):
    """What one attempt's outcome means for the delivery."""

    SUCCEEDED = "succeeded"
    RETRY = "retry"  # failed; try again per the schedule (or Retry-After)
    GONE = "gone"  # 410: the endpoint asks never to be called again


def verdict_of(status_code: int | None) -> Verdict:
    """The verdict of an HTTP status (None: no answer: timeout, refused, connection error)."""
    if status_code is not None and 200 <= status_code < 300:
        return Verdict.SUCCEEDED
    if status_code == 410:
        return Verdict.GONE
    return Verdict.RETRY


def honours_retry_after(status_code: int | None) -> bool:
    """Whether the answer's `Retry-After` sets the next attempt (429 and 503)."""
    return status_code in (429, 503)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait per a `Retry-After` header (delta-seconds or HTTP-date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class RetrySchedule:
    """Delays between attempts; `len(delays_s) + 1` attempts in all."""

    delays_s: Sequence[float] = DEFAULT_DELAYS_S
    jitter: float = 0.1  # each delay varies by up to this fraction either way
    retry_after_max_s: float = 36000.0
    rand: Callable[[], float] = lambda: 0.5  # 0.5: no jitter

    @property
    def max_attempts(self) -> int:
        return len(self.delays_s) + 1

    def delay_after(self, attempts: int, *, retry_after_s: float | None = None) -> float | None:
        """Seconds until the next attempt after `attempts` tries; None when none is left."""
        if attempts >= self.max_attempts:
            return None
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), self.retry_after_max_s)
        base = self.delays_s[attempts - 1]
        return max(0.0, base * (1 + self.jitter * (2 * self.rand() - 1)))


def failing_too_long(
    failing_since: datetime | None, *, now: datetime, disable_after: timedelta
) -> bool:
    """Whether an endpoint has failed without one success for long enough to be disabled."""
    return failing_since is not None and now - failing_since >= disable_after
