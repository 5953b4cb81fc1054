"""SPEC 4.2 item 2 (review of issue 16): the server answers a hello with the welcome, before any
ballot push, also when the hello waits for another process to let go of the pass."""

from __future__ import annotations

import asyncio
import json
import signal

import websockets

from server.seed import Seeded
from tests.live.test_scale_out import (  # noqa: F401 - the fixtures
    chair,
    on_postgresql,
    redis_proxy,
    two_servers,
    welcomed,
)
from tests.servers import ServerProcess


@on_postgresql
async def test_a_ballot_opened_during_a_hand_over_comes_after_the_welcome(
    two_servers: tuple[ServerProcess, ServerProcess, Seeded],  # noqa: F811 - the fixture
) -> None:
    a, b, seeded = two_servers
    assert a.process is not None
    token = seeded.passes["GM0002"]
    older, _ = await welcomed(a, token)
    await asyncio.sleep(0.5)  # b has heard of a's connection through the fan-out
    # A process that does not answer: b's hello waits up to HANDOVER_WAIT (2 s) for it to let go.
    a.process.send_signal(signal.SIGSTOP)
    try:
        newer = await websockets.connect(f"{b.ws}/ws/kiosk")
        await newer.send(json.dumps({"type": "hello", "pass": token}))
        await asyncio.sleep(0.2)
        await chair(b, seeded, seeded.ballot_ids[0], "open")  # pushed to b's kiosks meanwhile
        first = json.loads(await asyncio.wait_for(newer.recv(), 10))
        assert first["type"] == "welcome", first
        assert first["ballot"]["id"] == seeded.ballot_ids[0]
        await newer.close()
    finally:
        a.process.send_signal(signal.SIGCONT)
    await older.close()
