"""Failed secrets at the token endpoint, counted apart from the tokens issued (issue 15.8).

A lock keyed on the client id alone lets anyone who knows a client id keep it out: so wrong
secrets block only where they come from. Failures are counted per client *and* address
(guessing one client's secret from one place) and per address (guessing many clients from one
place); past either, that place gets 429 before its secret is even compared. The count per
client over every address never refuses anybody, the right secret from elsewhere still gets
its token; past the limit it is logged, so that an attack on one client is seen.

The counters live where the other rate limits do (`RATE_LIMIT_STORAGE_URL`: the process, or
Redis shared by the replicas), with the `limits` library's moving window.
"""

from __future__ import annotations

import logging
import math

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from shared.clock import SystemClock

log = logging.getLogger(__name__)


class SecretGuard:
    """Counts failed secrets; says how long a client id and address must wait, if at all."""

    def __init__(self, *, per_client: str, per_host: str, storage_url: str = "memory://") -> None:
        self._per_client: RateLimitItem = parse(per_client)
        self._per_host: RateLimitItem = parse(per_host)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))

    def _wait(self, item: RateLimitItem, *keys: str) -> int:
        reset_at = self._limiter.get_window_stats(item, *keys).reset_time
        # The storage counts in epoch seconds of the system clock (the library's own).
        return max(1, math.ceil(reset_at - SystemClock().now().timestamp()))

    def retry_after(self, *, client_id: str, address: str) -> int | None:
        """Seconds this client id from this address must wait after too many wrong secrets."""
        if not self._limiter.test(self._per_host, "failed_secret_host", address):
            return self._wait(self._per_host, "failed_secret_host", address)
        if not self._limiter.test(self._per_client, "failed_secret", client_id, address):
            return self._wait(self._per_client, "failed_secret", client_id, address)
        return None

    def failed(self, *, client_id: str, address: str) -> None:
        """Count one wrong secret (or unknown or disabled client) from `address`."""
        self._limiter.hit(self._per_host, "failed_secret_host", address)
        self._limiter.hit(self._per_client, "failed_secret", client_id, address)
        if not self._limiter.hit(self._per_client, "failed_secret_any", client_id):
            # Never a refusal (that would be the denial of service): a signal for operators.
            log.warning("many wrong secrets for one client", extra={"client_id": client_id[:64]})
