"""Majority rules and the result percentage: SPEC 2.5, 2.6 / statutes art. 11."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.rules.tally import Tally


class Majority(StrEnum):
    """SPEC 2.5: simple majority, or the qualified two-thirds majority."""

    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"


class Outcome(StrEnum):
    """How a ballot ended: by vote (SPEC 2.5), or without one (SPEC 2.7)."""

    ADOPTED = "adopted"
    REJECTED = "rejected"
    ACCLAMATION = "acclamation"
    WITHDRAWN = "withdrawn"
    HELD = "held"
    VOIDED = "voided"  # SPEC 2.7: declared void by the chair, with a reason
    OUT_OF_ORDER = "out_of_order"  # SPEC 2.8: declared out of order, no vote on its substance
    NOT_DECIDED = "not_decided"  # SPEC 2.11: still a draft when the meeting closed


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of an electronic vote (SPEC 2.6): outcome, weighted totals, members that voted.

    `outcome` is ADOPTED or REJECTED; `percent_for` is None when no votes were cast.
    """

    outcome: Outcome
    for_: int
    against: int
    abstain: int
    cast: int
    members_voted: int
    percent_for: str | None


def decide(tally: Tally, majority: Majority, *, abstain_is_cast: bool = False) -> Decision:
    """Decide a closed ballot (SPEC 2.5 / statutes art. 11).

    Cast votes are for + against (plus abstentions if the ballot counts them). Simple majority:
    adopted when for > 1/2 of cast, i.e. 2*for > cast. Two-thirds: adopted when for >= 2/3 of cast,
    i.e. 3*for >= 2*cast. A tie or no cast votes at all is rejected. Exact integers, never floats.
    """
    cast = tally.cast(abstain_is_cast)
    if cast == 0:
        adopted = False
    elif Majority(majority) is Majority.SIMPLE:
        adopted = 2 * tally.for_ > cast
    else:
        adopted = 3 * tally.for_ >= 2 * cast
    return Decision(
        outcome=Outcome.ADOPTED if adopted else Outcome.REJECTED,
        for_=tally.for_,
        against=tally.against,
        abstain=tally.abstain,
        cast=cast,
        members_voted=tally.members_voted,
        percent_for=percent_for(tally.for_, cast),
    )


def percent_for(for_: int, cast: int) -> str | None:
    """Percentage of cast votes in favour, two decimals, rounded half up (SPEC 2.6).

    "93.40" for 9340 of 10000; "66.67" for 2 of 3; "0.13" for 1 of 800 (0.125 rounds up, where
    a float or banker's rounding would not). Computed in exact integers. None when cast == 0.
    """
    if cast < 0 or for_ < 0 or for_ > cast:
        raise ValueError(f"need 0 <= for_ <= cast, got for_={for_}, cast={cast}")
    if cast == 0:
        return None
    # hundredths of a percent = 10000 * for / cast, rounded half up: floor(x + 1/2).
    hundredths = (20000 * for_ + cast) // (2 * cast)
    return f"{hundredths // 100}.{hundredths % 100:02d}"
