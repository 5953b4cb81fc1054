"""At most N live connections per client address on the long-lived routes.

A kiosk, a hall display, the chair's screen and a stream's event feed each hold a connection
for hours; nobody else needs hundreds from one address. The count is per server process and
covers `/ws/kiosk`, `/ws/display`, `/ws/chair` and `/api/feed/stream` together. Addresses in
the exempt networks are not counted: by default the loopback, where `votehall loadtest` opens
ten thousand kiosks from one address. Behind a reverse proxy, uvicorn takes the client address
from X-Forwarded-For (trusted from 127.0.0.1 only, its default), so the limit still applies per
real client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

LIVE_PATHS = frozenset({"/ws/kiosk", "/ws/display", "/ws/chair", "/api/feed/stream"})
CLOSE_TOO_MANY = 4429  # the WebSocket twin of HTTP 429
REASON = "too many connections from your address"


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

    @contextmanager
    def hold(self, address: str | None) -> Iterator[bool]:
        """True, holding a slot while inside, or False when the address has used up its slots."""
        if not self.counted(address):
            yield True
            return
        assert address is not None
        if self.open[address] >= self.limit:
            yield False
            return
        self.open[address] += 1
        try:
            yield True
        finally:
            self.open[address] -= 1
            if self.open[address] <= 0:
                del self.open[address]


class ConnectionLimit:
    """Pure ASGI middleware around the live routes: a connection over the limit is accepted and
    closed at once with 4429 and a reason (a WebSocket), or answered 429 (the event stream), so
    the client knows to back off rather than guess at a network fault."""

    def __init__(self, app: ASGIApp, count: AddressCount) -> None:
        self.app = app
        self.count = count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] not in LIVE_PATHS:
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
        body = orjson.dumps({"error": "too_many_connections", "detail": REASON})
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", b"10"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
