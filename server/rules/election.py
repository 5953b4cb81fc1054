"""The rounds of an election: SPEC 2.10 / docs/SECRET_BALLOTS.md "Rounds".

As in the model rules of procedure of Dutch municipal councils (stemming over personen):

- A candidate with more than half of the cast votes, 2 * votes > cast, is elected in any round
  but an intermediate vote. Abstentions are never cast. Exact integers, never floats.
- ``first`` (vrije stemming) without such a majority: a ``second`` free round, same candidates.
- ``second`` without: a ``runoff`` (herstemming) between the two with the most votes. When a tie
  straddles the two run-off places (the 2nd and 3rd tie, or three or more tie for first), the
  tied first hold an ``intermediate`` vote (tussenstemming): whoever is strictly ahead of the tie
  is `seeded` into the run-off, and the intermediate vote fills the other `places` (2 - seeded).
- ``intermediate``: its top `places` candidates join the seeded in the run-off; nobody is elected
  in it. A tie at the boundary again is settled by lot among those tied there (`places` says how
  many places the lot fills; the chair enters one name at a time with `draw_lot`).
- ``runoff``: the one with more votes is elected (with two candidates that is more than half of
  cast); a tie is decided by lot, drawn in the hall and entered by the chair (`draw_lot`).
- ``single`` (one candidate left, the others withdrawn): yes/no with a simple majority (SPEC 2.5),
  decided by `decide_single`; adopted means elected.

No cast votes at all: the same rules apply, and under them every candidate is tied at zero. So
first -> second; second -> run-off when there are two candidates and an intermediate vote among
all of them when there are more; an intermediate vote or a run-off -> lot. (docs/SECRET_BALLOTS.md
has the run-off take "the first two in the candidates' order" here; we do not, because then the
order of the ballot would decide what the rules leave to a vote or a lot.)

Worked cases, votes per candidate in a second round (cast = their sum):
- A 15, B 13 (cast 28): A elected with 53.57%.  A 14, B 14: no majority, run-off A and B.
- A 10, B 8, C 5: run-off A and B.  A 10, B 8, C 8: A seeded, intermediate B and C for 1 place.
- A 8, B 8, C 8: intermediate among all three for 2 places; there A 5, B 5, C 5: lot for 2
  places; A 6, B 5, C 5: A through, lot between B and C for 1 place.

Every list of candidates in a result keeps the order of the ballot; a run-off after an
intermediate vote lists the seeded first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from server.rules.decision import Majority, Outcome, decide, percent_for
from server.rules.election_tally import ElectionTally, check_candidates
from server.rules.tally import Tally


class RoundKind(StrEnum):
    """The kind of an election round (SPEC 2.10)."""

    FIRST = "first"
    SECOND = "second"
    INTERMEDIATE = "intermediate"
    RUNOFF = "runoff"
    SINGLE = "single"


class ElectionOutcome(StrEnum):
    """How an election round ended: a candidate elected, another round, a lot to draw, or (a
    single-candidate vote only) the candidate not elected."""

    ELECTED = "elected"
    NEXT_ROUND = "next_round"
    LOT = "lot"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class CandidateResult:
    """One candidate's votes (weight), members and percentage of cast votes (SPEC 2.6)."""

    id: int
    votes: int
    members: int
    percent: str | None


@dataclass(frozen=True, slots=True)
class ElectionResult:
    """The result of one election round.

    `next_round` and `next_candidates` name the next round (outcome NEXT_ROUND); for LOT,
    `next_candidates` are those among whom the lot is drawn. `seeded` are candidates already sure
    of a run-off place while an intermediate vote or its lot fills the other `places`; both are
    empty/0 otherwise. `drawn` are the names the lot gave, in drawing order. `against` and
    `against_members` belong to a single-candidate vote only (there `candidates[0]` holds the
    votes for). The constructor checks that the figures add up and the fields agree.
    """

    outcome: ElectionOutcome
    round: RoundKind
    candidates: tuple[CandidateResult, ...]
    abstain: int
    abstain_members: int
    cast: int
    members_voted: int
    elected: int | None
    next_round: RoundKind | None
    next_candidates: tuple[int, ...]
    seeded: tuple[int, ...]
    places: int
    drawn: tuple[int, ...] = ()
    against: int = 0
    against_members: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", ElectionOutcome(self.outcome))
        object.__setattr__(self, "round", RoundKind(self.round))
        if self.next_round is not None:
            object.__setattr__(self, "next_round", RoundKind(self.next_round))
        problem = _inconsistency(self)
        if problem:
            raise ValueError(f"inconsistent election result ({problem}): {self!r}")

    @property
    def candidate_ids(self) -> tuple[int, ...]:
        return tuple(c.id for c in self.candidates)

    def votes(self, candidate: int) -> int:
        """The votes of one candidate of this round (KeyError if it did not stand)."""
        for c in self.candidates:
            if c.id == candidate:
                return c.votes
        raise KeyError(candidate)


def _inconsistency(r: ElectionResult) -> str | None:
    ids = r.candidate_ids
    check_candidates(ids)
    check_candidates([*r.next_candidates, *r.seeded])
    numbers = [r.abstain, r.abstain_members, r.cast, r.members_voted, r.places, r.against, r.against_members]
    numbers += [n for c in r.candidates for n in (c.votes, c.members)]
    single = r.round is RoundKind.SINGLE
    cast = sum(c.votes for c in r.candidates) + r.against
    members = sum(c.members for c in r.candidates) + r.against_members + r.abstain_members
    pending = r.outcome in (ElectionOutcome.NEXT_ROUND, ElectionOutcome.LOT)
    checks = [
        (min(numbers) >= 0, "a negative figure"),
        (bool(ids), "no candidates"),
        (r.cast == cast and r.members_voted == members, "figures that do not add up"),
        (all(c.percent == percent_for(c.votes, r.cast) for c in r.candidates), "a wrong percentage"),
        ((r.outcome is ElectionOutcome.ELECTED) == (r.elected is not None), "elected and outcome"),
        (r.elected is None or r.elected in ids, "elected a candidate who did not stand"),
        ((r.outcome is ElectionOutcome.NEXT_ROUND) == (r.next_round is not None), "next round"),
        (pending == bool(r.next_candidates), "next candidates"),
        (pending or (not r.seeded and r.places == 0), "seeded or places after the end"),
        (set(r.drawn) <= set(ids) | set(r.seeded) | set(r.next_candidates), "drawn a stranger"),
        (single or r.outcome is not ElectionOutcome.REJECTED, "rejected in an election"),
        (not single or (len(ids) == 1 and not pending and not r.drawn), "a single vote with rounds"),
        (single or (r.against == 0 and r.against_members == 0), "against in an election"),
    ]
    return next((why for ok, why in checks if not ok), None)


@dataclass(frozen=True, slots=True)
class NextRound:
    """What the next round of an election is: pass its fields to `decide_election` at its close."""

    round: RoundKind
    candidates: tuple[int, ...]
    seeded: tuple[int, ...] = ()
    places: int = 0


def election_outcome(outcome: Outcome) -> ElectionOutcome:
    """A single-candidate vote in the words of an election: adopted is elected, rejected is rejected."""
    mapping = {Outcome.ADOPTED: ElectionOutcome.ELECTED, Outcome.REJECTED: ElectionOutcome.REJECTED}
    try:
        return mapping[Outcome(outcome)]
    except KeyError:
        raise ValueError(f"a single-candidate vote is adopted or rejected, not {outcome!r}") from None


def _split(votes: Mapping[int, int], places: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(through, tied) for `places` places by most votes.

    No tie across the boundary: (the top `places`, ()). Otherwise: (those strictly ahead of the
    boundary, those level with it), of whom more than the remaining places are tied.
    """
    boundary = sorted(votes.values(), reverse=True)[places - 1]
    ahead = tuple(c for c, v in votes.items() if v > boundary)
    level = tuple(c for c, v in votes.items() if v == boundary)
    if len(ahead) + len(level) == places:
        return tuple(c for c, v in votes.items() if v >= boundary), ()
    return ahead, level


def _check_round(
    round: RoundKind, ids: tuple[int, ...], tally: ElectionTally, seeded: tuple[int, ...], places: int
) -> None:
    if set(tally.candidates) != set(ids):
        raise ValueError(f"the tally counts {tally.candidates}, the round has {ids}")
    if round is RoundKind.SINGLE:
        raise ValueError("a single-candidate vote is yes/no: decide it with decide_single")
    if round is RoundKind.INTERMEDIATE:
        if len(seeded) > 1 or places != 2 - len(seeded) or set(seeded) & set(ids):
            raise ValueError(f"an intermediate vote fills 2 - seeded places: {seeded}, {places}")
        if len(ids) <= places:
            raise ValueError(f"an intermediate vote needs more than {places} candidates, got {ids}")
    elif seeded:
        raise ValueError(f"only an intermediate vote has seeded candidates, not a {round} round")
    elif round is RoundKind.RUNOFF and len(ids) != 2:
        raise ValueError(f"a run-off has two candidates, got {ids}")
    elif len(ids) < 2:
        raise ValueError(f"an election has two candidates or more, got {ids}")


def decide_election(
    round: RoundKind,
    candidates: Sequence[int],
    tally: ElectionTally,
    *,
    seeded: Sequence[int] = (),
    places: int = 2,
) -> ElectionResult:
    """Decide a closed election round (SPEC 2.10; the rules in this module's docstring).

    `candidates` in the ballot's order; `seeded` and `places` only for an intermediate vote (as
    the previous result or `plan_next_round` gave them; `places` is ignored in other rounds).
    """
    round = RoundKind(round)
    ids, sure = check_candidates(candidates), check_candidates(seeded)
    _check_round(round, ids, tally, sure, places)
    votes = {c: tally.votes[c] for c in ids}
    cast = tally.cast
    result = ElectionResult(
        outcome=ElectionOutcome.NEXT_ROUND,
        round=round,
        candidates=tuple(
            CandidateResult(c, votes[c], tally.members[c], percent_for(votes[c], cast)) for c in ids
        ),
        abstain=tally.abstain,
        abstain_members=tally.abstain_members,
        cast=cast,
        members_voted=tally.members_voted,
        elected=None,
        next_round=RoundKind.SECOND,
        next_candidates=ids,
        seeded=(),
        places=0,
    )
    majority = [c for c in ids if 2 * votes[c] > cast]
    if majority and round is not RoundKind.INTERMEDIATE:
        return replace(
            result, outcome=ElectionOutcome.ELECTED, elected=majority[0], next_round=None, next_candidates=()
        )
    if round is RoundKind.FIRST:
        return result
    if round is RoundKind.SECOND:
        through, tied = _split(votes, 2)
        if not tied:
            return replace(result, next_round=RoundKind.RUNOFF, next_candidates=through)
        return replace(
            result,
            next_round=RoundKind.INTERMEDIATE,
            next_candidates=tied,
            seeded=through,
            places=2 - len(through),
        )
    if round is RoundKind.INTERMEDIATE:
        through, tied = _split(votes, places)
        if not tied:
            return replace(result, next_round=RoundKind.RUNOFF, next_candidates=sure + through)
        return replace(
            result,
            outcome=ElectionOutcome.LOT,
            next_round=None,
            next_candidates=tied,
            seeded=sure + through,
            places=places - len(through),
        )
    # A run-off without a majority: with two candidates that is a tie (0 cast included).
    return replace(result, outcome=ElectionOutcome.LOT, next_round=None, next_candidates=ids, places=1)


def decide_single(candidate: int, tally: Tally) -> ElectionResult:
    """Decide a single-candidate vote (SPEC 2.10: "with one candidate left, the vote is yes/no").

    Simple majority on for and against (SPEC 2.5), abstentions not cast; adopted is elected.
    """
    (candidate,) = check_candidates([candidate])
    decision = decide(tally, Majority.SIMPLE)
    outcome = election_outcome(decision.outcome)
    return ElectionResult(
        outcome=outcome,
        round=RoundKind.SINGLE,
        candidates=(CandidateResult(candidate, tally.for_, tally.members_for, decision.percent_for),),
        abstain=tally.abstain,
        abstain_members=tally.members_abstain,
        cast=decision.cast,
        members_voted=decision.members_voted,
        elected=candidate if outcome is ElectionOutcome.ELECTED else None,
        next_round=None,
        next_candidates=(),
        seeded=(),
        places=0,
        against=tally.against,
        against_members=tally.members_against,
    )


def draw_lot(result: ElectionResult, winner: int) -> ElectionResult:
    """The result once the chair has entered the lot drawn in the hall (SPEC 2.10).

    After a run-off the lot elects `winner`. After an intermediate vote `winner` takes one
    run-off place; while places remain the outcome stays LOT among the others (enter the next
    name), and once they are filled the run-off is the next round. ValueError unless the result
    awaits a lot and `winner` is among `next_candidates`.
    """
    if result.outcome is not ElectionOutcome.LOT:
        raise ValueError(f"no lot to draw after an outcome {result.outcome}")
    if winner not in result.next_candidates:
        raise ValueError(f"the lot is drawn among {result.next_candidates}, not {winner!r}")
    drawn = (*result.drawn, winner)
    if result.round is RoundKind.RUNOFF:
        return replace(
            result,
            outcome=ElectionOutcome.ELECTED,
            elected=winner,
            next_candidates=(),
            places=0,
            drawn=drawn,
        )
    seeded, places = (*result.seeded, winner), result.places - 1
    if places:
        rest = tuple(c for c in result.next_candidates if c != winner)
        return replace(result, next_candidates=rest, seeded=seeded, places=places, drawn=drawn)
    return replace(
        result,
        outcome=ElectionOutcome.NEXT_ROUND,
        next_round=RoundKind.RUNOFF,
        next_candidates=seeded,
        seeded=(),
        places=0,
        drawn=drawn,
    )


def _after(candidates: tuple[int, ...], kind: RoundKind) -> NextRound:
    if not candidates:
        raise ValueError("every candidate has withdrawn: there is no next round")
    return NextRound(RoundKind.SINGLE if len(candidates) == 1 else kind, candidates)


def plan_next_round(result: ElectionResult, withdrawn: Iterable[int] = ()) -> NextRound:
    """The next round after `result` (outcome NEXT_ROUND), without the `withdrawn` candidates.

    Second round: the others. Run-off: the other two; one left: a single-candidate vote.
    Intermediate vote: the places of a withdrawn seeded candidate open up to the tied; when no
    more tied are left than open places, they go to the run-off directly (or, one left in all, a
    single-candidate vote). No candidate left raises ValueError, as does withdrawing a candidate
    who does not stand in the next round or a result that has no next round.
    """
    if result.next_round is None:
        raise ValueError(f"no next round after an outcome {result.outcome}")
    gone = set(withdrawn)
    standing = {*result.next_candidates, *result.seeded}
    if not gone <= standing:
        raise ValueError(f"{sorted(gone - standing)} do not stand in the next round")
    tied = tuple(c for c in result.next_candidates if c not in gone)
    if result.next_round is not RoundKind.INTERMEDIATE:
        return _after(tied, result.next_round)
    seeded = tuple(c for c in result.seeded if c not in gone)
    places = 2 - len(seeded)
    if len(tied) > places:
        return NextRound(RoundKind.INTERMEDIATE, tied, seeded, places)
    return _after(seeded + tied, RoundKind.RUNOFF)
