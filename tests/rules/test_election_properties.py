"""Property tests of the election rules (SPEC 2.10) against oracles in `fractions.Fraction` and in
plain counting.

Votes come from few members with small weights, so that ties, exact halves and rounds without
cast votes are common rather than rare.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from server.rules import (
    Choice,
    ElectionChoice,
    ElectionOutcome,
    ElectionResult,
    ElectionTally,
    RoundKind,
    decide_election,
    decide_single,
    draw_lot,
    plan_next_round,
    result_data,
    result_from_data,
    tally_election,
    tally_votes,
)

R, E = RoundKind, ElectionOutcome
ORDER = {R.FIRST: 0, R.SECOND: 1, R.INTERMEDIATE: 2, R.RUNOFF: 3, R.SINGLE: 3}

candidate_ids = st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=6, unique=True)
weights = st.integers(min_value=1, max_value=4)


def ballots(candidates: list[int], max_size: int = 10) -> st.SearchStrategy[list[tuple[ElectionChoice, int]]]:
    """(choice, weight) of each member that voted."""
    choice: st.SearchStrategy[ElectionChoice] = st.one_of(st.sampled_from(candidates), st.just("abstain"))
    return st.lists(st.tuples(choice, weights), max_size=max_size)


def counted(candidates: list[int], votes: list[tuple[ElectionChoice, int]]) -> ElectionTally:
    t = ElectionTally.empty(candidates)
    for choice, weight in votes:
        t = t.add(choice, weight)
    return t


def elected_oracle(t: ElectionTally) -> set[int]:
    """More than half of the cast votes, in exact fractions; nobody when nothing was cast."""
    cast = sum(t.votes.values())
    return {c for c, v in t.votes.items() if cast and Fraction(v, cast) > Fraction(1, 2)}


def places_oracle(t: ElectionTally, places: int) -> tuple[set[int], set[int]]:
    """(sure of a place, tied for the rest) by counting who has more and who has as many votes."""
    sure, tied = set(), set()
    for c, v in t.votes.items():
        more = sum(1 for w in t.votes.values() if w > v)
        level = sum(1 for w in t.votes.values() if w == v)  # c included
        if more + level <= places:
            sure.add(c)
        elif more < places:
            tied.add(c)
    return sure, tied


def percent_oracle(votes: int, cast: int) -> str | None:
    if cast == 0:
        return None
    hundredths = math.floor(Fraction(10000 * votes, cast) + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}"


# The tally


@given(st.data())
def test_add_and_remove_are_inverse_and_never_go_below_zero(data: st.DataObject) -> None:
    candidates = data.draw(candidate_ids)
    votes = data.draw(ballots(candidates))
    full = counted(candidates, votes)
    assert full.cast == sum(w for c, w in votes if c != "abstain")
    assert full.members_voted == len(votes)
    t = full
    for choice, weight in data.draw(st.permutations(votes)):
        t = t.remove(choice, weight)
    assert t == ElectionTally.empty(candidates)
    if votes:
        choice, weight = votes[-1]
        assert counted(candidates, votes[:-1]) == full.remove(choice, weight)
    choice = data.draw(st.sampled_from([*candidates, "abstain"]))
    present = full.abstain if choice == "abstain" else full.votes[choice]
    try:
        full.remove(choice, present + 1)
    except ValueError:
        pass
    else:
        raise AssertionError("removed more than the tally holds")


@given(st.data())
def test_tally_election_agrees_with_adding_one_vote_at_a_time(data: st.DataObject) -> None:
    candidates = data.draw(candidate_ids)
    votes = data.draw(ballots(candidates))
    members = {f"m{i}": vote for i, vote in enumerate(votes)}
    as_stored = {
        code: str(c) if data.draw(st.booleans()) and c != "abstain" else c for code, (c, _) in members.items()
    }
    t = tally_election(as_stored, {code: w for code, (_, w) in members.items()}, candidates)
    assert t == counted(candidates, data.draw(st.permutations(votes)))


# The decision


@given(st.data())
def test_a_majority_elects_in_any_round_but_an_intermediate_vote(data: st.DataObject) -> None:
    candidates = data.draw(candidate_ids)
    round = data.draw(st.sampled_from([R.FIRST, R.SECOND, R.INTERMEDIATE, R.RUNOFF]))
    if round is R.RUNOFF:
        candidates = candidates[:2]
    if round is R.INTERMEDIATE and len(candidates) < 3:
        candidates = [*candidates, max(candidates) + 1]
    t = counted(candidates, data.draw(ballots(candidates)))
    result = decide_election(round, candidates, t)
    winners = elected_oracle(t) if round is not R.INTERMEDIATE else set()
    assert (result.outcome is E.ELECTED) == bool(winners)
    assert {result.elected} - {None} == winners
    for c in result.candidates:
        assert c.percent == percent_oracle(c.votes, result.cast)
        assert c.votes == t.votes[c.id]


@given(st.data())
def test_the_second_round_and_the_intermediate_vote_fill_the_runoff_places(data: st.DataObject) -> None:
    candidates = data.draw(candidate_ids)
    t = counted(candidates, data.draw(ballots(candidates)))
    result = decide_election(R.SECOND, candidates, t)
    if elected_oracle(t):
        return
    sure, tied = places_oracle(t, 2)
    if not tied:
        assert (result.next_round, set(result.next_candidates)) == (R.RUNOFF, sure)
        return
    assert (result.next_round, set(result.next_candidates), set(result.seeded)) == (
        R.INTERMEDIATE,
        tied,
        sure,
    )
    assert result.places == 2 - len(sure) > 0
    inner = list(result.next_candidates)
    t2 = counted(inner, data.draw(ballots(inner)))
    second = decide_election(R.INTERMEDIATE, inner, t2, seeded=result.seeded, places=result.places)
    sure2, tied2 = places_oracle(t2, result.places)
    assert set(second.seeded) | set(second.next_candidates) <= sure | tied
    if tied2:
        assert (second.outcome, set(second.next_candidates)) == (E.LOT, tied2)
        assert (set(second.seeded), second.places) == (sure | sure2, 2 - len(sure | sure2))
    else:
        assert (second.next_round, set(second.next_candidates)) == (R.RUNOFF, sure | sure2)


# The JSON result


@given(st.data())
def test_result_data_round_trips(data: st.DataObject) -> None:
    candidates = data.draw(candidate_ids)
    round = data.draw(st.sampled_from([R.FIRST, R.SECOND, R.RUNOFF]))
    candidates = candidates[:2] if round is R.RUNOFF else candidates
    result = decide_election(round, candidates, counted(candidates, data.draw(ballots(candidates))))
    while result.outcome is E.LOT and data.draw(st.booleans()):
        result = draw_lot(result, data.draw(st.sampled_from(result.next_candidates)))
    assert result_from_data(json.loads(json.dumps(result_data(result)))) == result


# A whole election


def _round(
    data: st.DataObject, kind: RoundKind, candidates: tuple[int, ...], seeded: tuple[int, ...], places: int
) -> ElectionResult:
    if kind is R.SINGLE:
        yes_no = data.draw(st.lists(st.tuples(st.sampled_from(list(Choice)), weights), max_size=6))
        codes = {f"m{i}": v for i, v in enumerate(yes_no)}
        tally = tally_votes({k: c for k, (c, _) in codes.items()}, {k: w for k, (_, w) in codes.items()})
        return decide_single(candidates[0], tally)
    t = counted(list(candidates), data.draw(ballots(list(candidates))))
    return decide_election(kind, candidates, t, seeded=seeded, places=places)


@given(st.data(), st.booleans())
def test_an_election_ends_with_one_elected_within_bounded_rounds(
    data: st.DataObject, withdrawals: bool
) -> None:
    nominated = tuple(data.draw(candidate_ids))
    kind, candidates, seeded, places = R.FIRST, nominated, (), 2
    kinds: list[RoundKind] = []
    draws = 0
    while True:
        kinds.append(kind)
        assert len(kinds) <= 4
        result = _round(data, kind, candidates, seeded, places)
        while result.outcome is E.LOT:
            assert set(result.next_candidates) <= set(candidates)  # the lot is among this round's
            result = draw_lot(result, data.draw(st.sampled_from(result.next_candidates)))
            draws += 1
        assert draws <= 3
        if result.outcome is not E.NEXT_ROUND:
            break
        standing = [*result.next_candidates, *result.seeded]
        gone = (
            data.draw(st.lists(st.sampled_from(standing), unique=True, max_size=len(standing) - 1))
            if withdrawals
            else []
        )
        plan = plan_next_round(result, gone)
        assert set(plan.candidates) | set(plan.seeded) <= (set(candidates) | set(seeded)) - set(gone)
        assert ORDER[plan.round] > ORDER[kind]
        kind, candidates, seeded, places = plan.round, plan.candidates, plan.seeded, plan.places
    assert kinds == sorted(kinds, key=ORDER.__getitem__)
    assert set(candidates) <= set(nominated)
    if result.outcome is E.ELECTED:
        assert result.elected in candidates
    else:
        assert (result.outcome, kind, withdrawals) == (E.REJECTED, R.SINGLE, True)
