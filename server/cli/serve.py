"""`votehall migrate` and `votehall serve`, and the server run they share with `votehall demo`.

The root app (server/cli/__init__.py) registers the commands.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from sqlalchemy import make_url

from server.app import create_app
from server.cli.common import DatabaseOption, load_settings
from server.config import Settings
from server.limits import transport
from server.limits.connections import networks
from server.live.kiosk_ws import MAX_FRAME
from server.live.ws_protocol import LeanWebSocketProtocol
from server.migrate import at_head, upgrade
from server.ops import serving
from server.ops.logs import log_config
from server.secret.hardening import forbid_core_dumps


def migrate(database_url: DatabaseOption = None) -> None:
    """Create or upgrade the database schema."""
    settings = load_settings(database_url)
    upgrade(settings.database_url)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)  # no secret on a screen
    typer.echo(f"schema up to date: {shown}")


def serve(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="address to listen on (VOTEHALL_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (VOTEHALL_PORT)")] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="server processes; more than one needs PostgreSQL and VOTEHALL_REDIS_URL"),
    ] = 1,
) -> None:
    """Apply the migrations and serve the API and the pages."""
    forbid_core_dumps()  # the process will hold the private keys of open secret ballots
    settings = load_settings(database_url, host=host, port=port)
    if workers > 1:
        problem = several_processes_problem(settings)
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2)
    taken = port_taken(settings.host, settings.port)
    if taken:
        typer.echo(f"error: {taken} (--port, VOTEHALL_PORT)", err=True)
        raise typer.Exit(1)
    # Up to date (every start but the first after an update): no alembic in the serving process.
    if not at_head(settings.database_url):
        upgrade(settings.database_url)
    run_server(settings, workers=workers)


def several_processes_problem(settings: Settings) -> str | None:
    """Why several processes cannot serve with these settings, or None (SPEC 5 "Scale out")."""
    if not settings.database_url.startswith("postgresql"):
        return "several processes share one PostgreSQL database; set VOTEHALL_DATABASE_URL to PostgreSQL"
    if not settings.redis_url:
        return (
            "several processes need VOTEHALL_REDIS_URL: without it each process would show only "
            "its own votes, and the displays would disagree"
        )
    return None


def run_server(settings: Settings, workers: int = 1, log_level: str | None = None) -> None:
    """Serve with uvicorn; `log_level` overrides VOTEHALL_LOG_LEVEL (the demo's quieter default)."""
    log_level = log_level or settings.log_level
    if workers > 1:
        # Each worker process builds its app from the environment (server.app.create_app).
        os.environ.update(
            VOTEHALL_DATABASE_URL=settings.database_url, VOTEHALL_REDIS_URL=settings.redis_url or ""
        )
    transport.configure(settings)
    proxies = [str(network) for network in networks(settings.trusted_proxies)]
    serving.run(
        "server.app:create_app" if workers > 1 else create_app(settings),
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        log_config=log_config(settings.log_format, log_level),
        ws_max_size=MAX_FRAME,  # SPEC 4.2 bad input: a larger kiosk frame is closed with 1009
        ws_ping_interval=20,
        ws_ping_timeout=20,
        # Frames are a hundred bytes: a deflate context per kiosk would nearly double the memory
        # at 10,000 kiosks and cost a third more CPU per vote (bench/README.md).
        ws_per_message_deflate=False,
        backlog=4096,  # ten thousand handhelds reconnecting at once
        timeout_graceful_shutdown=5,
        # Slow, idle and too many clients (server/limits/transport.py); a class that each worker
        # process of `--workers N` imports by name and configures from the environment.
        http=transport.GuardedHttpToolsProtocol,
        # uvicorn's websockets-sansio protocol, letting go of the handshake once accepted and with
        # a lighter inbox: ten thousand kiosk sockets in one process (server/live/ws_protocol.py).
        ws=LeanWebSocketProtocol,
        timeout_keep_alive=settings.keepalive_timeout,
        # X-Forwarded-For and -Proto are believed from the named proxies only (none by default).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
    )


def port_taken(host: str, port: int) -> str | None:
    """Why nothing can listen on host:port, in one line, or None."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            return f"cannot listen on {host}:{port} ({error.strerror}); stop what uses the port, or choose another"
    return None
