"""uvicorn's WebSocket protocol (`websockets-sansio`), holding less for each open socket.

Ten thousand kiosk sockets stay open all day in one process. uvicorn's protocol keeps, for each,
what it needed only for the handshake (the request and the response with their headers: about
3.5 KB), an `asyncio.Queue` for the frames in (three deques, about 2.3 KB, where one reader takes
at most a few frames) and an `asyncio.Event` for the write buffer (a deque, 0.75 KB). This
subclass lets go of the handshake once the socket is accepted and uses an inbox and a flag of a
few dozen bytes with the same behaviour (issue 16: the server's memory at 10,000 kiosks; see
bench/README.md). Everything else is uvicorn's, on the version the lock pins; the whole
WebSocket test suite runs on it (`votehall serve` passes it to uvicorn as `ws`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.http11 import Request

# The scope extension under which a socket offers `send_text_nowait` (ASGI lets a server offer
# its own extensions there; an app that does not know it uses the ASGI send as ever).
SEND_TEXT_NOWAIT = "votehall.send_text_nowait"
# Frames in waiting for the app before the socket's reading pauses, and when it resumes. A
# kiosk's rate limit and frame size bound what one socket can make the server read meanwhile.
INBOX_HIGH = 16
INBOX_LOW = 4


class Inbox:
    """The part of `asyncio.Queue` uvicorn uses (`put_nowait`, `get`, `empty`), unbounded like
    uvicorn's, as a list and the futures of whoever waits (in practice one reader)."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiters: list[asyncio.Future[None]] = []

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
                break

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    async def get(self) -> Any:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                # Woken and cancelled at once: pass the wake-up on, as asyncio.Queue does.
                if waiter.done() and not waiter.cancelled() and self._items:
                    self._wake_next(waiter)
                raise
            finally:
                self._waiters.remove(waiter)
        return self._items.pop(0)

    def _wake_next(self, woken: asyncio.Future[None]) -> None:
        for waiter in self._waiters:
            if waiter is not woken and not waiter.done():
                waiter.set_result(None)
                return


class Flag:
    """The part of `asyncio.Event` uvicorn uses for "the transport may be written to"; the future
    exists only while someone waits (the write buffer full), so an idle socket holds none."""

    __slots__ = ("_set", "_waiter")

    def __init__(self, *, is_set: bool) -> None:
        self._set = is_set
        self._waiter: asyncio.Future[None] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        if self._waiter is not None:
            if not self._waiter.done():
                self._waiter.set_result(None)
            self._waiter = None

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        if self._waiter is None or self._waiter.done():
            self._waiter = asyncio.get_running_loop().create_future()
        # shield: one waiter's cancellation must not cancel the future the others wait on
        await asyncio.shield(self._waiter)
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's protocol with three changes for many long-lived sockets:

    - the handshake's request and response are let go of once accepted, and the inbox and the
      write flag are `Inbox` and `Flag`;
    - reading pauses when INBOX_HIGH frames wait for the app, not after every frame: uvicorn
      stops and restarts the socket's reading (two epoll calls) for each frame in;
    - `send_text_nowait` (offered in the scope as SEND_TEXT_NOWAIT) sends a text frame at once
      when the socket can take it, without an ASGI message or a coroutine: an ack goes out from
      the writer's callback, not from a task per ack (bench/README.md, issue 16).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag(is_set=True)  # type: ignore[assignment]

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if self.handshake_initiated and not self.close_sent:  # the scope is made (not refused)
            self.scope["extensions"][SEND_TEXT_NOWAIT] = self.send_text_nowait  # type: ignore[assignment]

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # The handshake's request and response (with both header sets) served their turn.
            self.request = self.response = None  # type: ignore[assignment]
        elif message["type"] == "websocket.close" and self.close_timer is not None:
            # uvicorn's close timer closes the transport, which waits to flush the write buffer:
            # a peer that reads nothing would hold the socket for good. It had close_timeout.
            self.close_timer.cancel()
            self.close_timer = self.loop.call_later(self.close_timeout, self.transport.abort)

    def send_text_nowait(self, text: str) -> bool:
        """Send a text frame now if the socket is open and its write buffer has room; False
        (nothing sent) otherwise, and the caller awaits the ASGI send, which waits or fails."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.disconnected
            or self.initial_response is not None
            or not self.writable.is_set()
        ):
            return False
        try:
            self.conn.send_text(text.encode())
        except InvalidState:
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True

    def send_receive_event_to_app(self) -> None:
        # uvicorn's, pausing only when the app has fallen INBOX_HIGH frames behind.
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # past the close: dropped, as uvicorn does
        if self.curr_msg_data_type == "text":
            try:
                self.queue.put_nowait({"type": "websocket.receive", "text": data.decode()})
            except UnicodeDecodeError:
                self.logger.exception("Invalid UTF-8 sequence received from client.")
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        else:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": data})
        if not self.read_paused and self.queue.qsize() >= INBOX_HIGH:
            self.read_paused = True
            self.transport.pause_reading()

    async def receive(self) -> Any:
        message = await self.queue.get()
        if self.read_paused and self.queue.qsize() <= INBOX_LOW and self.writable.is_set():
            self.read_paused = False
            self.transport.resume_reading()
        return message

    # A peer that does not read what it is sent gets nothing more read. Each ping it sends is
    # answered with a pong written past the write buffer's limit (uvicorn's handle_ping), and
    # each frame with an error or an ack: reading on would buffer without bound, before any
    # hello (review of issue 16, tests/hostile/test_unread_socket.py).

    def pause_writing(self) -> None:
        super().pause_writing()
        # Also past our close: the peer's pings would be answered until the close timer.
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.read_paused and self.queue.qsize() <= INBOX_LOW:
            self.read_paused = False
            self.transport.resume_reading()

    def keepalive_timeout(self) -> None:
        # uvicorn closes the transport, which first flushes the write buffer: to a peer that
        # reads nothing, never, and the socket, its address's slot and its handler stay for good.
        # A peer that has not answered a ping in ping_timeout seconds is dropped at once.
        super().keepalive_timeout()
        if self.transport.get_write_buffer_size():
            self.transport.abort()
