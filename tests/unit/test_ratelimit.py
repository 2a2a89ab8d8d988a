"""The in-process sliding-window counter behind the rate limits."""

from __future__ import annotations

from shared.ratelimit import SlidingWindowCounter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_the_limit_then_refuses_with_the_wait() -> None:
    clock = Clock()
    counter = SlidingWindowCounter(clock)
    assert [counter.hit("w", "a", 3, 60) for _ in range(3)] == [None, None, None]
    clock.now += 20
    assert counter.hit("w", "a", 3, 60) == 40  # until this window ends
    assert counter.hit("w", "b", 3, 60) is None  # another client is counted apart


def test_the_previous_window_weighs_as_much_as_it_still_overlaps() -> None:
    clock = Clock()
    counter = SlidingWindowCounter(clock)
    for _ in range(4):
        assert counter.hit("w", "a", 4, 60) is None
    clock.now += 60 + 30  # half into the next window: 4 × 0.5 = 2 still count
    assert counter.hit("w", "a", 4, 60) is None
    assert counter.hit("w", "a", 4, 60) is None
    assert counter.hit("w", "a", 4, 60) is not None
    clock.now += 120  # two windows later nothing counts any more
    assert [counter.hit("w", "a", 4, 60) for _ in range(4)] == [None] * 4
