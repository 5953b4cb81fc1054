"""Loadtest kiosks survive their connections (issue 6 item 3; SPEC 4.4 "survives a dropped
connection", SPEC 5 "Durable").

Against a real `votehall serve` behind a TCP proxy, in the middle of a burst the proxy first holds
back what the server sends (so that votes get stored whose acks are still on the way), then cuts
every connection and refuses new ones for a moment. The kiosks reconnect with a jittered backoff
and resend what was not acknowledged with the same vote_id. Every vote the kiosks count as acked
must then be counted exactly once, and the closed result and the display equal their ledger.

A small stand-in server shows the same client against each way a connection can end: closes
1012 and 1008 and an `unavailable` answer (resend), a welcome that disagrees with the ledger
(counted as an error), and 4403 (the pass is over: no reconnect).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from server.auth.roles import Role
from server.db import Database
from server.loadtest.display import Chair, DisplayWatcher
from server.loadtest.kiosks import WELCOME_DISAGREES, KioskSlice, spread
from server.loadtest.pool import raise_open_files_limit
from server.loadtest.stats import CHOICES, BurstPlan, BurstResult
from server.seed import Seeded
from tests.live.crowd import (
    WAIT,
    assert_counted_once,
    assert_displays_show,
    events_stored,
    seed_crowd,
    until,
    until_stored,
)
from tests.proxy import Proxy
from tests.servers import ServerProcess

KIOSKS = 300
VOTES = 4  # a vote and three changes per kiosk, so the burst lasts long enough to cut it
THINK_MS = 500.0
HELD_VOTES = 40  # votes stored while their acks are held back, before the cut
REFUSED_FOR = 0.5  # seconds the proxy refuses new connections after the cut


@pytest.fixture
async def crowd(database: Database) -> AsyncIterator[tuple[ServerProcess, Seeded]]:
    raise_open_files_limit()
    seeded = await seed_crowd(database, KIOSKS)
    server = ServerProcess(database.url)
    await asyncio.to_thread(server.start)
    try:
        yield server, seeded
    finally:
        await asyncio.to_thread(server.stop)


async def test_kiosks_cut_mid_burst_reconnect_resend_and_are_counted_once(
    crowd: tuple[ServerProcess, Seeded], database: Database
) -> None:
    server, seeded = crowd
    ballot = seeded.ballot_ids[0]
    proxy = Proxy("127.0.0.1", server.port)
    await proxy.start()
    kiosks = KioskSlice(
        spread([proxy.ws], sorted(seeded.passes.items())), reconnect_base=0.1, reconnect_cap=2
    )
    display = DisplayWatcher(proxy.ws)
    chair = Chair(server.base, seeded.tokens[Role.CHAIR])
    try:
        connected = await kiosks.connect()
        assert connected.connected == KIOSKS, connected.failed
        await display.start()
        result = BurstResult()
        burst = asyncio.create_task(kiosks.burst(BurstPlan(ballot, VOTES, THINK_MS, WAIT, seed=11), result))
        await chair.action(ballot, "open")
        total = KIOSKS * VOTES
        await until(lambda: result.acked >= total // 3, what="a third of the acks")

        proxy.hold()  # the server's answers stop here: what it stores now, the kiosks do not hear
        held_from = result.acked
        await until_stored(database, ballot, held_from + HELD_VOTES, burst)
        dropped = await proxy.cut()
        stored_at_cut = await events_stored(database, ballot)
        acked_at_cut = result.acked
        await asyncio.sleep(REFUSED_FOR)  # meanwhile every reconnect is refused
        proxy.release()
        await proxy.start()
        await asyncio.wait_for(burst, WAIT + 30)

        assert dropped >= KIOSKS  # every kiosk (and the display) lost its connection
        assert acked_at_cut < total and stored_at_cut > acked_at_cut  # stored, not yet acked
        assert (result.acked, result.complete) == (total, KIOSKS), (result.errors, result.acked)
        assert result.reconnects >= 1 and result.resent >= 1, (result.reconnects, result.resent)
        await assert_displays_show([display], ballot, result)
        assert display.reconnects >= 1
        closed = await chair.action(ballot, "close")
        await assert_counted_once(database, ballot, result, VOTES, closed)
    finally:
        await display.stop()
        await chair.aclose()
        await kiosks.close()
        await proxy.close()


# The same client against a stand-in server that ends connections in every way there is.

BALLOT = {
    "id": 9, "agenda": "1", "title": "Stand-in", "kind": "voorstel", "status": "open",
    "majority": "simple", "preadvies": None, "submitters": [], "allow_change": True, "test": False,
}  # fmt: skip


class StandIn:
    """Answers the n-th vote frame it receives with `script[n]`: "ack", "unavailable", or a
    close code; welcomes the n-th connection with `shown[n]` as the member's stored vote
    ("pending": the choice of the last vote frame received, "other": a choice it is not)."""

    def __init__(self, script: list[str], shown: list[str | None]) -> None:
        self.script, self.shown = script, shown
        self.votes: list[dict[str, Any]] = []
        self.connections = 0

    async def handle(self, connection: ServerConnection) -> None:
        number = self.connections
        self.connections += 1
        await connection.recv()  # hello
        shown = self.shown[min(number, len(self.shown) - 1)]
        if shown == "pending":
            shown = self.votes[-1]["choice"]
        elif shown == "other":
            shown = next(choice for choice in CHOICES if choice != self.votes[-1]["choice"])
        member = {"code": "K1", "name": "Kiosk", "weight": 7}
        welcome = {"type": "welcome", "member": member, "ballot": BALLOT if number else None, "vote": shown}
        await connection.send(json.dumps(welcome))
        if number == 0:
            await connection.send(json.dumps({"type": "ballot", "ballot": BALLOT}))
        try:
            async for frame in connection:
                vote = json.loads(frame)
                self.votes.append(vote)
                step = self.script[len(self.votes) - 1]
                if step == "ack":
                    ack = {"type": "ack", "vote_id": vote["vote_id"], "ballot": 9, "choice": vote["choice"]}
                    await connection.send(json.dumps({**ack, "receipt": "00"}))
                elif step == "unavailable":
                    error = {
                        "type": "error",
                        "vote_id": vote["vote_id"],
                        "code": "unavailable",
                        "message": "",
                    }
                    await connection.send(json.dumps(error))
                else:
                    await connection.close(int(step))
                    return
        except ConnectionClosed:
            pass


async def run_stand_in(stand_in: StandIn) -> BurstResult:
    async with serve(stand_in.handle, "127.0.0.1", 0) as listening:
        port = listening.sockets[0].getsockname()[1]
        kiosks = KioskSlice(spread([f"ws://127.0.0.1:{port}"], [("K1", "pass")]), reconnect_base=0.01)
        try:
            assert (await kiosks.connect()).connected == 1
            return await asyncio.wait_for(kiosks.burst(BurstPlan(9, timeout=30)), 40)
        finally:
            await kiosks.close()


async def test_closes_1012_and_1008_and_unavailable_resend_the_same_vote_id() -> None:
    stand_in = StandIn(["1012", "1008", "unavailable", "ack"], [None, None, "pending"])
    result = await run_stand_in(stand_in)

    assert len(stand_in.votes) == 4 and stand_in.connections == 3
    assert len({(vote["vote_id"], vote["choice"]) for vote in stand_in.votes}) == 1
    choice = stand_in.votes[0]["choice"]
    assert (result.acked, result.complete, result.reconnects, result.resent) == (1, 1, 2, 3)
    assert result.errors == {} and result.retried == {"unavailable": 1}
    assert result.ledger == {"K1": (choice, 7)}
    assert result.acked_ids == {"K1": stand_in.votes[0]["vote_id"]}


async def test_a_welcome_that_disagrees_with_the_ledger_is_an_error() -> None:
    stand_in = StandIn(["1012", "ack"], [None, "other"])  # neither the acked nor the pending vote
    result = await run_stand_in(stand_in)
    assert result.acked == 1
    assert result.errors == {WELCOME_DISAGREES: 1}


async def test_a_pass_closed_4403_stops_the_kiosk_without_reconnecting() -> None:
    stand_in = StandIn(["4403"], [None])
    result = await run_stand_in(stand_in)
    assert (result.acked, result.reconnects, stand_in.connections) == (0, 0, 1)
    assert result.errors == {"closed 4403": 1}
