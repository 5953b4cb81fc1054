"""`votehall demo`: a fresh demo meeting on SQLite, served, optionally with a simulated hall.

The root app (server/cli/__init__.py) registers the command.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from server.auth.roles import Role
from server.cli.common import load_settings
from server.cli.serve import port_taken, run_server
from server.config import Settings
from server.db import Database
from server.migrate import upgrade
from server.secret.hardening import forbid_core_dumps
from server.secret.keys import CommitteePublicKey, write_committee_key


def demo(
    database: Annotated[Path, typer.Option(help="SQLite file, recreated on every run")] = Path(
        "votehall-demo.db"
    ),
    host: Annotated[
        str, typer.Option(help="address to listen on; 0.0.0.0 lets phones on your network in")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    simulate: Annotated[
        bool, typer.Option(help="simulated handhelds vote on every ballot of the agenda")
    ] = False,
    log_level: Annotated[
        str, typer.Option(help="the server's log level; 'info' shows every request")
    ] = "warning",
) -> None:
    """Set up a fresh demo meeting (342 members, 271 present, the agenda of 18 June 2025) and serve it."""
    from rich.console import Console

    from server.demo import describe, public_base

    forbid_core_dumps()  # the process will hold the private keys of open secret ballots
    console = Console(highlight=False)
    problem = _demo_blocked(database, host, port)
    if problem:
        console.print(f"[red]error:[/] {problem}")
        raise typer.Exit(1)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    # The vote-counting committee's key pair, made afresh next to the fresh database: the
    # meeting's secret ballots are sealed to it (a real committee makes it on its own machine).
    committee = committee_directory(database)
    keys = write_committee_key(committee, force=True)
    settings = load_settings(f"sqlite+aiosqlite:///{database.resolve()}", host=host, port=port)
    setup = _set_up_demo(settings, console, keys.public)
    base = public_base(host, port)
    # One present member is left to a person with a phone; the simulation drives the others.
    yours = sorted(setup.pairing_codes)[0]
    simulated = {code: token for code, token in setup.passes.items() if code != yours}
    text = describe(setup, base, yours, simulate=simulate, database=str(database), committee=str(committee))
    console.print(text, soft_wrap=True)
    hall = None
    if simulate:
        hall = _simulate_in_background(base, setup.tokens[Role.CHAIR], setup.meeting_id, simulated)
    try:
        run_server(settings, log_level=log_level)
    finally:
        if hall is not None:
            hall.stop()


def committee_directory(database: Path) -> Path:
    """Where the demo keeps the committee's key pair: beside the database, named after it
    (votehall-demo.db -> votehall-demo-committee/)."""
    return database.with_name(f"{database.stem}-committee")


def _demo_blocked(database: Path, host: str, port: int) -> str | None:
    """Why the demo cannot start now (a demo still running, the port taken), before anything is
    deleted: the running demo keeps its database, and the newcomer reads one line, not a traceback."""
    import fcntl

    lock = database.with_name(database.name + ".serving")
    if lock.exists():
        with lock.open("ab") as file:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return (
                    f"a VoteHall server is still serving {database} (an earlier `make demo`?); "
                    "stop it with Ctrl-C in its terminal, then run the demo again"
                )
    problem = port_taken(host, port)
    return f"{problem}: make demo DEMO_ARGS='--port {port + 1}'" if problem else None


def _set_up_demo(settings: Settings, console: Any, committee: CommitteePublicKey) -> Any:
    """The schema and the demo meeting, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from server.demo import SETUP_STEPS, set_up_demo

    columns = (TextColumn("{task.description:<48}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("the database schema", total=len(SETUP_STEPS) + 1)
        upgrade(settings.database_url)

        def step(name: str) -> None:
            progress.update(task, description=name, advance=1)

        async def run() -> Any:
            db = Database(settings.database_url)
            try:
                return await set_up_demo(db, committee, step)
            finally:
                await db.dispose()

        setup = asyncio.run(run())
        progress.update(task, description="the demo meeting is ready", advance=1)
    return setup


def _simulate_in_background(base: str, chair_token: str, meeting_id: int, passes: dict[str, str]) -> Any:
    """Play the agenda in a thread once the server answers; answers the terminal display to stop."""
    import threading
    import time

    import httpx

    from server.demo import HallProgress
    from server.simulate import simulate_hall

    hall = HallProgress()

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def play() -> None:
        deadline = time.monotonic() + 30
        while not answers():
            if time.monotonic() > deadline:
                hall.stop()
                return
            time.sleep(0.2)
        try:
            asyncio.run(simulate_hall(base, chair_token, meeting_id, passes, observer=hall))
        except Exception as error:  # the server stopping (Ctrl-C) ends the play; say so otherwise
            hall.stop()
            if answers():
                typer.secho(f"the simulation stopped: {error!r}", fg=typer.colors.RED, err=True)

    threading.Thread(target=play, name="simulated-hall", daemon=True).start()
    return hall
