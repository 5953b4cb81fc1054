"""`votehall token`: operator tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from server.auth.roles import Role
from server.cli.common import DatabaseOption, in_transaction, load_settings

token_app = typer.Typer(help="Operator tokens.", no_args_is_help=True)


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="admin, desk or chair")],
    label: Annotated[str | None, typer.Option(help="who holds it, e.g. 'desk 1'")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an operator token; it is printed once and stored hashed."""
    from server.auth.service import create_token

    secret = in_transaction(load_settings(database_url), lambda session: create_token(session, role, label))
    typer.echo(secret)
