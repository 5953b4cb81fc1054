"""Replaying elections (SPEC 2.10, docs/SECRET_BALLOTS.md "Rounds"): every round's result
recomputed with the pure election rules, every later round checked against the one before, and
every lot against the tie it settles.

Candidates are rows of their ballot: a later round lists the same people under new ids, so a
round is matched to the one before by the candidates' names (unique on a ballot). A candidate of
the round before who is not on the later one is read as withdrawn (`plan_next_round`). The
seeded candidates of an intermediate vote are not on its ballot; they keep the ids of the round
that seeded them, as `decide_election` and `plan_next_round` carry them on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from server.audit.wording import Joined, Said, say
from server.rules import (
    ABSTAIN,
    ElectionChoice,
    ElectionOutcome,
    ElectionResult,
    ElectionTally,
    NextRound,
    RoundKind,
    Tally,
    decide_election,
    decide_single,
    draw_lot,
    election_choice,
    hand_count_result_data,
    plan_next_round,
    result_data,
    secret_result_data,
    tally_election,
    tally_votes,
)

if TYPE_CHECKING:
    from server.audit.replay import Replay, ReplayedBallot


def vote_choice(state: Replay, seq: Any, ballot: ReplayedBallot, value: Any) -> ElectionChoice | None:
    """A `vote`'s choice in an election: a candidate's id of the ballot, or "abstain"."""
    try:
        return election_choice(value, ballot.candidate_ids)
    except ValueError:
        state.problem(
            seq,
            say(
                "is a vote for {value!r}, which is neither a candidate of ballot {ballot} nor abstain",
                value=value,
                ballot=ballot.id,
            ),
        )
        return None


def _kind(value: Any) -> RoundKind | None:
    try:
        return RoundKind(value)
    except ValueError:
        return None


def check_round(state: Replay, seq: Any, ballot: ReplayedBallot) -> None:
    """At `ballot_opened` (its candidates final): the round's kind and candidates follow from
    the round before, and the plan (seeded, places) it is decided with."""
    ids = ballot.candidate_ids
    if not ids:
        return
    kind, round_of = _kind(ballot.settings.get("round")), ballot.settings.get("round_of")
    if round_of is None:
        first = RoundKind.SINGLE if len(ids) == 1 else RoundKind.FIRST
        if kind is not first:
            state.problem(
                seq,
                say(
                    "opens ballot {ballot} as a {round} round, but a ballot that follows no round is "
                    "the {expected} round",
                    ballot=ballot.id,
                    round=ballot.settings.get("round"),
                    expected=first.value,
                ),
            )
        ballot.plan = NextRound(first, ids)
        return
    before = state.ballots.get(round_of)
    current = before.election if before is not None and before.status == "closed" else None
    if current is None or current.next_round is None:
        state.problem(
            seq,
            say(
                "opens ballot {ballot} as the round after ballot {before}, which did not end in another round",
                ballot=ballot.id,
                before=round_of,
            ),
        )
        return
    if any(
        b.id != ballot.id and b.settings.get("round_of") == round_of and b.opened_seq is not None
        for b in state.ballots.values()
        if b.status != "voided"
    ):
        state.problem(
            seq,
            say(
                "opens ballot {ballot} as a second round after ballot {before}",
                ballot=ballot.id,
                before=round_of,
            ),
        )
    plan = _matching_plan(state.candidate_names, current, ids, kind)
    if plan is None:
        names = state.candidate_names
        state.problem(
            seq,
            say(
                "opens ballot {ballot} as a {round} round between {given}, but after ballot {before} the "
                "rules give a {expected_round} round between {expected}",
                ballot=ballot.id,
                round=ballot.settings.get("round"),
                given=", ".join(names.get(c, str(c)) for c in ids),
                before=round_of,
                expected_round=current.next_round.value,
                expected=", ".join(names.get(c, str(c)) for c in current.next_candidates),
            ),
        )
        return
    ballot.plan = plan


def _matching_plan(
    names: Mapping[int, str], current: ElectionResult, ids: Sequence[int], kind: RoundKind | None
) -> NextRound | None:
    """The next round after `current` that a ballot of this kind with these candidates is, with
    the candidates missing from it withdrawn; None when it is none.

    A seeded candidate of an intermediate vote is not on its ballot, so two readings are tried:
    only the tied missing were withdrawn, or the seeded missing too."""
    own = {names.get(c) for c in ids}
    tied = [c for c in current.next_candidates if names.get(c) not in own]
    seeded = [c for c in current.seeded if names.get(c) not in own]
    for withdrawn in (tied, tied + seeded):
        try:
            plan = plan_next_round(current, withdrawn)
        except ValueError:
            continue
        if plan.round is kind and {names.get(c) for c in plan.candidates} == own and len(own) == len(ids):
            return plan
    return None


def decide_round(
    state: Replay, ballot: ReplayedBallot, counts: Counter[Any] | None
) -> tuple[ElectionResult, dict[str, Any]]:
    """The round's result from its votes (public) or its units' `counts` (secret), and its JSON
    shape as `ballot_closed` must state it. ValueError when the rules cannot decide the round
    (a round kind that does not fit its candidates)."""
    ids = ballot.candidate_ids
    plan = ballot.plan or NextRound(RoundKind(str(ballot.settings.get("round"))), ids)
    result: ElectionResult
    if counts is not None:
        if len(ids) == 1:
            result = decide_single(ids[0], Tally(counts["for"], counts["against"], counts[ABSTAIN], 0, 0, 0))
        else:
            tally = ElectionTally({c: counts[c] for c in ids}, dict.fromkeys(ids, 0), counts[ABSTAIN], 0)
            result = decide_election(plan.round, ids, tally, seeded=plan.seeded, places=plan.places)
        return result, secret_result_data(result, len(ballot.participants))
    if len(ids) == 1:
        weights = {code: state.register[code].weight for code in ballot.choices}
        result = decide_single(ids[0], tally_votes(ballot.choices, weights))
    else:
        weights = {code: state.register[code].weight for code in ballot.picks}
        tally = tally_election(dict(ballot.picks), weights, ids)
        result = decide_election(plan.round, ids, tally, seeded=plan.seeded, places=plan.places)
    return result, result_data(result)


def differences(stated: Mapping[str, Any], expected: Mapping[str, Any]) -> list[Said]:
    return [
        say(
            "{name} {stated!r} where the votes give {value!r}",
            name=name,
            stated=stated.get(name),
            value=value,
        )
        for name, value in expected.items()
        if stated.get(name) != value
    ] + [
        say("{name} {stated!r} where the votes give {value!r}", name=name, stated=stated[name], value=None)
        for name in stated.keys() - expected.keys()
    ]


def close(state: Replay, seq: Any, ballot: ReplayedBallot, counts: Counter[Any] | None) -> None:
    """`ballot_closed` of an election or single-candidate vote: the stated result must be the
    one the votes (or units) give."""
    stated = ballot.election_stated or {}
    try:
        result, expected = decide_round(state, ballot, counts)
    except ValueError as error:
        state.problem(
            seq,
            say(
                "closes ballot {ballot}, which the election rules cannot decide: {error}",
                ballot=ballot.id,
                error=str(error),
            ),
        )
        return
    ballot.election, ballot.election_data = result, expected
    wrong = differences(stated, expected)
    if wrong:
        state.problem(
            seq,
            say(
                "states a result of ballot {ballot} that its votes do not give: {differences}",
                ballot=ballot.id,
                differences=Joined(wrong),
            ),
        )


def lot(state: Replay, seq: Any, ballot: ReplayedBallot, data: Mapping[str, Any]) -> None:
    """`ballot_lot`: a lot only where the rules leave a tie to it, for one of the tied."""
    current = ballot.election if ballot.status == "closed" else None
    if current is None or current.outcome is not ElectionOutcome.LOT:
        state.problem(
            seq,
            say(
                "draws a lot on ballot {ballot}, whose outcome is {outcome}, not a lot",
                ballot=ballot.id,
                outcome=current.outcome.value if current is not None else ballot.status,
            ),
        )
        return
    candidate = data["candidate"]
    if candidate not in current.next_candidates or isinstance(candidate, bool):
        state.problem(
            seq,
            say(
                "draws {candidate!r} by lot on ballot {ballot}, who is not among the tied",
                candidate=candidate,
                ballot=ballot.id,
            ),
        )
        return
    drawn = draw_lot(current, candidate)
    if ballot.hand_count is not None:
        expected = hand_count_result_data(drawn)
        ballot.hand_count = hand_columns(drawn)
    elif ballot.secret:
        expected = secret_result_data(drawn, len(ballot.participants))
    else:
        expected = result_data(drawn)
    stated = dict(data["result"])
    wrong = differences(stated, expected)
    if wrong:
        state.problem(
            seq,
            say(
                "states a result of the lot on ballot {ballot} that the lot does not give: {differences}",
                ballot=ballot.id,
                differences=Joined(wrong),
            ),
        )
    ballot.election, ballot.election_data, ballot.election_stated = drawn, expected, stated


def hand_columns(result: ElectionResult) -> dict[str, Any]:
    """The yes/no figures of a round counted by hand, as the ballot's columns (and the record)
    keep them: a single-candidate vote's for and against, every round's abstentions and cast
    votes; no members (a count by hand does not know them)."""
    single = result.round is RoundKind.SINGLE
    return {
        "for": result.candidates[0].votes if single else None,
        "against": result.against if single else None,
        "abstain": result.abstain,
        "cast": result.cast,
        "members_voted": None,
        "percent_for": result.candidates[0].percent if single else None,
        "outcome": result.outcome.value,
    }


def count_by_hand(
    state: Replay, seq: Any, ballot: ReplayedBallot, stated: Mapping[str, Any], present: int
) -> dict[str, Any] | None:
    """`ballot_counted_by_hand` of an election round or single-candidate vote: the figures it
    states per candidate (and against, on a single candidate), decided again by the election
    rules, must give the result it states, and add up to no more than those present hold.
    Answers the ballot's yes/no figures (`hand_columns`), None when the entry cannot be read."""
    ids = ballot.candidate_ids
    try:
        votes = {int(c["id"]): int(c["votes"]) for c in stated["candidates"]}
        counts: Counter[Any] = Counter({ABSTAIN: int(stated["abstain"])})
        if len(ids) == 1:
            counts.update({"for": votes[ids[0]], "against": int(stated["against"])})
        else:
            counts.update({c: votes[c] for c in ids})
        result, _ = decide_round(state, ballot, counts)
    except (KeyError, TypeError, ValueError) as error:
        state.problem(
            seq,
            say(
                "states a count by hand of ballot {ballot} that the election rules cannot read: {error}",
                ballot=ballot.id,
                error=str(error),
            ),
        )
        return None
    counted = sum(counts.values())
    if counted > present:
        state.problem(
            seq,
            say(
                "counts {counted} votes by hand on ballot {ballot}, but those present hold {present}",
                counted=counted,
                ballot=ballot.id,
                present=present,
            ),
        )
    expected = hand_count_result_data(result)
    wrong = differences(stated, expected)
    if wrong:
        state.problem(
            seq,
            say(
                "states a count by hand of ballot {ballot} that does not add up: {differences}",
                ballot=ballot.id,
                differences=Joined(wrong),
            ),
        )
    ballot.election, ballot.election_data, ballot.election_stated = result, expected, dict(stated)
    return hand_columns(result)
