"""`votehall meetings`: create, list, set up and open meetings; export and import them whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from sqlalchemy.ext.asyncio import AsyncSession

from server.cli.common import DatabaseOption, in_transaction, load_settings, with_database
from server.db import Database

if TYPE_CHECKING:
    from pydantic import ValidationError

    from server.meetings.models import Meeting

meetings_app = typer.Typer(help="Meetings.", no_args_is_help=True)

PopulationDateOption = Annotated[
    str | None,
    typer.Option(
        "--population-date",
        metavar="YYYY-MM-DD",
        help="the reference date of the population figures (CBS: 1 January); the register's must agree",
    ),
]
ChairOption = Annotated[
    str | None, typer.Option("--chair", metavar="NAME", help="the chair, who signs the record")
]
CommitteeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--committee", metavar="NAME", help="a member of the vote-counting committee, who signs; repeatable"
    ),
]


def _print_problems(source: str, error: ValidationError) -> None:
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        typer.secho(
            f"error: {source}: {where + ': ' if where else ''}{problem['msg']}", fg=typer.colors.RED, err=True
        )


@meetings_app.command("create")
def meetings_create(
    agenda: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="agenda JSON, as in server/data")
    ],
    again: Annotated[
        bool, typer.Option("--again", help="create it even if a meeting with this title and date exists")
    ] = False,
    population_date: PopulationDateOption = None,
    chair: ChairOption = None,
    committee: CommitteeOption = None,
    publish_representatives: Annotated[
        bool | None,
        typer.Option("--publish-representatives", help="the public record names the representatives"),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a meeting (draft) from an agenda file; the options override its meeting block
    (population_reference_date, chair, committee, publish_representatives)."""
    from pydantic import ValidationError

    from server.demo import meeting_from_agenda
    from server.meetings.repository import all_meetings
    from server.meetings.service import create_meeting

    document = json.loads(agenda.read_text(encoding="utf-8"))
    if isinstance(document, dict) and isinstance(document.get("meeting"), dict):
        given = {
            "population_reference_date": population_date,
            "chair": chair,
            "committee": committee or None,
            "publish_representatives": publish_representatives,
        }
        document["meeting"].update({key: value for key, value in given.items() if value is not None})
    try:
        data = meeting_from_agenda(document)
    except ValidationError as error:
        _print_problems(agenda.name, error)
        raise typer.Exit(code=2) from None

    async def work(session: AsyncSession) -> int | str:
        same = [m.id for m in await all_meetings(session) if (m.title, m.date) == (data.title, data.date)]
        if same and not again:
            return f"meeting {same[0]} has this title and date already (votehall meetings list); --again creates another"
        return (await create_meeting(session, data)).id

    made = in_transaction(load_settings(database_url), work)
    if isinstance(made, str):
        typer.echo(f"error: {made}", err=True)
        raise typer.Exit(1)
    typer.echo(f"meeting {made} created")


@meetings_app.command("list")
def meetings_list(database_url: DatabaseOption = None) -> None:
    """The meetings, newest first: id, date, status ("published" once the chair published the
    record) and title."""
    from server.meetings.repository import all_meetings

    async def work(session: AsyncSession) -> list[tuple[int, str, str, str]]:
        return [
            (m.id, m.date.isoformat(), "published" if m.published_at else m.status, m.title)
            for m in await all_meetings(session)
        ]

    rows = in_transaction(load_settings(database_url), work)
    if not rows:
        typer.echo("no meetings yet: votehall meetings create AGENDA.json")
    for ident, day, status, title in rows:
        typer.echo(f"{ident:>4}  {day}  {status:<9} {title}")


@meetings_app.command("set")
def meetings_set(
    meeting_id: int,
    population_date: PopulationDateOption = None,
    chair: ChairOption = None,
    committee: CommitteeOption = None,
    publish_representatives: Annotated[
        bool | None,
        typer.Option(
            "--publish-representatives/--private-representatives",
            help="whether the public record names the representatives",
        ),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Change the record's settings of a meeting, as PATCH /api/meetings/{id} does: until the
    record is published; the population date only until the meeting opens. --committee replaces
    the whole committee."""
    from pydantic import ValidationError

    from server.auth.service import COMMAND_LINE
    from server.meetings.schemas import MeetingSettingsIn
    from server.meetings.settings import change_settings

    given = {
        "population_date": population_date,
        "chair_name": chair,
        "committee_members": committee or None,
        "publish_representatives": publish_representatives,
    }
    try:
        data = MeetingSettingsIn.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as error:
        _print_problems("meetings set", error)
        raise typer.Exit(code=2) from None
    if not data.model_fields_set:
        typer.echo(
            "error: nothing to set: give --population-date, --chair, --committee or --publish-representatives",
            err=True,
        )
        raise typer.Exit(code=2)

    async def work(session: AsyncSession) -> list[str]:
        return _settings_lines(await change_settings(session, meeting_id, data, COMMAND_LINE))

    lines = in_transaction(load_settings(database_url), work)
    typer.echo(f"meeting {meeting_id}:")
    for line in lines:
        typer.echo(f"  {line}")


def _settings_lines(meeting: Meeting) -> list[str]:
    day = meeting.population_date.isoformat() if meeting.population_date else "not given"
    return [
        f"population date: {day}",
        f"chair: {meeting.chair_name or 'not given'}",
        f"committee: {', '.join(meeting.committee_members or []) or 'not given'}",
        f"representatives in the public record: {'yes' if meeting.publish_representatives else 'no'}",
    ]


@meetings_app.command("open")
def meetings_open(meeting_id: int, database_url: DatabaseOption = None) -> None:
    """Open a meeting: freezes the register and the weights."""
    from server.meetings.service import open_meeting

    async def work(session: AsyncSession) -> int:
        return (await open_meeting(session, meeting_id)).id

    typer.echo(f"meeting {in_transaction(load_settings(database_url), work)} is open")


@meetings_app.command("close")
def meetings_close(
    meeting_id: int,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="close although ballots are undecided (recorded as not decided)")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Close a meeting (SPEC 2.11): undecided ballots are named first; --confirm records them as not
    decided. Prints the hash of the closing entry, which the vote-counting committee signs."""
    from server.audit import entries
    from server.audit.service import last_entry_of_type
    from server.auth.service import COMMAND_LINE
    from server.meetings.service import close_meeting

    async def work(session: AsyncSession) -> tuple[int, str]:
        await close_meeting(session, meeting_id, confirm=confirm, operator=COMMAND_LINE)
        closing = await last_entry_of_type(session, meeting_id, entries.MEETING_CLOSED)
        assert closing is not None
        return closing

    seq, digest = in_transaction(load_settings(database_url), work)
    blocks = " ".join(digest[i : i + 8] for i in range(0, len(digest), 8))
    typer.echo(f"meeting {meeting_id} is closed; closing entry {seq}, hash to sign:\n  {blocks}")


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

    document = with_database(load_settings(database_url), work)
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

    new_id = in_transaction(load_settings(database_url), work)
    typer.echo(f"meeting {document['original_id']} imported as meeting {new_id} (closed)")


@meetings_app.command("committee-key")
def meetings_committee_key(
    meeting_id: int,
    public_key: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="the committee's committee.pub")
    ],
    database_url: DatabaseOption = None,
) -> None:
    """Set the vote-counting committee's public key of a meeting (until a secret ballot opens)."""
    from server.auth.service import COMMAND_LINE
    from server.meetings.committee import set_committee_key
    from server.secret.keys import fingerprint_display

    text = public_key.read_text(encoding="ascii", errors="replace")

    async def work(session: AsyncSession) -> str:
        meeting = await set_committee_key(session, meeting_id, text, COMMAND_LINE)
        assert meeting.committee_fingerprint is not None
        return meeting.committee_fingerprint

    fingerprint = in_transaction(load_settings(database_url), work)
    typer.echo(f"meeting {meeting_id}: committee key set, fingerprint\n  {fingerprint_display(fingerprint)}")
