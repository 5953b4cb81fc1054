"""What the command groups share: the settings, the `--database-url` option, and running a
command's work against a migrated database, a domain error ending the command in one line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.db import Database
from server.errors import VoteHallError
from server.migrate import upgrade

T = TypeVar("T")

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL; default VOTEHALL_DATABASE_URL or ./votehall.db"),
]


def load_settings(database_url: str | None = None, **overrides: Any) -> Settings:
    """The settings from the environment, under the command's options that were given (not None)."""
    values = {key: value for key, value in overrides.items() if value is not None}
    if database_url:
        values["database_url"] = database_url
    return Settings(**values)


def in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
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
        _where(error, settings)
        raise typer.Exit(code=1) from None


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
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
        _where(error, settings)
        raise typer.Exit(code=1) from None


def _where(error: VoteHallError, settings: Settings) -> None:
    """After "there is no meeting N": which database the command read, and how to name another
    (the demo keeps its own file, which a command in the same folder does not read by itself)."""
    if error.code == "unknown_meeting":
        typer.echo(
            f"  (the database read: {settings.database_url}; name another with VOTEHALL_DATABASE_URL, "
            "e.g. sqlite:///votehall-demo.db for the demo's)",
            err=True,
        )
