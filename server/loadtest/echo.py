"""A bare kiosk server with no database: the floor the real server is measured against.

It speaks the kiosk protocol of SPEC 4.2 just far enough for the load client: hello -> welcome,
a ballot push when the control socket says so, and vote -> ack at once. It runs on the same
stack as `votehall serve` (the `websockets` protocol on uvloop, JSON through orjson), so
"durable votes/s / echo acks/s" isolates what validation, the group commit and the fan-out cost.

Run as `python -m server.loadtest.echo --port P`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from server.loadtest.pool import event_loop_runner, raise_open_files_limit

WELCOME = orjson.dumps(
    {
        "type": "welcome",
        "member": {"code": "ECHO", "name": "Echo", "weight": 1},
        "ballot": None,
        "vote": None,
    }
)
RECEIPT = "0" * 64
MAX_FRAME = 4096


def ballot_push(ballot_id: int, status: str) -> bytes:
    ballot = {
        "id": ballot_id,
        "agenda": "1",
        "title": "Echo",
        "kind": "voorstel",
        "status": status,
        "majority": "simple",
        "preadvies": None,
        "allow_change": True,
        "test": False,
    }
    return orjson.dumps({"type": "ballot", "ballot": ballot})


class EchoHall:
    def __init__(self) -> None:
        self.kiosks: set[ServerConnection] = set()
        self.acks = 0

    async def handle(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request is not None else ""
        try:
            if path == "/ws/kiosk":
                await self._kiosk(connection)
            elif path == "/ws/control":
                await self._control(connection)
        except ConnectionClosed:
            pass
        finally:
            self.kiosks.discard(connection)

    async def _kiosk(self, connection: ServerConnection) -> None:
        hello: dict[str, Any] = orjson.loads(await connection.recv(decode=False))
        if hello.get("type") != "hello":
            await connection.close(4401, "say hello first")
            return
        await connection.send(WELCOME, text=True)
        self.kiosks.add(connection)
        async for frame in connection:
            message: dict[str, Any] = orjson.loads(frame)
            ack = {
                "type": "ack",
                "vote_id": message.get("vote_id"),
                "ballot": message.get("ballot"),
                "choice": message.get("choice"),
                "receipt": RECEIPT,
            }
            await connection.send(orjson.dumps(ack), text=True)
            self.acks += 1

    async def _control(self, connection: ServerConnection) -> None:
        async for frame in connection:
            command: dict[str, Any] = orjson.loads(frame)
            status = "open" if command.get("type") == "open" else "closed"
            broadcast(self.kiosks, ballot_push(int(command["ballot"]), status), text=True)
            await connection.send(orjson.dumps({"status": status, "acks": self.acks}), text=True)


async def run(host: str, port: int) -> None:
    hall = EchoHall()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with serve(hall.handle, host, port, max_size=MAX_FRAME, ping_interval=20, backlog=4096):
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="bare kiosk ack server for `votehall loadtest`")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    raise_open_files_limit()
    event_loop_runner(lambda: run(arguments.host, arguments.port))


if __name__ == "__main__":
    main()
