"""`votehall ballots`: prepare a meeting's ballots before it opens."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.schemas import BallotCreate
from server.cli.common import DatabaseOption, in_transaction, load_settings
from server.rules import BallotKind, Majority, Preadvies

ballots_app = typer.Typer(help="Ballots: prepare them before the meeting.", no_args_is_help=True)


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

    typer.echo(f"ballot {in_transaction(load_settings(database_url), work)} created")


@ballots_app.command("list")
def ballots_list(meeting_id: int, database_url: DatabaseOption = None) -> None:
    """The ballots of a meeting in agenda order: id, agenda item, kind, status and title."""
    from server.ballots.service import list_ballots

    async def work(session: AsyncSession) -> list[tuple[int, str, str, str, str]]:
        return [(b.id, b.agenda, b.kind, b.status, b.title) for b in await list_ballots(session, meeting_id)]

    for ident, item, kind_, status, title_ in in_transaction(load_settings(database_url), work):
        typer.echo(f"{ident:>4}  {item:<6} {kind_:<10} {status:<10} {title_}")
