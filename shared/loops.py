"""Background loops, run one way: a pass, then another at once if it was full, else a wait.

The outbox relay, the mail sender, the reminders and the report-deadline watch are all
loops of passes. A pass that fails is logged and tried again after the wait; it never ends
the loop. A `Doorbell` lets a commit wake a loop before its interval is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Doorbell:
    """Wakes a loop early; a ring while it is busy is kept for its next wait."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        """Wake the loop now (or as soon as it next waits)."""
        self._event.set()

    async def wait(self, timeout: float) -> None:
        """Return when rung (now, if rung since the last wait) or after `timeout` seconds.

        `asyncio.timeout`, not `wait_for`: on Python 3.11 `wait_for` swallows a cancellation
        that arrives while the ring completes the wait, and the loop would never stop.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._event.wait()
        # On 3.11 a cancel that lands as the timeout expires can still come out as the
        # TimeoutError suppressed above; the task's own count of pending cancels says so.
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise asyncio.CancelledError
        self._event.clear()


Pass = Callable[[], Awaitable[bool]]
"""One pass of a loop; True when it was full and another should follow at once."""


async def run_loop(
    name: str, one_pass: Pass, *, interval_s: float, doorbell: Doorbell | None = None
) -> None:
    """Run `one_pass` until cancelled: again at once after a full pass, else after a wait."""
    bell = doorbell or Doorbell()
    while True:
        try:
            full = await one_pass()
        except asyncio.CancelledError:
            raise
        except Exception:  # the next pass retries what failed
            log.exception("%s pass failed; trying again later", name)
            full = False
        if full:
            await asyncio.sleep(0)  # let requests and consumers in between full passes
            continue
        await bell.wait(interval_s)
