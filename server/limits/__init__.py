"""Limits against hostile input (SPEC 5 "Bad input"): request body size and connections per
client address in the app; slow and idle clients, and connections per address on the socket, in
uvicorn's protocol layer (`server.limits.transport`, which `votehall serve` passes to uvicorn).
The kiosk socket's own limits (frame size, message rate) are in `server.live.kiosk_ws`; README
"Hostile input" lists them all with their settings."""

from __future__ import annotations

from fastapi import FastAPI

from server.config import Settings
from server.limits.body import BodyLimit
from server.limits.connections import AddressCount, ConnectionLimit, networks
from server.limits.logs import install as quiet_client_faults

# Routes that take a whole file: a member register, the secretaries' addresses, a meeting archive.
IMPORT_PATHS = ("/api/members/import", "/api/members/emails", "/api/meetings/import")


def install(app: FastAPI, settings: Settings) -> None:
    """Put the limits in front of every route (outermost, before anything reads the request)."""
    quiet_client_faults()
    count = AddressCount(settings.max_connections_per_address, networks(settings.connection_limit_exempt))
    app.state.connections = count
    app.add_middleware(ConnectionLimit, count=count)
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        limits=dict.fromkeys(IMPORT_PATHS, settings.max_import_bytes),
    )
