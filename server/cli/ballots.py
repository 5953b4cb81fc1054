"""`votehall ballots`: prepare a meeting's ballots, and correct them (SPEC 2.7)."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.schemas import BallotCreate, BallotUpdate, CandidateIn
from server.cli.common import DatabaseOption, in_transaction, load_settings
from server.rules import BallotKind, Majority, Preadvies, RoundKind

ballots_app = typer.Typer(help="Ballots: prepare, edit, delete and void them.", no_args_is_help=True)


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
    preadvies: Annotated[
        Preadvies | None, typer.Option(help="the board's advice on a motion or amendment")
    ] = None,
    revote_of: Annotated[int | None, typer.Option(help="the voided ballot this one votes again")] = None,
    off_agenda: Annotated[
        bool, typer.Option("--off-agenda", help="a motion not on the agenda (vreemd aan de orde)")
    ] = False,
    test: Annotated[bool, typer.Option("--test", help="a test vote (proefstemming)")] = False,
    no_change: Annotated[bool, typer.Option("--no-change", help="a cast vote cannot be changed")] = False,
    abstain_is_cast: Annotated[
        bool, typer.Option("--abstain-is-cast", help="count abstentions as cast")
    ] = False,
    show_live_tally: Annotated[
        bool, typer.Option("--show-live-tally", help="the public screens show the tally while open")
    ] = False,
    candidate: Annotated[
        list[str] | None,
        typer.Option(
            help='a candidate of a benoeming, "Name" or "Name | note"; repeat (two or more: an election)'
        ),
    ] = None,
    secret: Annotated[
        bool | None, typer.Option("--secret/--public", help="a secret ballot (default: the kind's)")
    ] = None,
    round_of: Annotated[int | None, typer.Option(help="the election round this one follows")] = None,
    round_: Annotated[
        RoundKind | None, typer.Option("--round", help="the kind of a later round (with --round-of)")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a ballot of a meeting (as POST /api/meetings/{id}/ballots does)."""
    from server.ballots.drafts import create_ballot

    try:
        data = BallotCreate(
            agenda=agenda, title=title, kind=kind, majority=majority, amends=amends,
            submitters=submitter or [], preadvies=preadvies, test=test, allow_change=not no_change,
            abstain_is_cast=abstain_is_cast, show_live_tally=show_live_tally, revote_of=revote_of,
            off_agenda=off_agenda, secret=secret, round_of=round_of, round=round_,
            candidates=[candidate_in(text) for text in candidate] if candidate else None,
        )  # fmt: skip
    except ValidationError as error:
        _refuse(error)

    async def work(session: AsyncSession) -> int:
        return (await create_ballot(session, meeting_id, data)).id

    typer.echo(f"ballot {in_transaction(load_settings(database_url), work)} created")


def candidate_in(text: str) -> CandidateIn:
    """`--candidate "Anna Alfa | Aa en Hunze"`: the name, and after a bar the note."""
    name, bar, note = text.partition("|")
    return CandidateIn(name=name.strip(), note=note.strip() or None if bar else None)


def _refuse(error: ValidationError) -> NoReturn:
    for problem in error.errors():
        typer.secho(f"error: --{problem['loc'][0]}: {problem['msg']}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


@ballots_app.command("edit")
def ballots_edit(
    ballot_id: int,
    agenda: Annotated[str | None, typer.Option(help="agenda item number")] = None,
    title: Annotated[str | None, typer.Option(help="the title the hall sees")] = None,
    kind: Annotated[BallotKind | None, typer.Option(help="SPEC 2.8")] = None,
    majority: Annotated[Majority | None, typer.Option()] = None,
    amends: Annotated[int | None, typer.Option(help="the ballot an amendment amends")] = None,
    submitter: Annotated[
        list[str] | None, typer.Option(help="a submitting member's CBS code; repeat")
    ] = None,
    preadvies: Annotated[Preadvies | None, typer.Option(help="the board's advice")] = None,
    test: Annotated[bool | None, typer.Option("--test/--no-test", help="a test vote")] = None,
    change: Annotated[bool | None, typer.Option("--change/--no-change", help="votes can be changed")] = None,
    off_agenda: Annotated[bool | None, typer.Option("--off-agenda/--on-agenda")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Edit a draft ballot: only the options given change (as PATCH /api/ballots/{id} does)."""
    from server.auth.service import COMMAND_LINE
    from server.ballots.drafts import update_ballot

    given = {
        "agenda": agenda, "title": title, "kind": kind, "majority": majority, "amends": amends,
        "submitters": submitter, "preadvies": preadvies, "test": test, "allow_change": change,
        "off_agenda": off_agenda,
    }  # fmt: skip
    try:
        data = BallotUpdate(**{name: value for name, value in given.items() if value is not None})
    except ValidationError as error:
        _refuse(error)
    if not data.model_fields_set:
        typer.secho("error: give at least one option to change (see --help)", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)

    async def work(session: AsyncSession) -> str:
        return (await update_ballot(session, ballot_id, data, COMMAND_LINE)).title

    typer.echo(f"ballot {ballot_id} edited: {in_transaction(load_settings(database_url), work)}")


@ballots_app.command("delete")
def ballots_delete(ballot_id: int, database_url: DatabaseOption = None) -> None:
    """Delete a draft ballot prepared by mistake (the log keeps that it existed)."""
    from server.auth.service import COMMAND_LINE
    from server.ballots.drafts import delete_ballot

    async def work(session: AsyncSession) -> None:
        await delete_ballot(session, ballot_id, COMMAND_LINE)

    in_transaction(load_settings(database_url), work)
    typer.echo(f"ballot {ballot_id} deleted")


@ballots_app.command("void")
def ballots_void(
    ballot_id: int,
    reason: Annotated[str, typer.Option(help="why the ballot is void, as the minutes will say it")],
    database_url: DatabaseOption = None,
) -> None:
    """Declare an open ballot, or the last closed one, void (SPEC 2.7); a re-vote is a new ballot
    created with --revote-of."""
    from server.auth.service import COMMAND_LINE
    from server.ballots.corrections import void

    async def work(session: AsyncSession) -> str:
        ballot = await void(session, ballot_id, reason, COMMAND_LINE)
        return f"{ballot.agenda} {ballot.title}"

    name = in_transaction(load_settings(database_url), work)
    typer.echo(
        f"ballot {ballot_id} ({name}) declared void; a re-vote: votehall ballots create ... --revote-of {ballot_id}"
    )


@ballots_app.command("list")
def ballots_list(meeting_id: int, database_url: DatabaseOption = None) -> None:
    """The ballots of a meeting in agenda order: id, agenda item, kind, status, secret or public
    and title; an election's round and candidates (id, name, note) below it."""
    from server.ballots.repository import candidates_of_ballots
    from server.ballots.service import list_ballots

    async def work(session: AsyncSession) -> list[str]:
        ballots = await list_ballots(session, meeting_id)
        candidates = await candidates_of_ballots(session, [b.id for b in ballots])
        lines: list[str] = []
        for b in ballots:
            shown = "secret" if b.secret else "public"
            lines.append(f"{b.id:>4}  {b.agenda:<6} {b.kind:<12} {b.status:<12} {shown:<7} {b.title}")
            if b.round is not None:
                after = f" after ballot {b.round_of_id}" if b.round_of_id is not None else ""
                lines.append(f"{'':>6}round {b.round}{after}")
            for c in candidates[b.id]:
                lines.append(f"{'':>6}candidate {c.id}: {c.name}" + (f" ({c.note})" if c.note else ""))
        return lines

    lines = in_transaction(load_settings(database_url), work)
    if not lines:
        typer.echo(f"meeting {meeting_id} has no ballots yet (votehall ballots create)")
    for line in lines:
        typer.echo(line)


@ballots_app.command("next-round")
def ballots_next_round(ballot_id: int, database_url: DatabaseOption = None) -> None:
    """Prepare the next round of an election whose round ended without a winner (SPEC 2.10), as
    POST /api/ballots/{id}/next-round does: its candidates and kind as the result plans them."""
    from server.ballots.round_service import next_round

    async def work(session: AsyncSession) -> tuple[int, str, str | None]:
        ballot = await next_round(session, ballot_id)
        return ballot.id, ballot.title, ballot.round

    new_id, title, kind = in_transaction(load_settings(database_url), work)
    typer.echo(f"ballot {new_id} created: {title} ({kind} round after ballot {ballot_id})")


@ballots_app.command("lot")
def ballots_lot(
    ballot_id: int,
    candidate: Annotated[int, typer.Option(help="the id of the candidate the lot gave")],
    drawn_by: Annotated[str | None, typer.Option(help="who drew the lot, as the minutes name them")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Record the lot drawn in the hall after a tie only a lot decides (SPEC 2.10), as POST
    /api/ballots/{id}/lot does."""
    from server.auth.service import COMMAND_LINE
    from server.ballots.round_service import enter_lot

    async def work(session: AsyncSession) -> str:
        ballot = await enter_lot(session, ballot_id, candidate, drawn_by, COMMAND_LINE)
        return ballot.outcome or ""

    outcome = in_transaction(load_settings(database_url), work)
    typer.echo(f"ballot {ballot_id}: lot recorded for candidate {candidate}; outcome {outcome}")
