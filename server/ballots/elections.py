"""What makes a `benoeming` an election, and its rounds (SPEC 2.9, 2.10, docs/SECRET_BALLOTS.md).

Pure: no I/O. A `benoeming` with no candidates is a slate (yes/no on the nominees in its title),
with one candidate a single-candidate vote (yes/no), with two or more an election: each member
gives its whole weight to one candidate, or abstains. The rounds of an election follow the model
rules of procedure of Dutch municipal councils (SPEC 2.10).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.errors import InvalidInput
from server.rules import BallotKind, Majority, RoundKind

MAX_CANDIDATES = 50
NAME_LENGTH = 200
# The log entry of a lot drawn in the hall (docs/SECRET_BALLOTS.md "Rounds"): {ballot, candidate,
# drawn_by, operator, result}. Named here until server.audit.entries lists it.

# An election's later rounds as their titles name them: "... (tweede stemming)".
ROUND_TITLES = {
    RoundKind.SECOND: "tweede stemming",
    RoundKind.INTERMEDIATE: "tussenstemming",
    RoundKind.RUNOFF: "herstemming",
    RoundKind.SINGLE: "stemming over de laatste kandidaat",
}


def round_title(title: str, kind: RoundKind) -> str:
    """The title of a later round: the first round's title with the round named in Dutch, any
    earlier round's name replaced ("Voorzitter (tweede stemming)" -> "Voorzitter (herstemming)")."""
    for named in ROUND_TITLES.values():
        suffix = f" ({named})"
        if title.endswith(suffix):
            title = title[: -len(suffix)]
            break
    return f"{title} ({ROUND_TITLES[kind]})" if kind in ROUND_TITLES else title


def default_secret(kind: BallotKind) -> bool:
    """Whether a new ballot of this kind is secret when its creator does not say: a `benoeming`
    is (SPEC 2.9, 4.1: votes about persons are secret), every other kind is public. Ballots stored
    before this rule read as public (the column's server default), whatever their kind."""
    return kind is BallotKind.BENOEMING


def clean_candidates(names: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The candidates as stored: names and notes trimmed (inner spaces collapsed), names non-empty
    and unique (ignoring case), 1 to 50 of them. InvalidInput "invalid_candidates" otherwise."""
    if not 1 <= len(names) <= MAX_CANDIDATES:
        raise InvalidInput(
            f"an election has 1 to {MAX_CANDIDATES} candidates, not {len(names)}", code="invalid_candidates"
        )
    cleaned: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for position, (name, note) in enumerate(names, start=1):
        name, note = " ".join(name.split()), " ".join((note or "").split()) or None
        if not name:
            raise InvalidInput(f"candidate {position} has no name", code="invalid_candidates")
        if len(name) > NAME_LENGTH or (note is not None and len(note) > NAME_LENGTH):
            raise InvalidInput(
                f"candidate {position}: a name and a note have at most {NAME_LENGTH} characters",
                code="invalid_candidates",
            )
        if name.casefold() in seen:
            raise InvalidInput(f"candidate {name!r} is named twice", code="invalid_candidates")
        seen.add(name.casefold())
        cleaned.append((name, note))
    return cleaned


def check_candidates_fit(
    kind: BallotKind, candidates: int, *, majority: Majority, abstain_is_cast: bool
) -> None:
    """Candidates are on a `benoeming` only; an election or single-candidate vote is decided by
    simple majority of the cast votes, abstentions not cast (SPEC 2.10)."""
    if candidates == 0:
        return
    if kind is not BallotKind.BENOEMING:
        raise InvalidInput(f"only a benoeming has candidates, not a {kind}", code="invalid_ballot")
    if majority is not Majority.SIMPLE:
        raise InvalidInput(
            "a ballot with candidates is decided by more than half of the cast votes: "
            f"its majority is simple, not {majority}",
            code="invalid_ballot",
        )
    if abstain_is_cast:
        raise InvalidInput(
            "in a ballot with candidates an abstention is not a cast vote (abstain_is_cast is false)",
            code="invalid_ballot",
        )


def round_kind(candidates: int, *, follows: bool, given: RoundKind | None) -> RoundKind | None:
    """An election's round kind: null for a ballot without candidates; `first` (two or more) or
    `single` (one) for a ballot that follows none; for a later round the kind its creator gives,
    which must fit the number of candidates (a single-candidate round may be left implicit).
    InvalidInput "invalid_round" otherwise."""
    if candidates == 0:
        if follows or given is not None:
            raise InvalidInput("a round of an election has candidates", code="invalid_round")
        return None
    implicit = RoundKind.SINGLE if candidates == 1 else RoundKind.FIRST
    if not follows:
        if given not in (None, implicit):
            raise InvalidInput(
                f"a ballot that follows no round is the {implicit} round, not {given}; "
                "a later round names the one it follows (round_of)",
                code="invalid_round",
            )
        return implicit
    if given is None:
        if candidates == 1:
            return RoundKind.SINGLE
        raise InvalidInput(
            "a later round names its kind: second, intermediate or runoff", code="invalid_round"
        )
    problem: str | None = None
    if given is RoundKind.FIRST:
        problem = "a round that follows another is not the first"
    elif given is RoundKind.SINGLE and candidates != 1:
        problem = f"a single-candidate round has one candidate, not {candidates}"
    elif given is RoundKind.RUNOFF and candidates != 2:
        problem = f"a run-off is between two candidates, not {candidates}"
    elif given in (RoundKind.SECOND, RoundKind.INTERMEDIATE) and candidates < 2:
        problem = f"a {given} round has two or more candidates; with one left the round is single"
    if problem is not None:
        raise InvalidInput(problem, code="invalid_round")
    return given
