from __future__ import annotations

from server.desk.throttle import Backoff, Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_sliding_window() -> None:
    clock = Clock()
    throttle = Throttle(limit=3, window=60, clock=clock)
    assert [throttle.hit("a") for _ in range(4)] == [True, True, True, False]
    assert throttle.hit("b")
    clock.now = 61
    assert throttle.hit("a")


def test_backoff_spares_a_typo_and_slows_a_guesser() -> None:
    clock = Clock()
    backoff = Backoff(free=2, window=600, first=1, cap=8, block_after=6, clock=clock)
    delays = []
    for _ in range(6):
        backoff.fail("desk")
        delays.append(backoff.delay("desk"))
    assert delays == [0, 1, 2, 4, 8, 8]
    assert backoff.blocked("desk") and not backoff.blocked("other")
    clock.now = 601
    assert backoff.delay("desk") == 0 and not backoff.blocked("desk")
