"""The `votehall` command line (SPEC 4.5).

One module per command group (`tokens`, `members`, `meetings`, `ballots`, `cards`, `committee`),
`serve` for `migrate` and `serve`, `demo` for the demo, and `common` for what they share. This
module builds the root app from them, in the order `votehall --help` lists the commands.
"""

from __future__ import annotations

import typer

from server.cli import demo, serve
from server.cli.ballots import ballots_app
from server.cli.cards import cards_app
from server.cli.committee import committee_app
from server.cli.meetings import meetings_app
from server.cli.members import members_app
from server.cli.serve import several_processes_problem
from server.cli.tokens import token_app
from server.loadtest.command import loadtest as loadtest_command

__all__ = ["app", "main", "several_processes_problem"]

app = typer.Typer(
    help="VoteHall: live weighted voting for general assemblies.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(token_app, name="token")
app.add_typer(members_app, name="members")
app.add_typer(meetings_app, name="meetings")
app.add_typer(cards_app, name="cards")
app.add_typer(ballots_app, name="ballots")
app.add_typer(committee_app, name="committee")

app.command()(serve.migrate)
app.command()(serve.serve)
app.command()(demo.demo)

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
