"""`votehall members`: the member register and the secretaries' addresses, from CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from server.cli.common import DatabaseOption, in_transaction, load_settings

members_app = typer.Typer(help="The member register.", no_args_is_help=True)


@members_app.command("import")
def members_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="plain or CBS StatLine CSV")],
    allow_new_codes: Annotated[bool, typer.Option(help="accept CBS codes that are not yet known")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Import or update the member register from a CSV file (all or nothing)."""
    from server.register.service import import_register

    text = file.read_bytes().decode("utf-8-sig")
    report = in_transaction(
        load_settings(database_url),
        lambda session: import_register(session, text, allow_new_codes=allow_new_codes),
    )
    typer.echo(f"imported {report.imported} members ({report.created} new, {report.updated} updated)")
    for day, count in report.reference_dates.items():
        shown = f"population on {day.isoformat()}" if day else "no reference date (the file gives none)"
        typer.echo(f"  {shown}: {count} members")
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
    updated = in_transaction(load_settings(database_url), lambda session: import_emails(session, text))
    typer.echo(f"set the secretary address of {updated} members")


def _read_csv(file: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as older Excel exports write."""
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
