"""Slow, idle and too many clients, stopped in uvicorn's protocol layer (README "Hostile input").

uvicorn closes an idle keep-alive connection (`timeout_keep_alive`) but waits for ever for a
request's headers and body: a client that connects and sends nothing, or a header line a byte a
second, holds a file descriptor as long as it likes, and a few thousand of them lock the
handhelds out. `GuardedHttpToolsProtocol` is uvicorn's own httptools protocol with three
additions, per connection:

- a slot per client address (`AddressCount`), taken when the connection is made and given back
  when it ends, WebSocket lifetime included; over the cap the connection is answered 429 once
  its request's headers are in (a second at most) and closed, the app never seeing it. A trusted proxy's address is not counted (it carries the whole
  hall; the app's `ConnectionLimit` counts the addresses it forwards).
- a header deadline: the request line and headers must be complete within `header_timeout`
  seconds of the connection (and, on a keep-alive connection, of the next request's first byte);
- a body deadline: the body must be complete within `body_timeout` seconds of the headers.

A WebSocket upgrade cancels both deadlines: a kiosk's socket lives for hours (the kiosk's own
hello timeout and pings watch it from there).

uvicorn builds the protocol from its Config, which `--workers N` hands to each worker process:
the class is importable by name, and each process reads its limits once, from the settings that
`configure` was given or else from the environment (the workers inherit it).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from server.config import Settings, get_settings
from server.limits.connections import REASON, RETRY_AFTER, TOO_MANY_BODY, AddressCount, networks

log = logging.getLogger(__name__)
REFUSED_LINGER = 1.0  # seconds a refused connection has to send its request's headers
REFUSED_READ = 16384  # bytes of it read at most

TOO_MANY = (
    b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(TOO_MANY_BODY)).encode()
    + b"\r\nretry-after: "
    + RETRY_AFTER
    + b"\r\nconnection: close\r\n\r\n"
    + TOO_MANY_BODY
)


@dataclass(slots=True)
class Guard:
    """One process's limits and its count of open connections per address."""

    header_timeout: float
    body_timeout: float
    count: AddressCount

    @classmethod
    def from_settings(cls, settings: Settings) -> Guard:
        exempt = networks(settings.connection_limit_exempt) + networks(settings.trusted_proxies)
        return cls(
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            count=AddressCount(settings.max_connections_per_address, exempt),
        )


_guard: Guard | None = None


def configure(settings: Settings) -> Guard:
    """Use these settings in this process (a worker process reads its own from the environment)."""
    global _guard
    _guard = Guard.from_settings(settings)
    return _guard


def current() -> Guard:
    return _guard if _guard is not None else configure(get_settings())


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a per-address slot and header and body deadlines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard = current()
        self.slot: str | None = None  # the address whose slot this connection holds
        self.holds_slot = False
        self.deadline: asyncio.TimerHandle | None = None
        self.refused: bytearray | None = None  # what a refused connection sent so far

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else None
        if not self.guard.count.take(address):
            # Answered 429 once its request's headers are in (a client reads an answer after its
            # request; closing with the request unread would reset the connection), or after
            # a second at most; closed then. Nothing of it reaches the app.
            log.debug("%s: %s; closed", address, REASON)
            self.refused = bytearray()
            self.arm(min(REFUSED_LINGER, self.guard.header_timeout))
            return
        self.slot, self.holds_slot = address, True
        self.arm(self.guard.header_timeout)

    def data_received(self, data: bytes) -> None:
        if self.refused is None:
            super().data_received(data)
            return
        self.refused += data
        if b"\r\n\r\n" in self.refused or len(self.refused) > REFUSED_READ:
            self.answer_refused()

    def answer_refused(self) -> None:
        self.disarm()
        if not self.transport.is_closing():
            self.transport.write(TOO_MANY)
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        self.release()
        super().connection_lost(exc)

    def release(self) -> None:
        if self.holds_slot:
            self.holds_slot = False
            self.guard.count.give(self.slot)

    # The deadlines

    def arm(self, seconds: float) -> None:
        self.disarm()
        self.deadline = self.loop.call_later(seconds, self.expired)

    def disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def expired(self) -> None:
        self.deadline = None
        if self.refused is not None:
            self.answer_refused()
            return
        if not self.transport.is_closing():
            log.debug("%s: the request did not arrive in time; closed", self.slot)
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.deadline is None:  # the first request's deadline runs from the connection
            self.arm(self.guard.header_timeout)

    def on_headers_complete(self) -> None:
        self.disarm()
        super().on_headers_complete()
        if not (self.parser.should_upgrade() and self._should_upgrade()):
            self.arm(self.guard.body_timeout)

    def on_message_complete(self) -> None:
        self.disarm()
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self.disarm()
        super().handle_websocket_upgrade()
        # The WebSocket protocol owns the transport from here, and its end gives the slot back.
        if self.holds_slot:
            socket_protocol = self.transport.get_protocol()
            lost = socket_protocol.connection_lost
            self.holds_slot = False
            slot, count = self.slot, self.guard.count

            def connection_lost(exc: Exception | None) -> None:
                count.give(slot)
                lost(exc)

            socket_protocol.connection_lost = connection_lost  # type: ignore[method-assign]
        # Done with the connection. Its parser refers back to it: without the parser it is freed
        # now, not at the collector's next full pass (10,000 kiosks connecting: issue 16).
        self.parser = None  # type: ignore[assignment]
