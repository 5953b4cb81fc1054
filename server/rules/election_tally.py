"""The running tally of an election: SPEC 2.10 / docs/SECRET_BALLOTS.md "Choices on the wire".

In an election each member gives its whole weight to one candidate, or abstains (SPEC 2.10);
abstentions are never cast. A choice is a candidate's id (an integer) or ``"abstain"``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

ABSTAIN: Literal["abstain"] = "abstain"

ElectionChoice = int | Literal["abstain"]


def _is_id(value: object) -> bool:
    # bool is an int in Python; True is never a candidate's id.
    return isinstance(value, int) and not isinstance(value, bool)


def check_candidates(candidates: Sequence[int]) -> tuple[int, ...]:
    """The candidates as a tuple; ValueError unless they are distinct integer ids."""
    ids = tuple(candidates)
    if not all(_is_id(c) for c in ids):
        raise ValueError(f"candidate ids are integers, got {ids!r}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"a candidate stands once, got {ids!r}")
    return ids


class CandidateCounts(Mapping[int, int]):
    """An immutable, hashable count per candidate id, in the ballot's candidate order."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[int, int] | Iterable[tuple[int, int]]) -> None:
        pairs = tuple(items.items() if isinstance(items, Mapping) else items)
        check_candidates([c for c, _ in pairs])
        if not all(_is_id(n) for _, n in pairs):
            raise ValueError(f"counts are integers, got {pairs!r}")
        self._items: tuple[tuple[int, int], ...] = pairs

    def __getitem__(self, candidate: int) -> int:
        for c, n in self._items:
            if c == candidate and _is_id(candidate):
                return n
        raise KeyError(candidate)

    def __iter__(self) -> Iterator[int]:
        return (c for c, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items))

    def __repr__(self) -> str:
        return f"CandidateCounts({dict(self._items)!r})"

    def shifted(self, candidate: int, by: int) -> CandidateCounts:
        """These counts with `by` added to `candidate`'s (KeyError for an unknown candidate)."""
        if candidate not in self:
            raise KeyError(candidate)
        return CandidateCounts((c, n + by if c == candidate else n) for c, n in self._items)


@dataclass(frozen=True, slots=True)
class ElectionTally:
    """Weighted votes and member counts per candidate of one election round, plus abstentions.

    Immutable; `add` and `remove` give a new tally, so a running total costs one step per vote
    (times the handful of candidates). A changed vote is `remove(old, w).add(new, w)`.
    `votes` and `members` have the same candidates in the same (the ballot's) order.
    """

    votes: Mapping[int, int]
    members: Mapping[int, int]
    abstain: int
    abstain_members: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "votes", CandidateCounts(self.votes))
        object.__setattr__(self, "members", CandidateCounts(self.members))
        if tuple(self.votes) != tuple(self.members):
            raise ValueError(f"votes and members name other candidates: {self!r}")
        counts = (*self.votes.values(), *self.members.values(), self.abstain, self.abstain_members)
        if min(counts) < 0:
            raise ValueError(f"a tally cannot go below zero: {self!r}")

    @classmethod
    def empty(cls, candidates: Sequence[int]) -> ElectionTally:
        """The tally of a round with these candidates (in the ballot's order) before any vote."""
        ids = check_candidates(candidates)
        zeros = [(c, 0) for c in ids]
        return cls(CandidateCounts(zeros), CandidateCounts(zeros), 0, 0)

    @property
    def candidates(self) -> tuple[int, ...]:
        return tuple(self.votes)

    @property
    def cast(self) -> int:
        """Cast votes: the weight given to candidates (abstentions are never cast, SPEC 2.10)."""
        return sum(self.votes.values())

    @property
    def members_voted(self) -> int:
        """Members that voted, abstentions included (SPEC 2.6)."""
        return sum(self.members.values()) + self.abstain_members

    def add(self, choice: ElectionChoice, weight: int) -> ElectionTally:
        """This tally with one more member voting `choice` with `weight`; ValueError for a non-candidate."""
        if weight < 0:
            raise ValueError(f"weight must not be negative, got {weight}")
        return self._shift(choice, weight, 1)

    def remove(self, choice: ElectionChoice, weight: int) -> ElectionTally:
        """This tally without one member's `choice` of `weight`; ValueError if that goes below zero."""
        if weight < 0:
            raise ValueError(f"weight must not be negative, got {weight}")
        return self._shift(choice, -weight, -1)

    def _shift(self, choice: ElectionChoice, weight: int, members: int) -> ElectionTally:
        if choice == ABSTAIN:
            return ElectionTally(
                self.votes, self.members, self.abstain + weight, self.abstain_members + members
            )
        if not _is_id(choice) or choice not in self.votes:
            raise ValueError(f"{choice!r} is not a candidate of this round {self.candidates}")
        assert isinstance(self.votes, CandidateCounts) and isinstance(self.members, CandidateCounts)
        return ElectionTally(
            self.votes.shifted(choice, weight),
            self.members.shifted(choice, members),
            self.abstain,
            self.abstain_members,
        )


def election_choice(value: object, candidates: Collection[int]) -> ElectionChoice:
    """A vote's choice in an election as the wire and the log carry it: a candidate's id (a JSON
    integer) or ``"abstain"``. Anything else, a text id included, raises ValueError."""
    if value == ABSTAIN:
        return ABSTAIN
    if _is_id(value) and value in candidates:
        assert isinstance(value, int)
        return value
    raise ValueError(f"{value!r} is neither a candidate of this round {tuple(candidates)} nor 'abstain'")


def _stored_choice(value: int | str, candidates: Collection[int]) -> ElectionChoice:
    # The `votes` table keeps a candidate as its id in text (docs/SECRET_BALLOTS.md): "12", not "012".
    if isinstance(value, str) and value.isdigit() and value.isascii() and str(int(value)) == value:
        return election_choice(int(value), candidates)
    return election_choice(value, candidates)


def tally_election(
    votes: Mapping[str, int | str], weights: Mapping[str, int], candidates: Sequence[int]
) -> ElectionTally:
    """Count the current votes of an election round (SPEC 2.1, 2.4, 2.10).

    `votes` maps member code to its last choice: a candidate's id, as an integer or as the text
    the `votes` table stores ("12"), or ``"abstain"``; a choice that is not a candidate of
    `candidates` raises ValueError. `weights` are the frozen weights; a voter missing from them
    raises KeyError, as in `tally_votes`.
    """
    tally = ElectionTally.empty(candidates)
    for member, choice in votes.items():
        tally = tally.add(_stored_choice(choice, tally.candidates), weights[member])
    return tally
