"""Python's cyclic garbage collector, tuned for ten thousand open connections.

Each kiosk connection keeps a couple of hundred tracked objects alive (protocol, WebSocket,
tasks, queues), so at 10,000 kiosks a full collection walks two million objects and stops the
event loop for over a second. A burst of votes, whose tasks and futures wait for the group
commit, tips exactly that full collection: the profile (bench/README.md) showed the collector
taking half the server's CPU. So:

- the thresholds are raised, so young collections are rarer and full ones rarer still;
- while a ballot is open the automatic collector is off, after moving everything alive into the
  permanent generation (`gc.freeze`): a vote never waits for a collection. What a ballot's votes
  allocate is freed by reference counting; the few cycles wait for the close, when the collector
  is switched back on.
- it is switched back on a moment after the close (RESUME_AFTER), not at once: the first
  collection then walks everything the ballot left alive (some 30 objects per handheld that
  voted: a tenth of a second and more at 10,000), and at the close itself the loop is busy
  pushing the closed ballot to every handheld and screen. Apart, neither stalls the screens as
  long as both would together (bench/secret_close.py). A ballot opened meanwhile keeps it off.
"""

from __future__ import annotations

import asyncio
import gc
import logging

log = logging.getLogger(__name__)

THRESHOLDS = (100_000, 50, 1_000)
RESUME_AFTER = 1.0  # s after the close of the open ballot: the collector comes back on


class CollectorPolicy:
    def __init__(self) -> None:
        self._paused = False
        self._resume: asyncio.TimerHandle | None = None

    def start(self) -> None:
        gc.set_threshold(*THRESHOLDS)

    def ballot_open(self, is_open: bool) -> None:
        """Pause automatic collection while a ballot of this process is open; resume it
        RESUME_AFTER seconds after none is (at once when no event loop runs)."""
        if is_open:
            self._cancel_resume()
            if not self._paused:
                gc.freeze()
                gc.disable()
                self._paused = True
        elif self._paused and self._resume is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._enable()
            else:
                self._resume = loop.call_later(RESUME_AFTER, self._enable)

    def _enable(self) -> None:
        self._resume = None
        if self._paused:
            gc.enable()
            self._paused = False

    def _cancel_resume(self) -> None:
        if self._resume is not None:
            self._resume.cancel()
            self._resume = None

    def stop(self) -> None:
        self._cancel_resume()
        self._enable()
