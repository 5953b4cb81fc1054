"""`votehall cards`: issue the voting cards, print them, mail them to the secretaries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from server.cli.common import DatabaseOption, in_transaction, load_settings, with_database

if TYPE_CHECKING:
    from server.cards.mail import MailReport
    from server.cards.service import CardView
    from server.meetings.models import Meeting

NO_ADDRESS_SHOWN = 10  # the codes the summary of members without an address names

cards_app = typer.Typer(help="Voting cards: issue, print and mail them.", no_args_is_help=True)


@cards_app.command("issue")
def cards_issue(meeting_id: int, database_url: DatabaseOption = None) -> None:
    """Issue a voting card to every member that has none yet; existing cards stay valid."""
    from server.cards.service import issue_missing, list_cards

    async def work(session: AsyncSession) -> tuple[int, int]:
        before = len(await list_cards(session, meeting_id))
        return before, len(await issue_missing(session, meeting_id))

    before, after = in_transaction(load_settings(database_url), work)
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

    meeting, views = in_transaction(load_settings(database_url), work)
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

    settings = load_settings(database_url)
    report = with_database(
        settings,
        lambda database: send_cards(database, meeting_id, settings, dry_run_dir=dry_run, only=member),
    )
    _print_mail_report(report)


def no_address_line(codes: list[str]) -> str:
    """One line for the members without a secretary address: how many, and the first codes."""
    ordered = sorted(codes)
    shown = ", ".join(ordered[:NO_ADDRESS_SHOWN]) + (", …" if len(ordered) > NO_ADDRESS_SHOWN else "")
    noun = "member has" if len(ordered) == 1 else "members have"
    return f"{len(ordered)} {noun} no address: {shown} (votehall members emails FILE)"


def _print_mail_report(report: MailReport) -> None:
    from rich.console import Console
    from rich.table import Table

    from server.cards.mail import MailStatus

    table = Table("member", "name", "status", "address", "detail")
    colors = {MailStatus.SENT: "green", MailStatus.DRY_RUN: "green"}
    listed = [o for o in report.outcomes if o.status != MailStatus.NO_ADDRESS]
    for o in listed:
        status = f"[{colors.get(o.status, 'red')}]{o.status}[/]"
        table.add_row(o.member, o.name, status, o.recipient or "", o.detail or "")
    console = Console()
    if listed:
        console.print(table)
    # Members without an address are summed up in one line, not one row each (issue 15).
    missing = [o.member for o in report.outcomes if o.status == MailStatus.NO_ADDRESS]
    if missing:
        console.print(f"[yellow]{no_address_line(missing)}[/]", highlight=False)
    counts = ", ".join(
        f"{report.count(status)} {status.value}" for status in MailStatus if report.count(status)
    )
    console.print(f"meeting {report.meeting_id}: {counts or 'no cards: run `votehall cards issue` first'}")
