"""What one slice of kiosks measured, and how slices from several client processes merge.

Every timestamp is `time.monotonic()`: CLOCK_MONOTONIC is one clock for the whole machine on
Linux, so stamps taken in different client processes can be compared and merged directly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CHOICES = ("for", "against", "abstain")


@dataclass(slots=True)
class ConnectStats:
    """The ramp: how many kiosks were welcomed, how many were not (by reason), and when."""

    connected: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    started: float = math.inf
    finished: float = -math.inf
    client_cpu: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9) if self.connected else 0.0

    @property
    def rate(self) -> float:
        return self.connected / self.seconds if self.connected else 0.0


def merge_connects(parts: Iterable[ConnectStats]) -> ConnectStats:
    merged = ConnectStats()
    for part in parts:
        merged.connected += part.connected
        merged.failed.update(part.failed)
        merged.started = min(merged.started, part.started)
        merged.finished = max(merged.finished, part.finished)
        merged.client_cpu += part.client_cpu
    return merged


@dataclass(frozen=True, slots=True)
class BurstPlan:
    ballot: int
    votes: int = 1
    think_ms: float = 0.0
    timeout: float = 120.0
    seed: int = 0


@dataclass(slots=True)
class BurstResult:
    """One burst as the kiosks saw it. `ledger` is each kiosk's last acknowledged choice and its
    weight (from the welcome): the client's own count, to hold the server's tally against;
    `acked_ids` the vote_id of that ack. `reconnects` counts kiosks welcomed again after a lost
    connection (`reconnect_failures` the attempts in between), `resent` the votes sent again."""

    kiosks: int = 0
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    first_send: float = math.inf
    last_ack: float = -math.inf
    errors: Counter[str] = field(default_factory=Counter)
    complete: int = 0  # kiosks that got an ack for every vote they sent
    ledger: dict[str, tuple[str, int]] = field(default_factory=dict)
    acked_ids: dict[str, str] = field(default_factory=dict)
    reconnects: int = 0
    reconnect_failures: int = 0
    resent: int = 0
    retried: Counter[str] = field(default_factory=Counter)  # answers that asked for a resend
    client_cpu: float = 0.0
    client_wall: float = 0.0

    @property
    def acked(self) -> int:
        return len(self.latencies)

    @property
    def seconds(self) -> float:
        return max(self.last_ack - self.first_send, 1e-9) if self.acked else 0.0

    @property
    def rate(self) -> float:
        """Acks per second from the first vote sent to the last ack received."""
        return self.acked / self.seconds if self.acked else 0.0

    def tally(self) -> dict[str, int]:
        sums = dict.fromkeys(CHOICES, 0)
        for choice, weight in self.ledger.values():
            sums[choice] += weight
        return sums


def merge_bursts(parts: Sequence[BurstResult]) -> BurstResult:
    merged = BurstResult()
    for part in parts:
        merged.kiosks += part.kiosks
        merged.sent += part.sent
        merged.latencies.extend(part.latencies)
        merged.first_send = min(merged.first_send, part.first_send)
        merged.last_ack = max(merged.last_ack, part.last_ack)
        merged.errors.update(part.errors)
        merged.complete += part.complete
        merged.ledger.update(part.ledger)
        merged.acked_ids.update(part.acked_ids)
        merged.reconnects += part.reconnects
        merged.reconnect_failures += part.reconnect_failures
        merged.resent += part.resent
        merged.retried.update(part.retried)
        merged.client_cpu += part.client_cpu
        merged.client_wall = max(merged.client_wall, part.client_wall)
    return merged


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted `values` (no interpolation: every figure was observed)."""
    if not values:
        return math.nan
    rank = max(math.ceil(fraction * len(values)), 1)
    return values[min(rank, len(values)) - 1]


def latency_summary(latencies: Iterable[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds."""
    ordered = sorted(latencies)
    return {
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p95_ms": percentile(ordered, 0.95) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
        "max_ms": (ordered[-1] * 1000) if ordered else math.nan,
    }
