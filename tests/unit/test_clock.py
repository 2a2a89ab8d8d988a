"""The one clock: UTC instants, Helsinki days, a settable clock for tests, and a loop runner."""

from __future__ import annotations

import ast
import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shared.clock import HELSINKI, SettableClock, SystemClock, helsinki_date
from shared.loops import Doorbell, run_loop

ROOT = Path(__file__).resolve().parents[2]


def test_today_is_the_day_in_helsinki_not_in_utc() -> None:
    # 22:30 UTC on New Year's Eve is already the first of January in Helsinki (UTC+2).
    clock = SettableClock(datetime(2030, 12, 31, 22, 30, tzinfo=UTC))
    assert clock.today() == date(2031, 1, 1)
    assert clock.now().tzinfo is UTC


def test_the_summer_offset_is_three_hours() -> None:
    clock = SettableClock(datetime(2030, 6, 30, 21, 30, tzinfo=UTC))
    assert clock.today() == date(2030, 7, 1)
    assert helsinki_date(datetime(2030, 6, 30, 20, 59, tzinfo=UTC)) == date(2030, 6, 30)


def test_a_settable_clock_stands_still_until_moved() -> None:
    start = datetime(2030, 3, 30, 12, tzinfo=HELSINKI)
    clock = SettableClock(start)
    assert clock.now() == start
    clock.advance(timedelta(days=1))
    # 24 hours across the spring change: the wall clock in Helsinki moved 25 hours.
    assert clock.now() == start.astimezone(UTC) + timedelta(days=1)
    assert clock.now().astimezone(HELSINKI).hour == 13
    clock.set(datetime(2031, 1, 1, tzinfo=UTC))
    assert clock.today() == date(2031, 1, 1)
    with pytest.raises(ValueError):
        clock.set(datetime(2031, 1, 1))  # naive


def test_the_system_clock_is_aware_and_near_the_settable_default() -> None:
    system, settable = SystemClock().now(), SettableClock().now()
    assert system.tzinfo is UTC
    assert abs(settable - system) < timedelta(seconds=5)


BANNED = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")}


def test_no_module_but_the_clock_reads_the_system_time() -> None:
    """The ruff rule's twin, so that a lint-free checkout cannot hide a reading of the time."""
    offenders = []
    for path in [*ROOT.glob("shared/**/*.py"), *ROOT.glob("services/**/*.py")]:
        if path.name == "clock.py" and path.parent.name == "shared":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in BANNED
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


async def test_a_loop_goes_on_at_once_after_a_full_pass_and_survives_a_failing_one() -> None:
    passes: list[str] = []
    bell = Doorbell()

    async def one_pass() -> bool:
        passes.append("pass")
        if len(passes) == 2:
            raise RuntimeError("a failing pass is logged, not fatal")
        return len(passes) == 1  # the first pass was full

    task = asyncio.create_task(run_loop("test", one_pass, interval_s=60, doorbell=bell))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if len(passes) >= 2:
            break
    assert len(passes) == 2  # full pass, then at once the failing one; now it waits
    bell.ring()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if len(passes) >= 3:
            break
    assert len(passes) == 3  # the doorbell woke it before its minute was up
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_loop_rung_as_it_is_cancelled_still_stops() -> None:
    """The ring completes the wait as the cancel arrives: the cancel must win (3.11 wait_for
    swallowed it, and a service's stop() then waited for its loop for ever)."""

    async def idle() -> bool:
        return False

    for _ in range(50):
        bell = Doorbell()
        task = asyncio.create_task(run_loop("test", idle, interval_s=60, doorbell=bell))
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # the loop now waits on its doorbell
        bell.ring()
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=1)
        assert done == {task} and task.cancelled()
