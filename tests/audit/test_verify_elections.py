"""`votehall verify` on elections (SPEC 2.10, docs/SECRET_BALLOTS.md "Rounds"): every round's result
recomputed from its votes, every later round checked against the one before, every lot against
the tie it settles. Tampered logs are rechained, so only the semantic check can catch them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from server.rules import (
    Choice,
    ElectionTally,
    RoundKind,
    decide_election,
    decide_single,
    draw_lot,
    hand_count_result_data,
    result_data,
    tally_votes,
)
from tests.audit.secret_logs import (
    OPERATOR,
    Log,
    close,
    create,
    edited,
    end,
    forged,
    meeting,
    open_,
    run,
    vote,
    where,
)

WEIGHTS = {"GM0001": 5, "GM0002": 4, "GM0003": 3, "GM0004": 2, "GM0005": 1}
FIRST, SECOND, INTERMEDIATE, RUNOFF = 10, 11, 12, 13


def decided(
    round: RoundKind, votes: dict[str, int], ids: list[int], seeded: tuple[int, ...] = (), places: int = 2
) -> Any:
    tally = ElectionTally.empty(ids)
    for code, choice in votes.items():
        tally = tally.add(choice, WEIGHTS[code])
    return decide_election(round, ids, tally, seeded=seeded, places=places)


def election_meeting() -> Log:
    """Four public rounds: a first round without a majority (Anna 5, Bert 4, Cees 3); a second
    (Anna 5, Bert 4, Cees 4) where Bert and Cees tie for the second run-off place; their
    intermediate vote ties again (4 each) and the lot draws Cees; the run-off elects Cees (7 of
    12)."""
    log = meeting(WEIGHTS, committee_key=False)
    create(log, FIRST, [(1, "Anna Alfa"), (2, "Bert Beta"), (3, "Cees Gamma")], secret=False)
    open_(log, FIRST, secret=False)
    first = {"GM0001": 1, "GM0002": 2, "GM0003": 3}
    for code, choice in first.items():
        vote(log, FIRST, code, choice)
    close(log, FIRST, {
        "round": "first", "outcome": "next_round",
        "candidates": [{"id": 1, "votes": 5, "members": 1, "percent": "41.67"},
                       {"id": 2, "votes": 4, "members": 1, "percent": "33.33"},
                       {"id": 3, "votes": 3, "members": 1, "percent": "25.00"}],
        "abstain": 0, "abstain_members": 0, "cast": 12, "members_voted": 3, "elected": None,
        "next_round": "second", "next_candidates": [1, 2, 3], "seeded": [], "places": 0, "drawn": [],
    })  # fmt: skip

    create(log, SECOND, [(4, "Anna Alfa"), (5, "Bert Beta"), (6, "Cees Gamma")], secret=False,
           round="second", round_of=FIRST)  # fmt: skip
    open_(log, SECOND, secret=False)
    second = {"GM0001": 4, "GM0002": 5, "GM0003": 6, "GM0005": 6, "GM0004": "abstain"}
    for code, choice in second.items():
        vote(log, SECOND, code, choice)
    second_result = decided(RoundKind.SECOND, second, [4, 5, 6])
    assert (second_result.next_round, second_result.seeded, second_result.places) == ("intermediate", (4,), 1)
    close(log, SECOND, result_data(second_result))

    create(log, INTERMEDIATE, [(7, "Bert Beta"), (8, "Cees Gamma")], secret=False, round="intermediate",
           round_of=SECOND)  # fmt: skip
    open_(log, INTERMEDIATE, secret=False)
    intermediate = {"GM0002": 7, "GM0003": 8, "GM0005": 8}
    for code, choice in intermediate.items():
        vote(log, INTERMEDIATE, code, choice)
    tied = decided(RoundKind.INTERMEDIATE, intermediate, [7, 8], seeded=(4,), places=1)
    assert (tied.outcome, tied.next_candidates) == ("lot", (7, 8))
    close(log, INTERMEDIATE, result_data(tied))
    log.add("ballot_lot", ballot=INTERMEDIATE, candidate=8, drawn_by="mevrouw De Vries", operator=OPERATOR,
            result=result_data(draw_lot(tied, 8)))  # fmt: skip

    create(log, RUNOFF, [(9, "Anna Alfa"), (10, "Cees Gamma")], secret=False, round="runoff",
           round_of=INTERMEDIATE)  # fmt: skip
    open_(log, RUNOFF, secret=False)
    runoff = {"GM0001": 9, "GM0002": 10, "GM0003": 10}
    for code, choice in runoff.items():
        vote(log, RUNOFF, code, choice)
    close(log, RUNOFF, result_data(decided(RoundKind.RUNOFF, runoff, [9, 10])))
    end(log)
    return log


@pytest.fixture
def log() -> Log:
    return election_meeting()


def problems(text: str, tmp_path: Path) -> str:
    code, output = run(text, tmp_path)
    assert code == 1, output
    return output


def test_a_clean_election_verifies_with_the_minutes_of_each_round(log: Log, tmp_path: Path) -> None:
    code, output = run(log.text(), tmp_path)
    assert code == 0, output
    assert "Anna Alfa 5, Bert Beta 4, Cees Gamma 3; abstain 0, cast 12, 3 members voted" in output
    assert "Anna Alfa 5, Bert Beta 4, Cees Gamma 4; abstain 2, cast 13, 5 members voted" in output
    assert output.count("equals the server's result: yes") == 4
    code, output = run(log.text(), tmp_path, "--lang", "nl")
    assert code == 0, output
    assert "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming" in output
    assert "de stemmen staken tussen Bert Beta en Cees Gamma; tussenstemming" in output
    assert "bij loting naar de herstemming: Cees Gamma; herstemming tussen Anna Alfa en Cees Gamma" in output
    assert "gekozen: Cees Gamma met 58,33% van de stemmen" in output


def test_an_election_result_not_following_from_the_votes_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "vote", ballot=FIRST, member="GM0002")
    output = problems(edited(log.entries, i, lambda d: d.update(choice=1)), tmp_path)
    assert (
        "states a result of ballot 10 that its votes do not give: outcome 'next_round' where the votes give 'elected'"
        in output
    )
    i = where(log.entries, "ballot_closed", ballot=RUNOFF)
    output = problems(edited(log.entries, i, lambda d: d["result"].update(elected=9)), tmp_path)
    assert "elected 9 where the votes give 10" in output


def test_a_vote_for_someone_not_on_the_ballot_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "vote", ballot=FIRST, member="GM0002")
    output = problems(edited(log.entries, i, lambda d: d.update(choice=4)), tmp_path)
    assert "is a vote for 4, which is neither a candidate of ballot 10 nor abstain" in output


def test_a_wrong_next_rounds_candidates_are_caught(log: Log, tmp_path: Path) -> None:
    i = next(
        n
        for n, e in enumerate(log.entries)
        if e["type"] == "ballot_created" and e["data"]["ballot"]["id"] == RUNOFF
    )

    def change(data: dict[str, Any]) -> None:
        data["ballot"]["candidates"][1]["name"] = "Bert Beta"

    output = problems(edited(log.entries, i, change), tmp_path)
    assert (
        "opens ballot 13 as a runoff round between Anna Alfa, Bert Beta, but after ballot 12 the rules give a "
        "runoff round between Anna Alfa, Cees Gamma"
    ) in output


def test_a_next_round_after_an_elected_round_is_caught(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    i = next(
        n
        for n, e in enumerate(entries)
        if e["type"] == "ballot_created" and e["data"]["ballot"]["id"] == SECOND
    )
    entries[i]["data"]["ballot"]["round_of"] = RUNOFF  # created before ballot 13 even exists
    output = problems(forged(entries), tmp_path)
    assert "opens ballot 11 as the round after ballot 13, which did not end in another round" in output


def test_a_lot_for_a_candidate_who_is_not_tied_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "ballot_lot", ballot=INTERMEDIATE)
    output = problems(edited(log.entries, i, lambda d: d.update(candidate=4)), tmp_path)
    assert "draws 4 by lot on ballot 12, who is not among the tied" in output


def test_a_lot_on_an_outcome_that_is_not_a_lot_is_caught(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    lot = copy.deepcopy(entries[where(entries, "ballot_lot", ballot=INTERMEDIATE)])
    lot["data"].update(ballot=FIRST, candidate=1)
    entries.insert(where(entries, "ballot_closed", ballot=FIRST) + 1, lot)
    output = problems(forged(entries), tmp_path)
    assert "draws a lot on ballot 10, whose outcome is next_round, not a lot" in output


def test_a_lot_whose_stated_result_is_not_the_draws_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "ballot_lot", ballot=INTERMEDIATE)
    output = problems(edited(log.entries, i, lambda d: d["result"].update(next_candidates=[4, 7])), tmp_path)
    assert "states a result of the lot on ballot 12 that the lot does not give" in output


def test_a_single_candidate_vote_is_yes_no_and_elects_by_simple_majority(tmp_path: Path) -> None:
    log = meeting(WEIGHTS, committee_key=False)
    create(log, FIRST, [(1, "Anna Alfa")], secret=False)
    open_(log, FIRST, secret=False)
    votes = {"GM0001": "against", "GM0002": "for", "GM0003": "for", "GM0005": "abstain"}
    for code, choice in votes.items():
        vote(log, FIRST, code, choice)
    tally = tally_votes({c: Choice(v) for c, v in votes.items()}, WEIGHTS)
    close(log, FIRST, result_data(decide_single(1, tally)))
    end(log)
    code, output = run(log.text(), tmp_path, "--lang", "nl")
    assert code == 0, output
    assert "Anna Alfa: voor 7, tegen 5, onthouding 1, uitgebracht 12, 4 leden stemden" in output
    assert "gekozen: Anna Alfa met 58,33% van de stemmen vóór" in output
    i = where(log.entries, "vote", ballot=FIRST, member="GM0002")
    output = problems(edited(log.entries, i, lambda d: d.update(choice="against")), tmp_path)
    assert "states a result of ballot 10 that its votes do not give" in output


def test_a_first_round_in_the_wrong_kind_is_caught(tmp_path: Path) -> None:
    log = meeting(WEIGHTS, committee_key=False)
    create(log, FIRST, [(1, "Anna Alfa"), (2, "Bert Beta")], secret=False, round="runoff")
    open_(log, FIRST, secret=False)
    output = problems(log.text(), tmp_path)
    assert (
        "opens ballot 10 as a runoff round, but a ballot that follows no round is the first round" in output
    )


def hand_counted_meeting() -> Log:
    """A first round counted by hand without a majority (Anna 5, Bert 4, Cees 3: no member counts,
    not even of those who voted), then a second round counted by hand that elects Anna (9 of 12)."""
    log = meeting(WEIGHTS, committee_key=False)
    create(log, FIRST, [(1, "Anna Alfa"), (2, "Bert Beta"), (3, "Cees Gamma")], secret=False)
    first = ElectionTally({1: 5, 2: 4, 3: 3}, {1: 0, 2: 0, 3: 0}, 2, 0)
    log.add("ballot_counted_by_hand", ballot=FIRST, confirmed_by="J. de Vries", operator=OPERATOR,
            result=hand_count_result_data(decide_election(RoundKind.FIRST, [1, 2, 3], first)))  # fmt: skip
    create(log, SECOND, [(4, "Anna Alfa"), (5, "Bert Beta"), (6, "Cees Gamma")], secret=False,
           round="second", round_of=FIRST)  # fmt: skip
    second = ElectionTally({4: 9, 5: 3, 6: 0}, {4: 0, 5: 0, 6: 0}, 0, 0)
    log.add("ballot_counted_by_hand", ballot=SECOND, confirmed_by="J. de Vries", operator=OPERATOR,
            result=hand_count_result_data(decide_election(RoundKind.SECOND, [4, 5, 6], second)))  # fmt: skip
    end(log)
    return log


def test_an_election_counted_by_hand_verifies_and_its_figures_are_checked(tmp_path: Path) -> None:
    log = hand_counted_meeting()
    code, output = run(log.text(), tmp_path, "--lang", "nl")
    assert code == 0, output
    assert (
        "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming (met de hand geteld)" in output
    )
    assert "gekozen: Anna Alfa met 75,00% van de stemmen (met de hand geteld)" in output
    assert output.count("met de hand geteld, per kandidaat") == 2
    # A candidate's votes changed: the stated outcome no longer follows.
    i = where(log.entries, "ballot_counted_by_hand", ballot=SECOND)
    output = problems(
        edited(log.entries, i, lambda d: d["result"]["candidates"][0].update(votes=5)), tmp_path
    )
    assert "states a count by hand of ballot 11 that does not add up" in output
    # More votes than those present hold (15).
    output = problems(edited(log.entries, i, lambda d: d["result"].update(abstain=4)), tmp_path)
    assert "counts 16 votes by hand on ballot 11, but those present hold 15" in output
    # A member count where a count by hand knows none.
    output = problems(edited(log.entries, i, lambda d: d["result"].update(members_voted=2)), tmp_path)
    assert "members_voted 2 where the votes give None" in output
    # A candidate left out of the count.
    output = problems(edited(log.entries, i, lambda d: d["result"]["candidates"].pop()), tmp_path)
    assert "states a count by hand of ballot 11 that the election rules cannot read" in output
