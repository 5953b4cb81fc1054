"""At most N open connections per client address, on every route.

Two places count, with the one setting (`VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS`, per process):

- the socket (`server.limits.transport`): every TCP connection of a client that connects
  directly, whatever it asks for or whether it asks anything at all; over the limit answered 429
  and closed without reaching the app. A trusted proxy's own address is not counted there: it carries the whole hall.
- this middleware (and, for `/ws/kiosk`, which is answered ahead of the middleware, the kiosk
  socket itself: `server.live.kiosk_ws.kiosk_socket`, with the same count): every request and
  WebSocket in progress per client address as the app sees
  it, which behind a trusted proxy is the address the proxy forwarded (uvicorn believes
  X-Forwarded-For from `VOTEHALL_TRUSTED_PROXIES` only). For a direct client the socket's count
  is reached first; behind the proxy this is the per-client limit.

Addresses in the exempt networks (`VOTEHALL_CONNECTION_LIMIT_EXEMPT`, none by default) are
counted nowhere: `votehall loadtest` exempts the loopback of the servers it starts, where it
opens ten thousand kiosks from one address.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

CLOSE_TOO_MANY = 4429  # the WebSocket twin of HTTP 429
REASON = "too many connections from your address"
TOO_MANY_BODY = orjson.dumps({"error": "too_many_connections", "detail": REASON})
RETRY_AFTER = b"10"


def networks(spec: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """`"127.0.0.0/8, ::1"` as networks; an empty string exempts nobody."""
    return tuple(ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


class AddressCount:
    """Open connections per address, with a ceiling (0: no ceiling)."""

    def __init__(self, limit: int, exempt: Iterable[IPv4Network | IPv6Network] = ()) -> None:
        self.limit = limit
        self.exempt = tuple(exempt)
        self.open: Counter[str] = Counter()

    def counted(self, address: str | None) -> bool:
        if self.limit <= 0 or address is None:
            return False
        try:
            ip = ip_address(address)
        except ValueError:
            return True  # not an IP address (a test client's name): counted like one
        if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return not any(ip in network for network in self.exempt)

    def take(self, address: str | None) -> bool:
        """Take a slot: False when the address has used up its slots (nothing is taken then)."""
        if not self.counted(address):
            return True
        assert address is not None
        if self.open[address] >= self.limit:
            return False
        self.open[address] += 1
        return True

    def give(self, address: str | None) -> None:
        """Give back a slot that `take` granted."""
        if not self.counted(address):
            return
        assert address is not None
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]

    @contextmanager
    def hold(self, address: str | None) -> Iterator[bool]:
        """True, holding a slot while inside, or False when the address has used up its slots."""
        if not self.take(address):
            yield False
            return
        try:
            yield True
        finally:
            self.give(address)


class ConnectionLimit:
    """Pure ASGI middleware around every route: a WebSocket over the limit is accepted and closed
    at once with 4429 and a reason, a request is answered 429, so the client knows to back off
    rather than guess at a network fault."""

    def __init__(self, app: ASGIApp, count: AddressCount) -> None:
        self.app = app
        self.count = count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        with self.count.hold(client[0] if client else None) as admitted:
            if admitted:
                await self.app(scope, receive, send)
                return
        if scope["type"] == "websocket":
            if (await receive())["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_TOO_MANY, "reason": REASON})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(TOO_MANY_BODY)).encode()),
                    (b"retry-after", RETRY_AFTER),
                ],
            }
        )
        await send({"type": "http.response.body", "body": TOO_MANY_BODY})
