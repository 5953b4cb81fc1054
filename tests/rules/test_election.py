"""The rounds of an election (SPEC 2.10, docs/SECRET_BALLOTS.md "Rounds"): worked cases."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from server.rules import (
    ElectionOutcome,
    ElectionResult,
    ElectionTally,
    NextRound,
    Outcome,
    RoundKind,
    Tally,
    decide_election,
    decide_single,
    draw_lot,
    election_choice,
    election_outcome,
    election_sentence,
    hand_count_result_data,
    hand_count_result_from_data,
    plan_next_round,
    result_data,
    result_from_data,
    secret_result_data,
    secret_result_from_data,
    tally_election,
)

A, B, C, D = 11, 22, 33, 44
NAMES = {A: "Anna Alfa", B: "Bert Beta", C: "Cees Gamma", D: "Dirk Delta"}
R = RoundKind
E = ElectionOutcome


def tally(votes: Mapping[int, int], abstain: int = 0) -> ElectionTally:
    """A tally where each candidate's votes came from one member (abstentions from one more)."""
    t = ElectionTally.empty(list(votes))
    for candidate, weight in votes.items():
        t = t.add(candidate, weight)
    return t.add("abstain", abstain) if abstain else t


def decide(
    round: RoundKind, votes: Mapping[int, int], *, seeded: Sequence[int] = (), abstain: int = 0
) -> ElectionResult:
    return decide_election(round, list(votes), tally(votes, abstain), seeded=seeded, places=2 - len(seeded))


# The tally


def test_tally_counts_weight_members_and_abstentions_apart() -> None:
    t = tally_election(
        {"AMS": A, "UTR": str(B), "GRO": "abstain", "LEI": B},
        {"AMS": 75, "UTR": 30, "GRO": 20, "LEI": 10},
        [A, B, C],
    )
    assert dict(t.votes) == {A: 75, B: 40, C: 0}
    assert dict(t.members) == {A: 1, B: 2, C: 0}
    assert (t.abstain, t.abstain_members) == (20, 1)
    assert t.cast == 115  # abstentions are never cast
    assert t.members_voted == 4
    assert t.candidates == (A, B, C)


def test_a_changed_vote_moves_the_whole_weight() -> None:
    t = tally({A: 5, B: 3}).remove(A, 5).add(B, 5)
    assert dict(t.votes) == {A: 0, B: 8}
    assert dict(t.members) == {A: 0, B: 2}


@pytest.mark.parametrize("choice", [C, "abstention", "11", True, None, 11.0])
def test_a_choice_that_is_not_a_candidate_is_refused(choice: Any) -> None:
    with pytest.raises(ValueError):
        tally({A: 1, B: 1}).add(choice, 1)


@pytest.mark.parametrize("choice", [C, "33", "011", " 11", "abstention", True])
def test_tally_election_refuses_a_stored_choice_that_is_not_a_candidate(choice: Any) -> None:
    with pytest.raises(ValueError):
        tally_election({"AMS": choice}, {"AMS": 5}, [A, B])


def test_tally_election_needs_every_voter_s_weight() -> None:
    with pytest.raises(KeyError):
        tally_election({"AMS": A}, {}, [A, B])


def test_a_tally_never_goes_below_zero() -> None:
    with pytest.raises(ValueError):
        tally({A: 1, B: 0}).remove(B, 1)
    with pytest.raises(ValueError):
        tally({A: 1, B: 0}).remove("abstain", 0)  # no member abstained
    with pytest.raises(ValueError):
        tally({A: 1, B: 0}).add(A, -1)


@pytest.mark.parametrize("candidates", [[A, A], [A, True], ["11", B]])
def test_candidates_are_distinct_integer_ids(candidates: list[Any]) -> None:
    with pytest.raises(ValueError):
        ElectionTally.empty(candidates)


def test_tallies_are_values() -> None:
    assert tally({A: 3, B: 2}) == tally({A: 3, B: 2})
    assert hash(tally({A: 3, B: 2})) == hash(tally({A: 3, B: 2}))
    assert tally({A: 3, B: 2}) != tally({A: 2, B: 3})


def test_election_choice_is_an_integer_id_or_abstain() -> None:
    assert election_choice(A, [A, B]) == A
    assert election_choice("abstain", [A, B]) == "abstain"
    for bad in ["11", C, True, "for", None]:
        with pytest.raises(ValueError):
            election_choice(bad, [A, B])


# A majority: 2 * votes > cast, in any round but an intermediate vote


@pytest.mark.parametrize("round", [R.FIRST, R.SECOND, R.RUNOFF])
def test_exactly_half_of_cast_is_not_elected_one_more_is(round: RoundKind) -> None:
    assert decide(round, {A: 14, B: 14}).outcome is not E.ELECTED
    assert decide(round, {A: 15, B: 14}).elected == A
    assert decide(round, {A: 14, B: 15}).elected == B


def test_with_three_candidates_half_is_not_a_majority() -> None:
    assert decide(R.FIRST, {A: 10, B: 5, C: 5}).outcome is E.NEXT_ROUND
    result = decide(R.FIRST, {A: 11, B: 5, C: 5})
    assert (result.outcome, result.elected, result.next_round, result.next_candidates) == (
        E.ELECTED,
        A,
        None,
        (),
    )


def test_abstentions_are_not_cast() -> None:
    result = decide(R.FIRST, {A: 10, B: 9}, abstain=100)
    assert (result.elected, result.cast, result.abstain) == (A, 19, 100)


def test_percentages_are_of_cast_votes_half_up() -> None:
    result = decide(R.FIRST, {A: 15, B: 13}, abstain=7)
    assert [c.percent for c in result.candidates] == ["53.57", "46.43"]
    assert [c.percent for c in decide(R.RUNOFF, {A: 1, B: 799}).candidates] == ["0.13", "99.88"]
    assert [c.percent for c in decide(R.RUNOFF, {A: 0, B: 0}).candidates] == [None, None]


# The transitions


def test_first_round_without_majority_gives_a_second_with_the_same_candidates() -> None:
    result = decide(R.FIRST, {A: 10, B: 8, C: 8})
    assert (result.outcome, result.next_round, result.next_candidates) == (E.NEXT_ROUND, R.SECOND, (A, B, C))


def test_second_round_gives_a_runoff_between_the_two_with_most_votes_in_ballot_order() -> None:
    result = decide(R.SECOND, {A: 5, B: 10, C: 8})
    assert (result.next_round, result.next_candidates, result.seeded, result.places) == (
        R.RUNOFF,
        (B, C),
        (),
        0,
    )


def test_two_tied_for_first_go_to_the_runoff_together() -> None:
    assert decide(R.SECOND, {A: 8, B: 2, C: 8}).next_candidates == (A, C)
    assert decide(R.SECOND, {A: 9, B: 9, C: 3, D: 3}).next_candidates == (A, B)


def test_a_tie_for_the_second_place_gives_an_intermediate_vote() -> None:
    result = decide(R.SECOND, {A: 10, B: 8, C: 8})
    assert (result.next_round, result.next_candidates, result.seeded, result.places) == (
        R.INTERMEDIATE,
        (B, C),
        (A,),
        1,
    )
    result = decide(R.SECOND, {A: 9, B: 5, C: 5, D: 5})
    assert (result.next_candidates, result.seeded, result.places) == ((B, C, D), (A,), 1)


def test_three_tied_for_first_give_an_intermediate_vote_for_both_places() -> None:
    result = decide(R.SECOND, {A: 8, B: 8, C: 8})
    assert (result.next_round, result.next_candidates, result.seeded, result.places) == (
        R.INTERMEDIATE,
        (A, B, C),
        (),
        2,
    )
    result = decide(R.SECOND, {A: 9, B: 9, C: 1, D: 9})
    assert (result.next_candidates, result.seeded, result.places) == ((A, B, D), (), 2)


def test_the_intermediate_vote_fills_the_open_places() -> None:
    result = decide(R.INTERMEDIATE, {B: 4, C: 3, D: 1}, seeded=[A])
    assert (result.outcome, result.next_round, result.next_candidates) == (E.NEXT_ROUND, R.RUNOFF, (A, B))
    result = decide(R.INTERMEDIATE, {B: 5, C: 1, D: 5}, seeded=[])
    assert result.next_candidates == (B, D)


def test_nobody_is_elected_in_an_intermediate_vote() -> None:
    result = decide(R.INTERMEDIATE, {B: 100, C: 1}, seeded=[A])
    assert (result.outcome, result.elected, result.next_candidates) == (E.NEXT_ROUND, None, (A, B))


def test_a_tie_in_the_intermediate_vote_goes_to_lot_among_the_tied_at_the_boundary_only() -> None:
    result = decide(R.INTERMEDIATE, {B: 4, C: 1, D: 4}, seeded=[A])
    assert (result.outcome, result.next_round, result.next_candidates, result.seeded, result.places) == (
        E.LOT,
        None,
        (B, D),
        (A,),
        1,
    )
    result = decide(R.INTERMEDIATE, {A: 5, B: 3, C: 3}, seeded=[])
    assert (result.next_candidates, result.seeded, result.places) == ((B, C), (A,), 1)
    result = decide(R.INTERMEDIATE, {A: 3, B: 3, C: 3, D: 2}, seeded=[])
    assert (result.next_candidates, result.seeded, result.places) == ((A, B, C), (), 2)


def test_a_tie_in_the_runoff_goes_to_lot() -> None:
    result = decide(R.RUNOFF, {A: 7, B: 7}, abstain=3)
    assert (result.outcome, result.next_candidates, result.seeded, result.places) == (E.LOT, (A, B), (), 1)


# No cast votes at all: every candidate is tied at zero


def test_no_cast_votes() -> None:
    assert decide(R.FIRST, {A: 0, B: 0, C: 0}, abstain=4).next_candidates == (A, B, C)
    two = decide(R.SECOND, {A: 0, B: 0})
    assert (two.next_round, two.next_candidates) == (R.RUNOFF, (A, B))
    three = decide(R.SECOND, {A: 0, B: 0, C: 0})
    assert (three.next_round, three.next_candidates, three.places) == (R.INTERMEDIATE, (A, B, C), 2)
    assert decide(R.INTERMEDIATE, {A: 0, B: 0, C: 0}).outcome is E.LOT
    assert decide(R.RUNOFF, {A: 0, B: 0}).outcome is E.LOT


# The lot


def test_the_lot_after_a_runoff_elects() -> None:
    result = draw_lot(decide(R.RUNOFF, {A: 7, B: 7}), B)
    assert (result.outcome, result.elected, result.drawn, result.next_candidates, result.places) == (
        E.ELECTED,
        B,
        (B,),
        (),
        0,
    )


def test_the_lot_after_an_intermediate_vote_fills_the_places_one_name_at_a_time() -> None:
    first = draw_lot(decide(R.INTERMEDIATE, {A: 3, B: 3, C: 3}), C)
    assert (first.outcome, first.next_candidates, first.seeded, first.places, first.drawn) == (
        E.LOT,
        (A, B),
        (C,),
        1,
        (C,),
    )
    second = draw_lot(first, A)
    assert (second.outcome, second.next_round, second.next_candidates, second.drawn) == (
        E.NEXT_ROUND,
        R.RUNOFF,
        (C, A),
        (C, A),
    )
    assert second.elected is None


def test_the_lot_is_only_among_the_tied() -> None:
    result = decide(R.INTERMEDIATE, {B: 4, C: 1, D: 4}, seeded=[A])
    for outsider in (A, C, 99):
        with pytest.raises(ValueError):
            draw_lot(result, outsider)
    with pytest.raises(ValueError):
        draw_lot(decide(R.RUNOFF, {A: 8, B: 7}), A)  # decided: nothing to draw


# What a round needs


@pytest.mark.parametrize(
    ("round", "candidates", "seeded", "places"),
    [
        (R.FIRST, [A], [], 2),
        (R.SECOND, [A], [], 2),
        (R.RUNOFF, [A, B, C], [], 2),
        (R.SINGLE, [A], [], 2),
        (R.SECOND, [B, C], [A], 1),
        (R.INTERMEDIATE, [B, C], [A], 2),  # places must be 2 - seeded
        (R.INTERMEDIATE, [B, C], [A, D], 0),
        (R.INTERMEDIATE, [B, C], [B], 1),
        (R.INTERMEDIATE, [B], [A], 1),  # nobody to choose between
        (R.FIRST, [A, A, B], [], 2),
    ],
)
def test_a_round_out_of_shape_is_refused(
    round: RoundKind, candidates: list[int], seeded: list[int], places: int
) -> None:
    with pytest.raises(ValueError):
        decide_election(
            round,
            candidates,
            ElectionTally.empty(list(dict.fromkeys(candidates))),
            seeded=seeded,
            places=places,
        )


def test_the_tally_must_count_the_round_s_candidates() -> None:
    with pytest.raises(ValueError):
        decide_election(R.FIRST, [A, B], tally({A: 1, C: 1}))


# A single-candidate vote: yes/no, simple majority


@pytest.mark.parametrize(
    ("for_", "against", "outcome", "percent"),
    [
        (8, 2, E.ELECTED, "80.00"),
        (5, 5, E.REJECTED, "50.00"),
        (6, 5, E.ELECTED, "54.55"),
        (0, 0, E.REJECTED, None),
    ],
)
def test_a_single_candidate_vote(
    for_: int, against: int, outcome: ElectionOutcome, percent: str | None
) -> None:
    result = decide_single(B, Tally(for_, against, 3, 1, 1, 1))
    assert (result.outcome, result.round, result.cast, result.against, result.abstain) == (
        outcome,
        R.SINGLE,
        for_ + against,
        against,
        3,
    )
    assert result.candidates[0].percent == percent
    assert result.elected == (B if outcome is E.ELECTED else None)
    assert result.members_voted == 3


def test_election_outcome_maps_a_yes_no_decision() -> None:
    assert election_outcome(Outcome.ADOPTED) is E.ELECTED
    assert election_outcome(Outcome.REJECTED) is E.REJECTED
    with pytest.raises(ValueError):
        election_outcome(Outcome.ACCLAMATION)


# The next round, and withdrawals


def test_plan_next_round_follows_the_result() -> None:
    assert plan_next_round(decide(R.FIRST, {A: 1, B: 1, C: 1})) == NextRound(R.SECOND, (A, B, C))
    assert plan_next_round(decide(R.SECOND, {A: 10, B: 8, C: 8})) == NextRound(
        R.INTERMEDIATE, (B, C), (A,), 1
    )
    assert plan_next_round(decide(R.SECOND, {A: 10, B: 8, C: 3})) == NextRound(R.RUNOFF, (A, B))


def test_withdrawals() -> None:
    first = decide(R.FIRST, {A: 1, B: 1, C: 1})
    assert plan_next_round(first, [C]) == NextRound(R.SECOND, (A, B))
    assert plan_next_round(first, [A, C]) == NextRound(R.SINGLE, (B,))
    runoff = decide(R.SECOND, {A: 10, B: 8, C: 3})
    assert plan_next_round(runoff, [A]) == NextRound(R.SINGLE, (B,))
    tie = decide(R.SECOND, {A: 10, B: 8, C: 8, D: 8})
    assert plan_next_round(tie, [D]) == NextRound(R.INTERMEDIATE, (B, C), (A,), 1)
    assert plan_next_round(tie, [C, D]) == NextRound(R.RUNOFF, (A, B))
    assert plan_next_round(tie, [A]) == NextRound(R.INTERMEDIATE, (B, C, D), (), 2)
    assert plan_next_round(tie, [A, D]) == NextRound(R.RUNOFF, (B, C))
    assert plan_next_round(tie, [A, C, D]) == NextRound(R.SINGLE, (B,))


def test_withdrawals_that_leave_nobody_or_name_a_stranger_are_refused() -> None:
    with pytest.raises(ValueError):
        plan_next_round(decide(R.FIRST, {A: 1, B: 1}), [A, B])
    with pytest.raises(ValueError):
        plan_next_round(decide(R.SECOND, {A: 10, B: 8, C: 3}), [C])  # C is out already
    with pytest.raises(ValueError):
        plan_next_round(decide(R.FIRST, {A: 3, B: 1}))  # A is elected
    with pytest.raises(ValueError):
        plan_next_round(decide(R.RUNOFF, {A: 1, B: 1}))  # a lot, not a round


# The JSON result


def test_result_data_has_the_shape_of_the_design() -> None:
    result = decide(R.SECOND, {A: 10, B: 8, C: 8}, abstain=2)
    assert result_data(result) == {
        "round": "second",
        "outcome": "next_round",
        "candidates": [
            {"id": A, "votes": 10, "members": 1, "percent": "38.46"},
            {"id": B, "votes": 8, "members": 1, "percent": "30.77"},
            {"id": C, "votes": 8, "members": 1, "percent": "30.77"},
        ],
        "abstain": 2,
        "abstain_members": 1,
        "cast": 26,
        "members_voted": 4,
        "elected": None,
        "next_round": "intermediate",
        "next_candidates": [B, C],
        "seeded": [A],
        "places": 1,
        "drawn": [],
    }


def _examples() -> list[ElectionResult]:
    lot = decide(R.INTERMEDIATE, {A: 3, B: 3, C: 3})
    return [
        decide(R.FIRST, {A: 15, B: 13}),
        decide(R.SECOND, {A: 10, B: 8, C: 8}),
        decide(R.SECOND, {A: 0, B: 0, C: 0}),
        lot,
        draw_lot(lot, B),
        draw_lot(draw_lot(lot, B), A),
        draw_lot(decide(R.RUNOFF, {A: 2, B: 2}), A),
        decide_single(A, Tally(1, 2, 3, 1, 1, 1)),
        decide_single(A, Tally(0, 0, 0, 0, 0, 0)),
    ]


@pytest.mark.parametrize("result", _examples())
def test_result_data_round_trips_through_json(result: ElectionResult) -> None:
    assert result_from_data(json.loads(json.dumps(result_data(result)))) == result


def _broken(change: Mapping[str, Any], drop: str | None = None) -> dict[str, Any]:
    data = {**result_data(decide(R.FIRST, {A: 15, B: 13})), **change}
    if drop:
        del data[drop]
    return data


@pytest.mark.parametrize(
    "data",
    [
        _broken({}, drop="drawn"),
        _broken({"against": 0}),
        _broken({"cast": 27}),
        _broken({"abstain": True}),
        _broken({"elected": None}),
        _broken({"elected": C}),
        _broken({"outcome": "rejected", "elected": None}),
        _broken({"round": "third"}),
        _broken({"next_round": "second"}),
        _broken({"candidates": [{"id": A, "votes": 15, "members": 1, "percent": "53.57"}]}),
        _broken(
            {
                "candidates": [
                    {"id": A, "votes": 15, "members": 1, "percent": "53.6"},
                    {"id": B, "votes": 13, "members": 1, "percent": "46.43"},
                ]
            }
        ),
        _broken({"seeded": [A]}),
        _broken({"next_candidates": "AB"}),
    ],
)
def test_result_from_data_refuses_what_does_not_add_up(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        result_from_data(data)


def _from_units(round: RoundKind, votes: Mapping[int, int], abstain: int = 0) -> ElectionResult:
    """What a checker decides from a secret round's units: weights only, member counts zero."""
    zeros = dict.fromkeys(votes, 0)
    return decide_election(round, list(votes), ElectionTally(votes, zeros, abstain, 0))


def test_a_secret_result_says_no_member_count_per_choice() -> None:
    result = _from_units(R.FIRST, {A: 15, B: 13}, abstain=5)
    data = secret_result_data(result, members_voted=6)
    assert data == {
        **result_data(result),
        "candidates": [
            {"id": A, "votes": 15, "members": None, "percent": "53.57"},
            {"id": B, "votes": 13, "members": None, "percent": "46.43"},
        ],
        "abstain_members": None,
        "members_voted": 6,
    }
    single = secret_result_data(decide_single(A, Tally(4, 3, 1, 0, 0, 0)), members_voted=3)
    assert (single["against"], single["against_members"], single["candidates"][0]["members"]) == (
        3,
        None,
        None,
    )
    # A public election's result is unchanged.
    assert result_data(decide(R.FIRST, {A: 15, B: 13}))["candidates"][0]["members"] == 1


@pytest.mark.parametrize(
    "result",
    [
        _from_units(R.FIRST, {A: 15, B: 13}, abstain=5),
        _from_units(R.SECOND, {A: 10, B: 8, C: 8}),
        draw_lot(_from_units(R.RUNOFF, {A: 2, B: 2}), B),
        decide_single(A, Tally(1, 2, 3, 0, 0, 0)),
    ],
)
def test_a_secret_result_round_trips_through_json(result: ElectionResult) -> None:
    data = json.loads(json.dumps(secret_result_data(result, members_voted=9)))
    assert secret_result_from_data(data) == (result, 9)


def test_a_secret_result_with_a_member_count_is_refused() -> None:
    data = secret_result_data(_from_units(R.FIRST, {A: 15, B: 13}), members_voted=2)
    with pytest.raises(ValueError):
        secret_result_from_data({**data, "abstain_members": 0})
    with pytest.raises(ValueError):
        secret_result_from_data(
            {**data, "candidates": [{**data["candidates"][0], "members": 1}, data["candidates"][1]]}
        )
    with pytest.raises(ValueError):
        secret_result_from_data({**data, "members_voted": None})
    with pytest.raises(ValueError):
        secret_result_data(_from_units(R.FIRST, {A: 15, B: 13}), members_voted=-1)


def test_a_result_counted_by_hand_round_trips_without_any_member_count() -> None:
    result = _from_units(R.SECOND, {A: 10, B: 8, C: 8})
    data = json.loads(json.dumps(hand_count_result_data(result)))
    assert data["members_voted"] is None and {c["members"] for c in data["candidates"]} == {None}
    assert hand_count_result_from_data(data) == result
    with pytest.raises(ValueError):
        hand_count_result_from_data({**data, "members_voted": 3})  # a count by hand knows no members
    with pytest.raises(ValueError):
        secret_result_from_data(data)  # nor is it a secret ballot's result, which knows them


# The minutes


def sentences(result: ElectionResult) -> tuple[str, str]:
    return election_sentence(result, NAMES), election_sentence(result, NAMES, "en")


def test_minutes_of_an_election() -> None:
    assert sentences(decide(R.FIRST, {A: 13, B: 15})) == (
        "gekozen: Bert Beta met 53,57% van de stemmen",
        "elected: Bert Beta with 53.57% of the votes",
    )
    assert sentences(decide(R.FIRST, {A: 13, B: 13})) == (
        "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming",
        "no candidate has an absolute majority; second free vote",
    )
    assert sentences(decide(R.SECOND, {A: 13, B: 12, C: 3})) == (
        "geen kandidaat heeft de volstrekte meerderheid; herstemming tussen Anna Alfa en Bert Beta",
        "no candidate has an absolute majority; run-off between Anna Alfa and Bert Beta",
    )
    assert sentences(decide(R.SECOND, {A: 13, B: 10, C: 10})) == (
        "de stemmen staken tussen Bert Beta en Cees Gamma; tussenstemming",
        "the votes are tied between Bert Beta and Cees Gamma; intermediate vote",
    )
    runoff = decide(R.RUNOFF, {A: 9, B: 9})
    assert sentences(runoff) == ("de stemmen staken; het lot beslist", "the votes are tied; the lot decides")
    assert sentences(draw_lot(runoff, B)) == ("gekozen bij loting: Bert Beta", "elected by lot: Bert Beta")


def test_minutes_of_an_intermediate_vote() -> None:
    assert sentences(decide(R.INTERMEDIATE, {B: 3, C: 2}, seeded=[A])) == (
        "herstemming tussen Anna Alfa en Bert Beta",
        "run-off between Anna Alfa and Bert Beta",
    )
    lot = decide(R.INTERMEDIATE, {A: 2, B: 2, C: 2})
    once = draw_lot(lot, C)
    assert sentences(once) == (
        "bij loting naar de herstemming: Cees Gamma; het lot beslist opnieuw",
        "drawn by lot for the run-off: Cees Gamma; the lot decides again",
    )
    assert sentences(draw_lot(once, A)) == (
        "bij loting naar de herstemming: Cees Gamma en Anna Alfa; herstemming tussen Cees Gamma en Anna Alfa",
        "drawn by lot for the run-off: Cees Gamma and Anna Alfa; run-off between Cees Gamma and Anna Alfa",
    )


def test_minutes_say_when_no_votes_were_cast() -> None:
    assert (
        sentences(decide(R.FIRST, {A: 0, B: 0}))[0]
        == "er zijn geen stemmen uitgebracht; tweede vrije stemming"
    )
    assert sentences(decide(R.SECOND, {A: 0, B: 0, C: 0})) == (
        "er zijn geen stemmen uitgebracht; tussenstemming tussen Anna Alfa, Bert Beta en Cees Gamma",
        "no votes were cast; intermediate vote between Anna Alfa, Bert Beta and Cees Gamma",
    )
    assert sentences(decide(R.RUNOFF, {A: 0, B: 0}))[0] == "er zijn geen stemmen uitgebracht; het lot beslist"


def test_minutes_of_a_single_candidate_vote() -> None:
    assert sentences(decide_single(B, Tally(8, 2, 0, 1, 1, 0))) == (
        "gekozen: Bert Beta met 80,00% van de stemmen vóór",
        "elected: Bert Beta with 80.00% of the votes in favour",
    )
    assert sentences(decide_single(B, Tally(4, 6, 0, 1, 1, 0))) == (
        "niet gekozen: Bert Beta met 40,00% van de stemmen vóór",
        "not elected: Bert Beta with 40.00% of the votes in favour",
    )
    assert sentences(decide_single(B, Tally(0, 0, 5, 0, 0, 1))) == (
        "niet gekozen: Bert Beta; er zijn geen stemmen uitgebracht",
        "not elected: Bert Beta; no votes were cast",
    )


def test_minutes_need_every_name_and_a_known_language() -> None:
    with pytest.raises(KeyError):
        election_sentence(decide(R.FIRST, {A: 3, B: 1}), {B: "Bert Beta"})
    with pytest.raises(ValueError):
        election_sentence(decide(R.FIRST, {A: 3, B: 1}), NAMES, "de")
