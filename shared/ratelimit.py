"""Rate limits per API client (the `limits` library), answered with 429 and `Retry-After`.

Every authenticated write (POST, PUT, PATCH, DELETE) counts against the caller's client id;
the token endpoint counts per client id. Limits are settings (`RATE_LIMIT_WRITES`,
`RATE_LIMIT_TOKEN`, e.g. "300/minute"); counters live in memory by default, or in Redis
(`RATE_LIMIT_STORAGE_URL=redis://…`) so that replicas share them.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from shared.errors import TooManyRequests

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RateLimiter:
    """Named limits ("writes", "token") checked against one storage."""

    def __init__(
        self,
        *,
        writes: str,
        token: str,
        token_per_host: str = "300/minute",
        storage_url: str = "memory://",
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self._limits: dict[str, RateLimitItem] = {
            "writes": parse(writes),
            "token": parse(token),
            "token_per_host": parse(token_per_host),
        }

    def hit(self, name: str, key: str) -> None:
        """Count one request of `key`; raise TooManyRequests past the limit."""
        limit = self._limits[name]
        if self._limiter.hit(limit, name, key):
            return
        reset_at = self._limiter.get_window_stats(limit, name, key).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise TooManyRequests(
            f"Too many requests: the limit is {limit}. Retry in {retry_after} s.",
            retry_after_s=retry_after,
        )
