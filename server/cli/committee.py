"""`votehall committee`: the vote-counting committee's key, made and kept on its own machine
(docs/SECRET_BALLOTS.md, "Keys")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from server.secret.keys import PRIVATE_FILE, PUBLIC_FILE, fingerprint_display, write_committee_key

committee_app = typer.Typer(
    help="The vote-counting committee's key for secret ballots.", no_args_is_help=True
)


@committee_app.command("keygen")
def keygen(
    directory: Annotated[
        Path, typer.Argument(file_okay=False, help=f"where to write {PRIVATE_FILE} and {PUBLIC_FILE}")
    ],
    force: Annotated[bool, typer.Option("--force", help="overwrite a key already in DIR")] = False,
) -> None:
    """Make the committee's key pair: DIR/committee.key (private) and DIR/committee.pub."""
    try:
        files = write_committee_key(directory, force=force)
    except FileExistsError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"private key: {files.private_path} (readable by you only)")
    typer.echo(f"public key:  {files.public_path} (give this file to the meeting's administrator)")
    typer.echo(f"fingerprint: {fingerprint_display(files.fingerprint)}")
    typer.echo(
        f"Keep {PRIVATE_FILE} off the server, with the committee; destroy it once the results are published."
    )
