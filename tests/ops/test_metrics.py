"""`/metrics`: the named families, their values after real votes, the route labels, the token."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import websockets
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.config import Settings
from server.db import Database
from tests.factories import bearer
from tests.live.conftest import Hall, seed_hall
from tests.live.test_kiosk_protocol import vote
from tests.servers import ServerProcess

FAMILIES = {
    "votehall_votes": "counter",
    "votehall_votes_committed": "counter",
    "votehall_ack_latency_seconds": "histogram",
    "votehall_writer_batch_size": "histogram",
    "votehall_writer_commit_seconds": "histogram",
    "votehall_kiosk_connections": "gauge",
    "votehall_feed_subscribers": "gauge",
    "votehall_feed_lag_seconds": "histogram",
    "votehall_http_requests": "counter",
}


class Metrics:
    def __init__(self, text: str) -> None:
        self.families = {family.name: family for family in text_string_to_metric_families(text)}

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples called `name` whose labels include `labels` (0 when none)."""
        return sum(
            sample.value
            for family in self.families.values()
            for sample in family.samples
            if sample.name == name and labels.items() <= sample.labels.items()
        )


async def scrape(client: httpx.AsyncClient, **headers: str) -> Metrics:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return Metrics(response.text)


async def test_metrics_expose_the_named_families(client: httpx.AsyncClient) -> None:
    await client.get("/api/feed")
    metrics = await scrape(client)
    for name, kind in FAMILIES.items():
        assert name in metrics.families, name
        assert metrics.families[name].type == kind, name


async def test_http_requests_are_counted_by_route_template(client: httpx.AsyncClient) -> None:
    ballot = {"route": "/api/ballots/{ballot_id}", "method": "GET", "status": "401"}
    unknown = {"route": "unmatched", "method": "GET", "status": "404"}
    before = await scrape(client)
    assert (await client.get("/api/ballots/7")).status_code == 401
    assert (await client.get("/api/ballots/8")).status_code == 401
    assert (await client.get("/no/such/page")).status_code == 404
    after = await scrape(client)
    for labels, moved in ((ballot, 2), (unknown, 1)):
        name = "votehall_http_requests_total"
        assert after.value(name, **labels) - before.value(name, **labels) == moved, labels
    # The raw paths never become label values.
    assert 'route="/api/ballots/7"' not in (await client.get("/metrics")).text


async def test_the_metrics_token_when_set(database: Database) -> None:
    secret = "a-long-random-metrics-secret-for-tests"
    settings = Settings(database_url=database.url, env="development", metrics_token=secret)
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        response = await client.get("/metrics")
        assert (response.status_code, response.json()["error"]) == (401, "missing_token")
        response = await client.get("/metrics", headers=bearer(secret + "x"))
        assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
        await scrape(client, **bearer(secret))
        # Only /metrics asks for it: the probes stay open.
        assert (await client.get("/readyz")).status_code == 200


async def votes_move_the_metrics(hall: Hall) -> None:
    """Vote through a real server and watch the figures follow (shared by the tests below)."""
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        before = await scrape(client)
        ballot_id = hall.seeded.ballot_ids[0]
        await hall.action(ballot_id, "open")
        display = await websockets.connect(f"{hall.server.ws}/ws/display")
        await display.recv()  # the first snapshot
        kiosk, _ = await hall.kiosk("GM0001")
        during = await scrape(client)
        assert during.value("votehall_kiosk_connections") == before.value("votehall_kiosk_connections") + 1
        assert during.value("votehall_feed_subscribers", channel="display") == 1

        assert (await vote(kiosk, ballot_id, "for", "m-1"))["type"] == "ack"
        assert (await vote(kiosk, ballot_id, "against", "m-2"))["type"] == "ack"
        assert (await vote(kiosk, ballot_id, "against", "m-2"))["type"] == "ack"  # a resend
        closed = hall.seeded.ballot_ids[1]
        assert (await vote(kiosk, closed, "for", "m-3"))["code"] == "ballot_not_open"
        await asyncio.sleep(0.2)  # the feed publisher's next tick
        after = await scrape(client)

        def moved(name: str, **labels: str) -> float:
            return after.value(name, **labels) - before.value(name, **labels)

        assert moved("votehall_votes_total", outcome="acked") == 3
        assert moved("votehall_votes_total", outcome="ballot_not_open") == 1
        assert moved("votehall_votes_committed_total") == 2
        assert moved("votehall_ack_latency_seconds_count") == 3
        assert moved("votehall_ack_latency_seconds_bucket", le="5.0") == 3
        assert moved("votehall_writer_batch_size_count") >= 2
        assert moved("votehall_writer_batch_size_sum") >= 2
        assert moved("votehall_writer_commit_seconds_count") >= 2
        assert moved("votehall_feed_lag_seconds_count") >= 1
        feed = {"route": "/api/ballots/{ballot_id}/open", "method": "POST", "status": "200"}
        assert moved("votehall_http_requests_total", **feed) == 1

        await kiosk.close()
        await display.close()
        await asyncio.sleep(0.2)
        gone = await scrape(client)
        assert gone.value("votehall_kiosk_connections") == before.value("votehall_kiosk_connections")
        assert gone.value("votehall_feed_subscribers", channel="display") == 0


async def test_votes_move_the_metrics(hall: Hall) -> None:
    await votes_move_the_metrics(hall)


async def test_one_sum_over_worker_processes_with_a_multiprocess_dir(
    database: Database, tmp_path: Path
) -> None:
    """PROMETHEUS_MULTIPROC_DIR: every process writes its values there and /metrics adds them up."""
    seeded, other = await seed_hall(database)
    folder = tmp_path / "prometheus"
    folder.mkdir()
    earlier = folder / "counter_999999.db"
    earlier.write_bytes(b"left by an earlier run")
    server = ServerProcess(database.url, env={"PROMETHEUS_MULTIPROC_DIR": str(folder)})
    server.start()
    try:
        assert not earlier.exists()  # `serve` empties the directory at start-up
        await votes_move_the_metrics(Hall(server=server, seeded=seeded, other_meeting_ballot=other))
        assert server.process is not None
        assert (folder / f"counter_{server.process.pid}.db").exists()
        assert (folder / f"histogram_{server.process.pid}.db").exists()
        async with httpx.AsyncClient(base_url=server.base) as client:
            alone = await scrape(client)
            # Another worker process's values, written as prometheus_client writes them: /metrics
            # answers the sum over both, not only the answering process's own count.
            write_counter(folder / "counter_424242.db", "votehall_votes_committed", 40)
            both = await scrape(client)
        committed = "votehall_votes_committed_total"
        assert alone.value(committed) >= 2
        assert both.value(committed) == alone.value(committed) + 40
    finally:
        server.stop()


def write_counter(path: Path, family: str, value: float) -> None:
    """A counter value as another process in multiprocess mode leaves it in its file."""
    values = MmapedDict(str(path))
    try:
        values.write_value(mmap_key(family, f"{family}_total", [], [], "another process"), value, 0.0)
    finally:
        values.close()
