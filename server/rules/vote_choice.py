"""A vote's choice on any ballot, in its three spellings (docs/SECRET_BALLOTS.md "Choices on the wire").

On a yes/no ballot (a single-candidate vote included) a choice is `Choice`; in an election it is
a candidate's id or `Choice.ABSTAIN`. The wire and the log carry a candidate as a JSON integer
(`value`), the `votes` and `vote_events` tables as its id in text (`text`): "12", not "012".
`fits` says whether a choice belongs on a ballot with these election candidates.
"""

from __future__ import annotations

from collections.abc import Collection

from server.rules.election_tally import ABSTAIN, ElectionChoice
from server.rules.tally import Choice

VoteChoice = Choice | int


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def value(choice: VoteChoice) -> str | int:
    """The choice as the wire and the log carry it: "for", "against", "abstain" or a candidate id."""
    return choice.value if isinstance(choice, Choice) else choice


def text(choice: VoteChoice) -> str:
    """The choice as the `votes` and `vote_events` tables keep it."""
    return str(value(choice))


def from_value(raw: object) -> VoteChoice:
    """A choice from the wire or the log (`value`'s inverse); ValueError for anything else."""
    if _is_id(raw):
        assert isinstance(raw, int)
        return raw
    if isinstance(raw, str):
        return Choice(raw)
    raise ValueError(f"{raw!r} is neither for, against, abstain nor a candidate id")


def from_text(raw: str) -> VoteChoice:
    """A choice as a table keeps it (`text`'s inverse); ValueError for anything else."""
    if raw.isascii() and raw.isdigit() and str(int(raw)) == raw:
        return from_value(int(raw))
    return Choice(raw)


def fits(choice: VoteChoice, election: Collection[int] | None) -> bool:
    """Whether `choice` belongs on a ballot: yes/no when `election` is None, else one of its
    candidates' ids or abstain (SPEC 2.10)."""
    if election is None:
        return isinstance(choice, Choice)
    return choice == Choice.ABSTAIN or (not isinstance(choice, Choice) and choice in election)


def as_election(choice: VoteChoice) -> ElectionChoice:
    """The choice as an election tally counts it (a candidate's id or "abstain")."""
    if isinstance(choice, Choice):
        if choice is not Choice.ABSTAIN:
            raise ValueError(f"{choice.value!r} is no choice in an election")
        return ABSTAIN
    return choice
