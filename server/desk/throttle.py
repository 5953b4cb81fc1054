"""Abuse limits for the desk (issue 4 item 7): in-memory, per process.

`Throttle` caps attempts per key in a sliding window. `Backoff` slows a key down once it has
tried several wrong card codes: a person mistyping twice is not delayed, a script guessing is.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Throttle:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> bool:
        """Count an attempt; False when the key is over its limit (the attempt is not counted)."""
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def count(self, key: str) -> int:
        now = self._clock()
        hits = self._hits.get(key, deque())
        return sum(1 for at in hits if at > now - self.window)


class Backoff:
    def __init__(
        self, free: int = 5, window: float = 600.0, first: float = 1.0, cap: float = 16.0, block_after: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.free, self.first, self.cap, self.block_after = free, first, cap, block_after
        self._failures = Throttle(limit=1_000_000, window=window, clock=clock)

    def fail(self, key: str) -> None:
        self._failures.hit(key)

    def delay(self, key: str) -> float:
        """Seconds to wait before answering this key: 0 for the first few failures, then doubling."""
        extra = self._failures.count(key) - self.free
        return 0.0 if extra < 0 else min(self.cap, self.first * 2**extra)

    def blocked(self, key: str) -> bool:
        return self._failures.count(key) >= self.block_after


class DeskGuard:
    """The limits the check-in route applies, per desk token and per client address."""

    def __init__(self, per_minute: int = 120, wrong_cards: Backoff | None = None) -> None:
        self.attempts = Throttle(limit=per_minute, window=60.0)
        self.wrong_cards = wrong_cards or Backoff()
