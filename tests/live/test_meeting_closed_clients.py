"""Every client of the kiosk protocol stops when the chair closes the meeting (SPEC 2.11, 4.2 item
7): the server says `meeting_closed` and closes with 4410, to a connected kiosk and to a hello
that comes later; the example client of docs/PROTOCOL.md, the load-test kiosks and the simulated
hall of `votehall demo --simulate` stop there, as on 4403, instead of reconnecting. Each against a
real server whose meeting is closed."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server.auth.roles import Role
from server.loadtest.kiosks import KioskSlice, explain, spread
from server.loadtest.runner import DriveOptions, drive
from server.loadtest.spawn import Hall as LoadHall
from server.loadtest.stats import BurstPlan
from server.simulate import Pace, SimulatedKiosk, simulate_hall
from tests.live.conftest import Hall

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "kiosk_client.py"
WAIT = 20.0  # generous; nothing here asserts how long anything takes
CLOSED_SAYS = "closed 4410: the meeting is closed; there is nothing more to vote on"


async def close_meeting(hall: Hall) -> None:
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        answer = await client.post(
            f"/api/meetings/{hall.seeded.meeting_id}/close", json={"confirm": True}, headers=hall.chair()
        )
    assert answer.status_code == 200, answer.text


async def frames_until_closed(connection: ClientConnection) -> tuple[list[dict[str, Any]], int | None]:
    """The frames a kiosk receives until the server closes the connection, and the close code."""
    frames = []
    try:
        while True:
            frames.append(json.loads(await asyncio.wait_for(connection.recv(), WAIT)))
    except ConnectionClosed as closed:
        return frames, closed.rcvd.code if closed.rcvd else None


async def test_the_server_says_meeting_closed_then_4410_now_and_to_a_later_hello(hall: Hall) -> None:
    kiosk, _ = await hall.kiosk("GM0001")
    await close_meeting(hall)
    assert await frames_until_closed(kiosk) == ([{"type": "meeting_closed"}], 4410)

    later = await websockets.connect(f"{hall.server.ws}/ws/kiosk")
    await later.send(json.dumps({"type": "hello", "pass": hall.seeded.passes["GM0002"]}))
    assert await frames_until_closed(later) == ([{"type": "meeting_closed"}], 4410)


# The example client of docs/PROTOCOL.md


async def test_the_example_client_waiting_for_a_ballot_stops_when_the_meeting_closes(hall: Hall) -> None:
    client = await asyncio.create_subprocess_exec(
        sys.executable,
        "-u",
        str(EXAMPLE),
        hall.server.base,
        hall.seeded.passes["GM0003"],
        "for",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert client.stdout is not None
        first = await asyncio.wait_for(client.stdout.readline(), WAIT)
        assert first.decode().startswith("welcome: Kleindorp"), first  # no ballot open: it waits
        await close_meeting(hall)
        rest = (await asyncio.wait_for(client.stdout.read(), WAIT)).decode()
        assert await asyncio.wait_for(client.wait(), WAIT) == 1, rest
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()
    assert rest.splitlines() == [CLOSED_SAYS]  # said once, no reconnect in between


async def test_the_example_client_started_after_the_close_stops_at_once(hall: Hall) -> None:
    await close_meeting(hall)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(EXAMPLE), hall.server.base, hall.seeded.passes["GM0004"], "tegen"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [CLOSED_SAYS]


# The load-test tool


async def test_loadtest_kiosks_stop_on_4410_and_the_report_says_why(hall: Hall) -> None:
    passes = sorted(hall.seeded.passes.items())
    kiosks = KioskSlice(spread([hall.server.ws], passes), reconnect_base=0.01, reconnect_cap=0.1)
    try:
        assert (await kiosks.connect()).connected == 4
        # Waiting for a ballot to open when the meeting closes instead: every kiosk stops.
        burst = asyncio.create_task(kiosks.burst(BurstPlan(hall.seeded.ballot_ids[0], timeout=WAIT)))
        await asyncio.sleep(0)  # each kiosk is now waiting for the push
        await close_meeting(hall)
        result = await asyncio.wait_for(burst, WAIT + 10)
    finally:
        await kiosks.close()
    assert dict(result.errors) == {"closed 4410": 4}  # not "timeout": no kiosk kept trying
    assert (result.acked, result.reconnects, result.reconnect_failures) == (0, 0, 0)
    assert explain("closed 4410") == "closed 4410 (the meeting is closed)"
    assert explain("closed 4403") == "closed 4403 (pass revoked, checked out or replaced)"
    assert explain("closed 1012") == "closed 1012" and explain("timeout") == "timeout"

    # A run started after the close: no kiosk connects, the report says why, and no burst is tried.
    later = LoadHall(hall.server.base, hall.seeded.tokens[Role.CHAIR], passes, hall.seeded.ballot_ids)
    report = await drive("votehall", later, DriveOptions(timeout=WAIT), None)
    assert dict(report.connect.failed) == {"closed 4410": 4}
    assert report.problems == ["4 kiosks could not connect: closed 4410 (the meeting is closed) x4"]
    assert report.bursts == [] and not report.passed


# The simulated hall of `votehall demo --simulate`


class Recorder:
    """What the demo's terminal would show (server.simulate.Observer), as a list; `on_closed`
    runs when a ballot's result comes in."""

    def __init__(self, on_closed: Any = None) -> None:
        self.seen: list[tuple[str, Any]] = []
        self.on_closed = on_closed

    def connecting(self, connected: int, total: int) -> None:
        self.seen.append(("connecting", (connected, total)))

    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None:
        self.seen.append(("opened", ballot["id"]))

    def acked(self, ballot_id: int) -> None:
        pass

    def closed(self, ballot: dict[str, Any]) -> None:
        self.seen.append(("closed", ballot["id"]))
        if self.on_closed is not None:
            self.on_closed()

    def done(self) -> None:
        self.seen.append(("done", None))

    def meeting_closed(self) -> None:
        self.seen.append(("meeting_closed", None))


async def test_simulated_handhelds_hear_the_meeting_close_and_stop(hall: Hall) -> None:
    heard = asyncio.Event()
    kiosks = [
        SimulatedKiosk(hall.server.ws, token, random.Random(1), meeting_closed=heard)
        for token in hall.seeded.passes.values()
    ]
    await asyncio.gather(*(kiosk.connect() for kiosk in kiosks))
    assert not heard.is_set()
    await close_meeting(hall)
    await asyncio.wait_for(heard.wait(), WAIT)
    for kiosk in kiosks:  # each reader ends with the close; none reconnects
        assert kiosk._reader is not None
        await asyncio.wait_for(kiosk._reader, WAIT)
        assert kiosk.connection is None

    # A handheld that says hello after the close hears it at once.
    late = SimulatedKiosk(hall.server.ws, hall.seeded.passes["GM0001"], random.Random(2))
    await late.connect()
    assert late.meeting_closed.is_set()


async def test_the_simulated_hall_stops_when_the_meeting_closes_during_the_play(hall: Hall) -> None:
    def close_now() -> None:  # the chair at /chair, right after the first result
        answer = httpx.post(
            f"{hall.server.base}/api/meetings/{hall.seeded.meeting_id}/close",
            json={"confirm": True},
            headers=hall.chair(),
        )
        assert answer.status_code == 200, answer.text

    recorder = Recorder(on_closed=close_now)
    await simulate_hall(
        hall.server.base,
        hall.seeded.tokens[Role.CHAIR],
        hall.seeded.meeting_id,
        hall.seeded.passes,
        Pace(voting=1.0, result=WAIT, between=0.0),
        observer=recorder,
    )
    first = hall.seeded.ballot_ids[0]
    played = [entry for entry in recorder.seen if entry[0] != "connecting"]
    assert played == [("opened", first), ("closed", first), ("meeting_closed", None)]
    # The others were never opened: the motion is recorded as not decided, the test ballot stays a draft.
    motion, test = hall.seeded.ballot_ids[1:]
    assert [(await hall.ballot(b))["status"] for b in (motion, test)] == ["not_decided", "draft"]


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
async def test_the_simulated_hall_of_a_closed_meeting_plays_nothing(hall: Hall) -> None:
    await close_meeting(hall)
    recorder = Recorder()
    await simulate_hall(
        hall.server.base,
        hall.seeded.tokens[Role.CHAIR],
        hall.seeded.meeting_id,
        hall.seeded.passes,
        Pace(voting=1.0, result=0.1, between=0.0),
        observer=recorder,
    )
    assert recorder.seen[-1] == ("meeting_closed", None)
    assert [kind for kind, _ in recorder.seen] == ["connecting", "connecting", "meeting_closed"]
