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


@committee_app.command("unlock")
def unlock(
    ballot: Annotated[int, typer.Option("--ballot", help="the open secret ballot to unlock")],
    key: Annotated[
        Path, typer.Option("--key", exists=True, dir_okay=False, help=f"the committee's {PRIVATE_FILE}")
    ],
    url: Annotated[str, typer.Option("--url", help="the server, e.g. https://stemmen.example.nl")],
    token: Annotated[str, typer.Option("--token", envvar="VOTEHALL_TOKEN", help="a chair's operator token")],
) -> None:
    """Give the server an open secret ballot's key again after a restart, so that it can close:
    the wrapped key is unwrapped here, with the committee's key, and only the ballot's key is sent."""
    import httpx

    from server.errors import InvalidInput
    from server.secret.unlock import unwrap_for_unlock

    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=30) as client:
        answer = client.get(f"/api/ballots/{ballot}/ballot-key")
        if answer.status_code != 200:
            _refused("the server gave no wrapped key", answer)
        try:
            ballot_key = unwrap_for_unlock(answer.json()["wrapped"], key)
        except InvalidInput as error:
            typer.secho(f"error: {error.message}", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1) from None
        answer = client.post(f"/api/ballots/{ballot}/unlock", json={"ballot_key": ballot_key})
        if answer.status_code != 200:
            _refused("the server refused the key", answer)
    typer.echo(f"ballot {ballot} is unlocked: the chair can close it")


def _refused(what: str, answer: object) -> None:
    import httpx

    assert isinstance(answer, httpx.Response)
    try:
        detail = answer.json().get("detail", answer.text)
    except ValueError:
        detail = answer.text
    typer.secho(f"error: {what} ({answer.status_code}): {detail}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)
