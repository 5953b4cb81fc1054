"""The `votehall` command line (SPEC 4.5)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import orjson
import typer
from pydantic import ValidationError
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from server.app import create_app
from server.auth.roles import Role
from server.ballots.schemas import BallotCreate
from server.config import Settings
from server.db import Database
from server.errors import VoteHallError
from server.live.kiosk_ws import MAX_FRAME
from server.loadtest.command import loadtest as loadtest_command
from server.migrate import upgrade
from server.ops import serving
from server.ops.logs import log_config
from server.rules import BallotKind, Majority, Preadvies

if TYPE_CHECKING:
    from server.cards.mail import MailReport
    from server.cards.service import CardView
    from server.meetings.models import Meeting

app = typer.Typer(
    help="VoteHall: live weighted voting for general assemblies.",
    no_args_is_help=True,
    add_completion=False,
)
token_app = typer.Typer(help="Operator tokens.", no_args_is_help=True)
members_app = typer.Typer(help="The member register.", no_args_is_help=True)
meetings_app = typer.Typer(help="Meetings.", no_args_is_help=True)
cards_app = typer.Typer(help="Voting cards: issue, print and mail them.", no_args_is_help=True)
ballots_app = typer.Typer(help="Ballots: prepare them before the meeting.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(members_app, name="members")
app.add_typer(meetings_app, name="meetings")
app.add_typer(cards_app, name="cards")
app.add_typer(ballots_app, name="ballots")

T = TypeVar("T")

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL; default VOTEHALL_DATABASE_URL or ./votehall.db"),
]


def _settings(database_url: str | None = None, **overrides: Any) -> Settings:
    values = {key: value for key, value in overrides.items() if value is not None}
    if database_url:
        values["database_url"] = database_url
    return Settings(**values)


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate, then run `work` in one transaction; domain errors end the command with their message."""
    upgrade(settings.database_url)

    async def run() -> T:
        database = Database(settings.database_url)
        try:
            async with database.transaction() as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except VoteHallError as error:
        problems = error.extra.get("errors", [])
        if len(problems) == 1:  # the message is that one problem: say it once
            problem = problems[0]
            typer.secho(f"error: line {problem['line']}: {problem['message']}", fg=typer.colors.RED, err=True)
        else:
            typer.secho(f"error: {error.message}", fg=typer.colors.RED, err=True)
            for problem in problems:
                typer.echo(f"  line {problem['line']}: {problem['message']}", err=True)
        raise typer.Exit(code=1) from None


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate, then run `work` with a database that manages its own transactions."""
    upgrade(settings.database_url)

    async def run() -> T:
        database = Database(settings.database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except VoteHallError as error:
        typer.secho(f"error: {error.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


def _read_csv(file: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as older Excel exports write."""
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@app.command()
def migrate(database_url: DatabaseOption = None) -> None:
    """Create or upgrade the database schema."""
    settings = _settings(database_url)
    upgrade(settings.database_url)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)  # no secret on a screen
    typer.echo(f"schema up to date: {shown}")


@app.command()
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
    settings = _settings(database_url, host=host, port=port)
    if workers > 1:
        problem = several_processes_problem(settings)
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2)
    taken = _port_taken(settings.host, settings.port)
    if taken:
        typer.echo(f"error: {taken} (--port, VOTEHALL_PORT)", err=True)
        raise typer.Exit(1)
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


def run_server(settings: Settings, workers: int = 1, log_level: str = "info") -> None:
    if workers > 1:
        # Each worker process builds its app from the environment (server.app.create_app).
        os.environ.update(
            VOTEHALL_DATABASE_URL=settings.database_url, VOTEHALL_REDIS_URL=settings.redis_url or ""
        )
    serving.run(
        "server.app:create_app" if workers > 1 else create_app(settings),
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        log_config=log_config(settings.log_format),
        ws_max_size=MAX_FRAME,  # SPEC 4.2 bad input: a larger kiosk frame is closed with 1009
        ws_ping_interval=20,
        ws_ping_timeout=20,
        # Frames are a hundred bytes: a deflate context per kiosk would nearly double the memory
        # at 10,000 kiosks and cost a third more CPU per vote (bench/README.md).
        ws_per_message_deflate=False,
        backlog=4096,  # ten thousand handhelds reconnecting at once
        timeout_graceful_shutdown=5,
    )


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="admin, desk or chair")],
    label: Annotated[str | None, typer.Option(help="who holds it, e.g. 'desk 1'")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an operator token; it is printed once and stored hashed."""
    from server.auth.service import create_token

    secret = _in_transaction(_settings(database_url), lambda session: create_token(session, role, label))
    typer.echo(secret)


@members_app.command("import")
def members_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="plain or CBS StatLine CSV")],
    allow_new_codes: Annotated[bool, typer.Option(help="accept CBS codes that are not yet known")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Import or update the member register from a CSV file (all or nothing)."""
    from server.register.service import import_register

    text = file.read_bytes().decode("utf-8-sig")
    report = _in_transaction(
        _settings(database_url),
        lambda session: import_register(session, text, allow_new_codes=allow_new_codes),
    )
    typer.echo(f"imported {report.imported} members ({report.created} new, {report.updated} updated)")
    for row in report.skipped:
        typer.echo(f"  skipped line {row.line}: {row.text} ({row.reason})")
    for member in report.unmatched:
        typer.echo(f"  not in the file, unchanged: {member.cbs_code} {member.name}")


@members_app.command("emails")
def members_emails(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with cbs_code,email")],
    database_url: DatabaseOption = None,
) -> None:
    """Set the municipal secretaries' e-mail addresses, to which the voting cards go (all or nothing)."""
    from server.register.emails import import_emails

    text = _read_csv(file)
    updated = _in_transaction(_settings(database_url), lambda session: import_emails(session, text))
    typer.echo(f"set the secretary address of {updated} members")


@meetings_app.command("create")
def meetings_create(
    agenda: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="agenda JSON, as in server/data")
    ],
    again: Annotated[
        bool, typer.Option("--again", help="create it even if a meeting with this title and date exists")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Create a meeting (draft) from an agenda file."""
    from server.demo import meeting_from_agenda
    from server.meetings.repository import all_meetings
    from server.meetings.service import create_meeting

    data = meeting_from_agenda(json.loads(agenda.read_text(encoding="utf-8")))

    async def work(session: AsyncSession) -> int | str:
        same = [m.id for m in await all_meetings(session) if (m.title, m.date) == (data.title, data.date)]
        if same and not again:
            return f"meeting {same[0]} has this title and date already (votehall meetings list); --again creates another"
        return (await create_meeting(session, data)).id

    made = _in_transaction(_settings(database_url), work)
    if isinstance(made, str):
        typer.echo(f"error: {made}", err=True)
        raise typer.Exit(1)
    typer.echo(f"meeting {made} created")


@meetings_app.command("list")
def meetings_list(database_url: DatabaseOption = None) -> None:
    """The meetings, newest first: id, date, status and title."""
    from server.meetings.repository import all_meetings

    async def work(session: AsyncSession) -> list[tuple[int, str, str, str]]:
        return [(m.id, m.date.isoformat(), m.status, m.title) for m in await all_meetings(session)]

    rows = _in_transaction(_settings(database_url), work)
    if not rows:
        typer.echo("no meetings yet: votehall meetings create AGENDA.json")
    for ident, day, status, title in rows:
        typer.echo(f"{ident:>4}  {day}  {status:<7} {title}")


@meetings_app.command("open")
def meetings_open(meeting_id: int, database_url: DatabaseOption = None) -> None:
    """Open a meeting: freezes the register and the weights."""
    from server.meetings.service import open_meeting

    async def work(session: AsyncSession) -> int:
        return (await open_meeting(session, meeting_id)).id

    typer.echo(f"meeting {_in_transaction(_settings(database_url), work)} is open")


@meetings_app.command("export")
def meetings_export(
    meeting_id: int,
    file: Annotated[Path, typer.Argument(dir_okay=False, help="the JSON file to write")],
    database_url: DatabaseOption = None,
) -> None:
    """Write the whole meeting (register, agenda, ballots, votes, log) to one JSON file; no cards."""
    from server.archive.service import export_meeting

    async def work(database: Database) -> dict[str, Any]:
        async with database.transaction(readonly=True) as session:
            return await export_meeting(session, meeting_id)

    document = _with_database(_settings(database_url), work)
    file.write_bytes(orjson.dumps(document))
    typer.echo(f"meeting {meeting_id} written to {file} ({len(document['log'])} log entries)")


@meetings_app.command("import")
def meetings_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a file of `meetings export`")],
    database_url: DatabaseOption = None,
) -> None:
    """Rebuild an exported meeting under a new id as a closed archive; its log is checked first."""
    from server.archive.service import import_meeting

    try:
        document = json.loads(file.read_bytes())
    except ValueError as error:
        typer.secho(f"error: {file} is not JSON: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None

    async def work(session: AsyncSession) -> int:
        return (await import_meeting(session, document)).id

    new_id = _in_transaction(_settings(database_url), work)
    typer.echo(f"meeting {document['original_id']} imported as meeting {new_id} (closed)")


@ballots_app.command("create")
def ballots_create(
    meeting_id: int,
    agenda: Annotated[str, typer.Option(help="agenda item number, e.g. 8a")],
    title: Annotated[str, typer.Option(help="the title the hall sees")],
    kind: Annotated[BallotKind, typer.Option(help="SPEC 2.8")],
    majority: Annotated[Majority, typer.Option(help="two_thirds for a qualified majority")] = Majority.SIMPLE,
    amends: Annotated[int | None, typer.Option(help="the ballot an amendment amends")] = None,
    submitter: Annotated[
        list[str] | None, typer.Option(help="a submitting member's CBS code; repeat")
    ] = None,
    preadvies: Annotated[Preadvies | None, typer.Option(help="the board's advice on a motion")] = None,
    test: Annotated[bool, typer.Option("--test", help="a test vote (proefstemming)")] = False,
    no_change: Annotated[bool, typer.Option("--no-change", help="a cast vote cannot be changed")] = False,
    abstain_is_cast: Annotated[
        bool, typer.Option("--abstain-is-cast", help="count abstentions as cast")
    ] = False,
    show_live_tally: Annotated[
        bool, typer.Option("--show-live-tally", help="the public screens show the tally while open")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Create a ballot of a meeting (as POST /api/meetings/{id}/ballots does)."""
    from server.ballots.service import create_ballot

    try:
        data = BallotCreate(
            agenda=agenda, title=title, kind=kind, majority=majority, amends=amends,
            submitters=submitter or [], preadvies=preadvies, test=test, allow_change=not no_change,
            abstain_is_cast=abstain_is_cast, show_live_tally=show_live_tally,
        )  # fmt: skip
    except ValidationError as error:
        for problem in error.errors():
            typer.secho(f"error: --{problem['loc'][0]}: {problem['msg']}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from None

    async def work(session: AsyncSession) -> int:
        return (await create_ballot(session, meeting_id, data)).id

    typer.echo(f"ballot {_in_transaction(_settings(database_url), work)} created")


@ballots_app.command("list")
def ballots_list(meeting_id: int, database_url: DatabaseOption = None) -> None:
    """The ballots of a meeting in agenda order: id, agenda item, kind, status and title."""
    from server.ballots.service import list_ballots

    async def work(session: AsyncSession) -> list[tuple[int, str, str, str, str]]:
        return [(b.id, b.agenda, b.kind, b.status, b.title) for b in await list_ballots(session, meeting_id)]

    for ident, item, kind_, status, title_ in _in_transaction(_settings(database_url), work):
        typer.echo(f"{ident:>4}  {item:<6} {kind_:<10} {status:<10} {title_}")


@cards_app.command("issue")
def cards_issue(meeting_id: int, database_url: DatabaseOption = None) -> None:
    """Issue a voting card to every member that has none yet; existing cards stay valid."""
    from server.cards.service import issue_missing, list_cards

    async def work(session: AsyncSession) -> tuple[int, int]:
        before = len(await list_cards(session, meeting_id))
        return before, len(await issue_missing(session, meeting_id))

    before, after = _in_transaction(_settings(database_url), work)
    typer.echo(f"issued {after - before} new cards; {after} members have a valid card")


@cards_app.command("pdf")
def cards_pdf(
    meeting_id: int,
    out: Annotated[Path, typer.Argument(dir_okay=False, help="the PDF file to write")],
    database_url: DatabaseOption = None,
) -> None:
    """Write every valid card of the meeting to a PDF, one A6 page per member, to print."""
    from server.cards.pdf import cards_pdf as render
    from server.cards.service import list_cards
    from server.meetings.service import get_meeting

    async def work(session: AsyncSession) -> tuple[Meeting, list[CardView]]:
        return await get_meeting(session, meeting_id), await list_cards(session, meeting_id)

    meeting, views = _in_transaction(_settings(database_url), work)
    if not views:
        typer.secho(f"error: meeting {meeting_id} has no cards yet; run `votehall cards issue`", err=True)
        raise typer.Exit(code=1)
    out.write_bytes(render(meeting, views))
    typer.echo(f"wrote {len(views)} cards to {out}")


@cards_app.command("send")
def cards_send(
    meeting_id: int,
    dry_run: Annotated[
        Path | None,
        typer.Option(
            "--dry-run", metavar="DIR", file_okay=False, help="write .eml files to DIR; send nothing"
        ),
    ] = None,
    member: Annotated[
        list[str] | None, typer.Option("--member", metavar="CODE", help="only this member; repeatable")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Mail each valid card to the member's municipal secretary over SMTP (VOTEHALL_SMTP_*)."""
    from server.cards.mail import send_cards

    settings = _settings(database_url)
    report = _with_database(
        settings,
        lambda database: send_cards(database, meeting_id, settings, dry_run_dir=dry_run, only=member),
    )
    _print_mail_report(report)


def _print_mail_report(report: MailReport) -> None:
    from rich.console import Console
    from rich.table import Table

    from server.cards.mail import MailStatus

    table = Table("member", "name", "status", "address", "detail")
    colors = {MailStatus.SENT: "green", MailStatus.DRY_RUN: "green", MailStatus.NO_ADDRESS: "yellow"}
    for o in report.outcomes:
        status = f"[{colors.get(o.status, 'red')}]{o.status}[/]"
        table.add_row(o.member, o.name, status, o.recipient or "", o.detail or "")
    console = Console()
    console.print(table)
    counts = ", ".join(
        f"{report.count(status)} {status.value}" for status in MailStatus if report.count(status)
    )
    console.print(f"meeting {report.meeting_id}: {counts or 'no cards: run `votehall cards issue` first'}")


@app.command()
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

    console = Console(highlight=False)
    problem = _demo_blocked(database, host, port)
    if problem:
        console.print(f"[red]error:[/] {problem}")
        raise typer.Exit(1)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    settings = _settings(f"sqlite+aiosqlite:///{database.resolve()}", host=host, port=port)
    setup = _set_up_demo(settings, console)
    base = public_base(host, port)
    # One present member is left to a person with a phone; the simulation drives the others.
    yours = sorted(setup.pairing_codes)[0]
    simulated = {code: token for code, token in setup.passes.items() if code != yours}
    console.print(describe(setup, base, yours, simulate=simulate, database=str(database)), soft_wrap=True)
    hall = None
    if simulate:
        hall = _simulate_in_background(base, setup.tokens[Role.CHAIR], setup.meeting_id, simulated)
    try:
        run_server(settings, log_level=log_level)
    finally:
        if hall is not None:
            hall.stop()


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
    problem = _port_taken(host, port)
    return f"{problem}: make demo DEMO_ARGS='--port {port + 1}'" if problem else None


def _port_taken(host: str, port: int) -> str | None:
    """Why nothing can listen on host:port, in one line, or None."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            return f"cannot listen on {host}:{port} ({error.strerror}); stop what uses the port, or choose another"
    return None


def _set_up_demo(settings: Settings, console: Any) -> Any:
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
                return await set_up_demo(db, step)
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


# `votehall loadtest`: the options are in server/loadtest/command.py, the code beside them.
app.command("loadtest")(loadtest_command)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def verify(context: typer.Context) -> None:
    """Check a meeting's event log: chain, results replayed with the rules, published record.

    `votehall verify --help` tells the options; see server/audit/verify.py.
    """
    from server.audit.verify import main as verify_main

    raise typer.Exit(verify_main(context.args))


def main() -> None:
    app()
