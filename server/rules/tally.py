"""Weighted tallies and presence: SPEC 2.3, 2.4 / statutes art. 11."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Choice(StrEnum):
    """SPEC 2.4: voor / tegen / onthouding. A member's whole weight goes to one choice."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


@dataclass(frozen=True, slots=True)
class Tally:
    """Weighted sums and member counts per choice of one ballot (SPEC 2.4, 2.6).

    Immutable; `add` and `remove` give a new tally so a running total is kept in O(1) per vote.
    A changed vote (SPEC 2.4: "the last vote counts") is `remove(old, w).add(new, w)`.
    """

    for_: int
    against: int
    abstain: int
    members_for: int
    members_against: int
    members_abstain: int

    def __post_init__(self) -> None:
        if min(self.for_, self.against, self.abstain, *self._members()) < 0:
            raise ValueError(f"a tally cannot go below zero: {self!r}")

    def _members(self) -> tuple[int, int, int]:
        return (self.members_for, self.members_against, self.members_abstain)

    @property
    def members_voted(self) -> int:
        """Members that voted, abstentions included (SPEC 2.6: "the number of members that voted")."""
        return self.members_for + self.members_against + self.members_abstain

    @property
    def weight_voted(self) -> int:
        """Weight of all votes, abstentions included."""
        return self.for_ + self.against + self.abstain

    def cast(self, abstain_is_cast: bool) -> int:
        """Cast votes (SPEC 2.5): for + against; abstentions only when the ballot setting counts them."""
        return self.for_ + self.against + (self.abstain if abstain_is_cast else 0)

    def add(self, choice: Choice, weight: int) -> Tally:
        """This tally with one more member voting `choice` with `weight`."""
        if weight < 0:
            raise ValueError(f"weight must not be negative, got {weight}")
        return self._shift(Choice(choice), weight, 1)

    def remove(self, choice: Choice, weight: int) -> Tally:
        """This tally without one member's `choice` of `weight`; ValueError if that goes below zero."""
        if weight < 0:
            raise ValueError(f"weight must not be negative, got {weight}")
        return self._shift(Choice(choice), -weight, -1)

    def _shift(self, choice: Choice, weight: int, members: int) -> Tally:
        f, a, b = self.for_, self.against, self.abstain
        mf, ma, mb = self._members()
        if choice is Choice.FOR:
            f, mf = f + weight, mf + members
        elif choice is Choice.AGAINST:
            a, ma = a + weight, ma + members
        else:
            b, mb = b + weight, mb + members
        return Tally(f, a, b, mf, ma, mb)


EMPTY_TALLY = Tally(0, 0, 0, 0, 0, 0)


def tally_votes(votes: Mapping[str, Choice], weights: Mapping[str, int]) -> Tally:
    """Count the current votes of a ballot (SPEC 2.1, 2.4).

    `votes` maps member code to its last choice; `weights` are the weights frozen when the meeting
    opened (SPEC 2.1), so a later register change never moves a cast vote. A vote by a member
    missing from `weights` raises KeyError: that is a data error, never a vote to skip silently.
    """
    sums = dict.fromkeys(Choice, 0)
    counts = dict.fromkeys(Choice, 0)
    for member, choice in votes.items():
        c = Choice(choice)
        sums[c] += weights[member]
        counts[c] += 1
    return Tally(
        sums[Choice.FOR],
        sums[Choice.AGAINST],
        sums[Choice.ABSTAIN],
        counts[Choice.FOR],
        counts[Choice.AGAINST],
        counts[Choice.ABSTAIN],
    )


@dataclass(frozen=True, slots=True)
class Presence:
    """Members and weight present in the hall, out of the whole register (SPEC 2.3)."""

    members: int
    weight: int
    of_members: int
    of_weight: int


def presence(present: Iterable[str], weights: Mapping[str, int]) -> Presence:
    """Presence from the members with an active pass (SPEC 2.3: one active pass per member).

    A member listed twice counts once. A present member missing from `weights` raises KeyError.
    """
    codes = set(present)
    return Presence(
        members=len(codes),
        weight=sum(weights[code] for code in codes),
        of_members=len(weights),
        of_weight=sum(weights.values()),
    )
