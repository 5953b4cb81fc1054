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
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

THRESHOLDS = (100_000, 50, 1_000)


class CollectorPolicy:
    def __init__(self) -> None:
        self._paused = False

    def start(self) -> None:
        gc.set_threshold(*THRESHOLDS)

    def ballot_open(self, is_open: bool) -> None:
        """Pause automatic collection while a ballot of this process is open."""
        if is_open and not self._paused:
            gc.freeze()
            gc.disable()
            self._paused = True
        elif not is_open and self._paused:
            gc.enable()
            self._paused = False

    def stop(self) -> None:
        self.ballot_open(False)
