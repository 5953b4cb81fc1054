"""The options of `votehall loadtest`; server/cli/__init__.py registers this function as the command.

It lives here so that the command line module only gains one registration line, and the
load-test code (and its imports) load only when the command runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def loadtest(
    kiosks: Annotated[int, typer.Option(min=1, help="simulated kiosks, one pass each")] = 10_000,
    votes: Annotated[int, typer.Option(min=1, help="votes per kiosk per burst; later ones are changes")] = 1,
    think: Annotated[float, typer.Option(min=0, help="random think time before each vote, up to MS")] = 0,
    client_procs: Annotated[int, typer.Option(min=1, help="client processes sharing the kiosks")] = 1,
    bursts: Annotated[int, typer.Option(min=1, help="ballots opened one after the other")] = 1,
    database_url: Annotated[
        str | None,
        typer.Option(help="scratch database; its public schema is DROPPED (default: a temporary SQLite)"),
    ] = None,
    echo: Annotated[bool, typer.Option(help="also measure the bare echo server")] = True,
    deflate: Annotated[bool, typer.Option(help="negotiate permessage-deflate, as browsers do")] = False,
    url: Annotated[
        list[str] | None,
        typer.Option(
            help="drive running server(s) instead: http://host:port; repeat it or give a comma list "
            "for several processes of one hall (kiosks round robin, a display on each)"
        ),
    ] = None,
    chair_token: Annotated[str | None, typer.Option(help="with --url: the chair's token")] = None,
    passes: Annotated[Path | None, typer.Option(help="with --url: pass tokens, JSON or one a line")] = None,
    ballot: Annotated[list[int] | None, typer.Option(help="with --url: ballot id(s) to open")] = None,
    server_pid: Annotated[
        list[int] | None, typer.Option(help="with --url: read this pid's CPU (repeat for several)")
    ] = None,
    processes: Annotated[
        int,
        typer.Option(
            min=1, help="server processes to spawn for one hall; above 1 needs PostgreSQL and --redis-url"
        ),
    ] = 1,
    redis_url: Annotated[
        str | None, typer.Option(help="with --processes: the Redis the processes share (VOTEHALL_REDIS_URL)")
    ] = None,
    slow_clients: Annotated[
        int,
        typer.Option(
            min=0, help="slow and idle connections (from 127.0.0.2) held against the spawned server meanwhile"
        ),
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """Simulated kiosks burst-vote against a fresh server (and an echo server); prints the figures."""
    from server.loadtest.main import LoadtestOptions, run, split_urls
    from server.loadtest.runner import DriveOptions

    drive = DriveOptions(
        votes=votes, think_ms=think, client_procs=client_procs, bursts=bursts, deflate=deflate
    )
    options = LoadtestOptions(
        kiosks,
        drive,
        database_url,
        echo,
        split_urls(url),
        chair_token,
        passes,
        tuple(ballot or ()),
        tuple(server_pid or ()),
        processes,
        redis_url or os.environ.get("VOTEHALL_REDIS_URL"),
        slow_clients,
    )
    raise typer.Exit(code=run(options, as_json=as_json))
