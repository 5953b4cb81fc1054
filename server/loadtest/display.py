"""The hall screen's view (`/ws/display`, SPEC 4.3) and the chair's hand (the HTTP lifecycle).

The display subscriber stamps every snapshot as it arrives, so the run can say when the hall
first saw the final tally: the first snapshot whose count of voters and weighted tally equal the
kiosks' own ledger. That moment minus the last ack is the "last vote to display" figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from server.loadtest.kiosks import backoff
from server.loadtest.stats import CHOICES


@dataclass(frozen=True, slots=True)
class Seen:
    at: float
    version: int
    ballot: dict[str, Any] | None


def shows(ballot: dict[str, Any] | None, ballot_id: int, voters: int, tally: dict[str, int]) -> bool:
    """True when the feed's ballot is `ballot_id` with `voters` voters and exactly `tally`."""
    if ballot is None or ballot.get("id") != ballot_id:
        return False
    voted, shown = ballot.get("voted") or {}, ballot.get("tally") or {}
    return voted.get("members") == voters and all(shown.get(c) == tally[c] for c in CHOICES)


class DisplayWatcher:
    """One `/ws/display` subscriber that keeps every snapshot's arrival time."""

    def __init__(self, base_ws: str) -> None:
        self.base = base_ws.rstrip("/")
        self.url = self.base + "/ws/display"
        self.seen: list[Seen] = []
        self.reconnects = 0
        self._changed = asyncio.Event()
        self._connection: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._jitter = random.Random()

    async def _connect(self) -> ClientConnection:
        return await connect(self.url, proxy=None, compression=None, max_size=None, open_timeout=30)

    async def start(self) -> None:
        self._connection = await self._connect()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        """Read snapshots; when the server drops this screen (for being slow, 1013, or for a
        restart, 1012) or is away, reconnect like a hall screen does, with a jittered backoff:
        the first snapshot after it is the latest."""
        while True:
            assert self._connection is not None
            with contextlib.suppress(ConnectionClosed, OSError):
                async for frame in self._connection:
                    now = time.monotonic()
                    snapshot = orjson.loads(frame)
                    self.seen.append(Seen(now, int(snapshot["version"]), snapshot.get("ballot")))
                    self._changed.set()
            if self._stopping:
                return
            self._connection = await self._reconnect()
            self.reconnects += 1

    async def _reconnect(self) -> ClientConnection:
        attempt = 0
        while True:
            await asyncio.sleep(backoff(attempt, self._jitter))
            try:
                return await self._connect()
            except (OSError, InvalidHandshake, TimeoutError):
                attempt += 1

    async def first(self, ballot_id: int, voters: int, tally: dict[str, int], wait: float) -> Seen | None:
        """The first snapshot showing this result, waiting up to `wait` s for it to come."""
        checked = 0
        deadline = time.monotonic() + wait
        while True:
            for seen in self.seen[checked:]:
                if shows(seen.ballot, ballot_id, voters, tally):
                    return seen
            checked = len(self.seen)
            self._changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._task is None or self._task.done():
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def stop(self) -> None:
        self._stopping = True
        if self._connection is not None:
            await self._connection.close()
        if self._task is not None:
            if not self._task.done():
                self._task.cancel()  # it may be between two reconnect attempts
            await asyncio.gather(self._task, return_exceptions=True)


class Chair:
    """Opens and closes ballots through the HTTP API with the chair's token."""

    def __init__(self, base: str, token: str) -> None:
        self._client = httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=60
        )

    async def action(self, ballot_id: int, action: str) -> dict[str, Any]:
        response = await self._client.post(f"/api/ballots/{ballot_id}/{action}")
        if response.status_code != 200:
            raise RuntimeError(f"{action} ballot {ballot_id}: {response.status_code} {response.text}")
        answer: dict[str, Any] = response.json()
        return answer

    async def aclose(self) -> None:
        await self._client.aclose()


class EchoChair:
    """The echo server's stand-in for the chair: a control socket that triggers the pushes."""

    def __init__(self, base_ws: str) -> None:
        self.url = base_ws.rstrip("/") + "/ws/control"
        self._connection: ClientConnection | None = None

    async def action(self, ballot_id: int, action: str) -> dict[str, Any]:
        if self._connection is None:
            self._connection = await connect(self.url, proxy=None, compression=None)
        await self._connection.send(orjson.dumps({"type": action, "ballot": ballot_id}), text=True)
        answer: dict[str, Any] = orjson.loads(await self._connection.recv(decode=False))
        return answer

    async def aclose(self) -> None:
        if self._connection is not None:
            await self._connection.close()
