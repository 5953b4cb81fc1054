"""Prometheus metrics of one server process, exposed at `/metrics`.

The vote path only increments counters and observes histograms (no label is made per vote, and
the few label values are bound once, here). Connection gauges move when a socket opens or
closes, never per message.

Under `votehall serve --workers N` every process counts its own. Set `PROMETHEUS_MULTIPROC_DIR`
to an empty directory before starting the server and each process writes its values there;
`/metrics` on any process then answers the sum over all of them (`votehall serve` empties the
directory at start-up, as prometheus_client asks).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# From a millisecond (a vote in a quiet hall) to five seconds (a database that hesitates).
SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
BATCH_SIZES = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)

VOTES = Counter(
    "votehall_votes",
    "Vote frames answered, by outcome: acked, or the error code of the refusal.",
    ["outcome"],
)
VOTES_COMMITTED = Counter(
    "votehall_votes_committed",
    "Votes newly stored by the vote writer (a resent vote_id is not counted again).",
)
ACK_LATENCY = Histogram(
    "votehall_ack_latency_seconds",
    "From a vote frame received to its ack handed to the connection's sender.",
    buckets=SECONDS,
)
WRITER_BATCH = Histogram(
    "votehall_writer_batch_size",
    "Votes the writer took from its queue for one transaction.",
    buckets=BATCH_SIZES,
)
WRITER_COMMIT = Histogram(
    "votehall_writer_commit_seconds",
    "Duration of one group-commit transaction of the vote writer.",
    buckets=SECONDS,
)
KIOSKS = Gauge(
    "votehall_kiosk_connections", "Kiosk WebSockets past their hello.", multiprocess_mode="livesum"
)
SUBSCRIBERS = Gauge(
    "votehall_feed_subscribers",
    "Feed subscribers, by channel: display (/ws/display), chair (/ws/chair), stream (server-sent events).",
    ["channel"],
    multiprocess_mode="livesum",
)
FEED_LAG = Histogram(
    "votehall_feed_lag_seconds",
    "From a state change marking the feed dirty to the new snapshot offered to the subscribers.",
    buckets=SECONDS,
)
HTTP_REQUESTS = Counter(
    "votehall_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)

ACKED = VOTES.labels("acked")
# Every code a vote can be refused with (SPEC 4.2 step 6, plus `unavailable`), bound once.
_REFUSED = {
    code: VOTES.labels(code)
    for code in (
        "bad_message",
        "unknown_ballot",
        "ballot_not_open",
        "not_eligible",
        "change_not_allowed",
        "rate_limited",
        "unavailable",
    )
}


def vote_refused(code: str) -> None:
    counter = _REFUSED.get(code)
    (counter if counter is not None else VOTES.labels(code)).inc()


def vote_acked(received: float) -> None:
    """An ack for a vote frame received at `received` (time.perf_counter())."""
    ACKED.inc()
    ACK_LATENCY.observe(time.perf_counter() - received)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format: this process's, or all processes' in multiprocess mode."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def clear_multiprocess_dir() -> None:
    """Remove the values of processes that ran before this start (prometheus_client's rule),
    keeping this process's own files, which its metrics already write to."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        mine = f"_{os.getpid()}"
        for file in Path(directory).glob("*.db"):
            if not file.stem.endswith(mine):
                file.unlink(missing_ok=True)


class HttpMetrics:
    """ASGI middleware counting HTTP requests by route template (never the raw path: ids and
    unknown paths would make a label value each) and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            HTTP_REQUESTS.labels(route, scope["method"], str(status)).inc()
