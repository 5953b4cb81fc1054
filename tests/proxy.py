"""A TCP proxy a test can cut: every open connection dropped at once (as a network failure or a
dead load balancer does), then new ones refused for as long as the test likes, then let through
again on the same port. It can also hold back what the server sends (`hold`), so that a cut
loses answers the server has already given: votes stored whose acks never arrive."""

from __future__ import annotations

import asyncio
import contextlib


class Proxy:
    """Forwards 127.0.0.1:`port` to `host`:`target_port`, byte for byte, both ways."""

    def __init__(self, host: str, target_port: int) -> None:
        self.target = (host, target_port)
        self.port = 0
        self.accepted = 0  # connections taken, over the proxy's life: reconnects show here
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._downstream = asyncio.Event()
        self._downstream.set()

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen (again, on the same port after a cut)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]

    def hold(self) -> None:
        """Stop passing on what the server sends (it stays in the proxy until `release`)."""
        self._downstream.clear()

    def release(self) -> None:
        self._downstream.set()

    async def cut(self) -> int:
        """Stop listening (new connections are refused) and drop every open connection, both
        sides, without a closing handshake; answer how many connections were dropped."""
        if self._server is not None:
            self._server.close()
        dropped = len(self._writers) // 2
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()  # held data goes nowhere
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
        return dropped

    async def close(self) -> None:
        await self.cut()
        self.release()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        except BaseException:
            # Cancelled while connecting (the test ends, the loop shuts down): the accepted
            # socket is not in `_writers` yet, so no cut closes it; left open, it is collected
            # unclosed and pytest fails the test on the ResourceWarning (seen once in CI).
            writer.transport.abort()
            raise
        pair = {writer, up_writer}
        pipes = {
            asyncio.create_task(_pipe(reader, up_writer)),
            asyncio.create_task(_pipe(up_reader, writer, self._downstream)),
        }
        self._writers |= pair
        self._tasks |= pipes
        try:
            await asyncio.gather(*pipes, return_exceptions=True)  # cancelled by a cut
        finally:
            self._writers -= pair
            self._tasks -= pipes


async def _pipe(
    source: asyncio.StreamReader, sink: asyncio.StreamWriter, flowing: asyncio.Event | None = None
) -> None:
    try:
        while data := await source.read(65536):
            if flowing is not None:
                await flowing.wait()
            sink.write(data)
            await sink.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        sink.close()
