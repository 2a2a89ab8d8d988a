"""Rate limits per API client, answered with 429 and `Retry-After`.

Every authenticated write (POST, PUT, PATCH, DELETE) counts against the caller's client id;
the token endpoint counts per client id and per address. Limits are settings
(`RATE_LIMIT_WRITES`, `RATE_LIMIT_TOKEN`, `RATE_LIMIT_TOKEN_PER_HOST`, e.g. "300/minute").

Counters live in the process by default: a sliding-window counter per key (this window's
count plus the previous window's, weighted by how much of it still overlaps), expired lazily.
`RATE_LIMIT_STORAGE_URL=redis://…` keeps them in Redis with the `limits` library instead, so
that replicas share them. (The `limits` in-memory storage runs a timer thread that rescans
every key many times a second; with thousands of clients that cost a third of a request.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from shared.clock import SystemClock
from shared.errors import TooManyRequests

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class _Window:
    started: float
    count: int
    previous: int


class SlidingWindowCounter:
    """In-process sliding-window counters, one per (limit name, key), expired lazily."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}
        self._hits = 0

    def hit(self, name: str, key: str, amount: int, period: float) -> float | None:
        """Count a hit; None if allowed, else the seconds until the next hit would be."""
        now = self._clock()
        window = self._windows.get((name, key))
        if window is None or now - window.started >= 2 * period:
            window = self._windows[(name, key)] = _Window(now, 0, 0)
        elif now - window.started >= period:
            window.started, window.previous, window.count = window.started + period, window.count, 0
        overlap = 1 - (now - window.started) / period
        if window.previous * overlap + window.count + 1 > amount:
            return max(1.0, window.started + period - now)
        window.count += 1
        self._hits += 1
        if self._hits % 10_000 == 0:  # forget keys idle for two windows
            self._windows = {k: w for k, w in self._windows.items() if now - w.started < 2 * period}
        return None


class RateLimiter:
    """Named limits ("writes", "token", "token_per_host") checked against one storage."""

    def __init__(
        self,
        *,
        writes: str,
        token: str,
        token_per_host: str = "300/minute",
        storage_url: str = "memory://",
    ) -> None:
        self._limits: dict[str, RateLimitItem] = {
            "writes": parse(writes),
            "token": parse(token),
            "token_per_host": parse(token_per_host),
        }
        self._local = SlidingWindowCounter() if storage_url.startswith("memory") else None
        self._shared = (
            None
            if self._local is not None
            else MovingWindowRateLimiter(storage_from_string(storage_url))
        )

    def hit(self, name: str, key: str) -> None:
        """Count one request of `key`; raise TooManyRequests past the limit."""
        limit = self._limits[name]
        if self._local is not None:
            wait = self._local.hit(name, key, limit.amount, limit.get_expiry())
            if wait is None:
                return
        else:
            assert self._shared is not None
            if self._shared.hit(limit, name, key):
                return
            reset_at = self._shared.get_window_stats(limit, name, key).reset_time
            # The storage counts in epoch seconds of the system clock (the library's own).
            wait = reset_at - SystemClock().now().timestamp()
        retry_after = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"Too many requests: the limit is {limit}. Retry in {retry_after} s.",
            retry_after_s=retry_after,
        )
