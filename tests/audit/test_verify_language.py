"""Every message of `votehall verify` has its Dutch wording (one language per run, issue 13 item 9):
a template written in English only would end a Dutch run with a KeyError, or, worse, in English."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from server.audit.wording import DUTCH, Number, say

AUDIT = Path(__file__).parents[2] / "server" / "audit"


def templates(path: Path) -> set[str]:
    """The English templates of a module: the first argument of every say(...), and every string
    that is assigned to a name and then given to say(...) (a template picked by a condition)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say":
            first = node.args[0] if node.args else None
            for part in ast.walk(first) if first is not None else ():
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.add(part.value)
    # Templates chosen in a conditional expression or assigned first: every string constant of an
    # assignment whose target is later passed to say().
    said_names = {
        node.args[0].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say"
        and node.args and isinstance(node.args[0], ast.Name)
    }  # fmt: skip
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in said_names for t in node.targets
        ):
            for part in ast.walk(node.value):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.add(part.value)
    return found


@pytest.mark.parametrize(
    "module", ["chain.py", "replay.py", "replay_secret.py", "replay_elections.py", "own_vote.py", "verify.py"]
)
def test_every_message_has_its_dutch_wording(module: str) -> None:
    found = templates(AUDIT / module)
    assert found, module
    assert sorted(found - DUTCH.keys()) == []


def test_the_dutch_wording_takes_the_same_values() -> None:
    for english, dutch in DUTCH.items():
        names = {name for _, name, _, _ in string.Formatter().parse(english) if name}
        dutch_names = {name for _, name, _, _ in string.Formatter().parse(dutch) if name}
        assert dutch_names <= names, english


def test_values_are_written_in_the_runs_language() -> None:
    said = say(
        "the frozen register gives {code} the weight {weight}, but a population of {population} makes "
        "{expected} (SPEC 2.1)",
        code="GM0001",
        weight=80,
        population=Number(150500),
        expected=75,
    )
    assert "150,500" in said.text("en") and "150.500 inwoners" in said.text("nl")
    assert say("ends pass {pass_id}, which is {status}", pass_id=3, status="revoked").text("nl") == (
        "beëindigt stempas 3, die ingetrokken is"
    )
