"""Slow and idle clients for `votehall loadtest --slow-clients N` (bench/slow_clients.py).

Holds N connections open against a server, from a source address of its own (127.0.0.2 by
default: loopback on Linux, and not the load client's exempt 127.0.0.1): half of them say nothing,
half dribble a request header a byte a second. Whenever the server closes one, it opens another,
as an attacker would, so that N are open (or being opened) for the whole run. On SIGTERM it
prints what it saw as one JSON line: connections opened, closed by the server, refused with 429.

    python -m server.loadtest.slow --port 8000 --connections 1000 [--source 127.0.0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from dataclasses import asdict, dataclass

import orjson

from server.loadtest.pool import event_loop_runner, raise_open_files_limit

HEADER = b"GET /api/feed HTTP/1.1\r\nHost: votehall\r\nUser-Agent: slow\r\nX-Padding: " + b"p" * 4000


@dataclass(slots=True)
class Seen:
    opened: int = 0
    closed_by_server: int = 0
    refused: int = 0  # answered 429: over the cap of connections per address
    failed_to_connect: int = 0


async def slow_client(host: str, port: int, source: str, dribble: bool, seen: Seen) -> None:
    while True:
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
        except OSError:
            seen.failed_to_connect += 1
            await asyncio.sleep(0.5)
            continue
        seen.opened += 1
        try:
            if dribble:
                for byte in HEADER:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    answer = await _read_for(reader, 1.0)
                    if answer is not None:
                        break
            else:
                answer = await reader.read(65536)
            if answer:
                seen.refused += answer.startswith(b"HTTP/1.1 429")
            seen.closed_by_server += 1
        except OSError:
            seen.closed_by_server += 1
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _read_for(reader: asyncio.StreamReader, seconds: float) -> bytes | None:
    """What the server sent within `seconds` (b"" when it closed), or None when it sent nothing."""
    try:
        return await asyncio.wait_for(reader.read(65536), seconds)
    except TimeoutError:
        return None


async def hold(host: str, port: int, source: str, connections: int) -> Seen:
    seen = Seen()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = [
        asyncio.create_task(slow_client(host, port, source, dribble=n % 2 == 1, seen=seen))
        for n in range(connections)
    ]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--source", default="127.0.0.2", help="the address to connect from")
    arguments = parser.parse_args()
    raise_open_files_limit()
    seen = event_loop_runner(
        lambda: hold(arguments.host, arguments.port, arguments.source, arguments.connections)
    )
    sys.stdout.write(orjson.dumps(asdict(seen)).decode() + "\n")


if __name__ == "__main__":
    main()
