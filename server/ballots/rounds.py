"""An election round at its close, and the round after it (SPEC 2.10, docs/SECRET_BALLOTS.md
"Rounds"): counting the stored votes, deciding with the rules of `server.rules.election`, storing
the result, and the candidates the next round takes from it.

The public path counts the `votes` table; a secret round is decided from its unit ballots by
the sealed path, and stores its result with the same `store_result`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots import repository
from server.ballots.guards import named
from server.ballots.models import Ballot, Candidate
from server.errors import Conflict, InvalidInput
from server.rules import (
    Choice,
    ElectionOutcome,
    ElectionResult,
    ElectionTally,
    NextRound,
    RoundKind,
    decide_election,
    decide_single,
    hand_count_result_data,
    hand_count_result_from_data,
    plan_next_round,
    result_data,
    result_from_data,
    secret_result_data,
    secret_result_from_data,
    tally_election,
    tally_votes,
)

Names = list[tuple[str, str | None]]


def is_election(ballot: Ballot, candidates: Sequence[Candidate]) -> bool:
    """Members choose a candidate (two or more stand); a single-candidate vote is yes/no."""
    return len(candidates) >= 2 and ballot.round != RoundKind.SINGLE


async def counted(session: AsyncSession, ballot: Ballot, candidates: Sequence[Candidate]) -> ElectionTally:
    """The tally per candidate of an election's stored votes (its `votes` rows: public only)."""
    votes = await repository.weighted_votes(session, ballot)
    return tally_election(
        {code: choice for code, choice, _ in votes},
        {code: weight for code, _, weight in votes},
        [c.id for c in candidates],
    )


async def decide_round(
    session: AsyncSession, ballot: Ballot, candidates: Sequence[Candidate]
) -> ElectionResult:
    """Decide a public round at its close from the stored votes: a single-candidate vote yes/no
    (`decide_single`), an election with `decide_election`, an intermediate vote with the seeded
    candidates and open places of the round it follows (`plan_next_round`)."""
    if not is_election(ballot, candidates):
        votes = await repository.weighted_votes(session, ballot)
        tally = tally_votes({code: Choice(c) for code, c, _ in votes}, {code: w for code, _, w in votes})
        return decide_single(candidates[0].id, tally)
    return await decide_counted(session, ballot, candidates, await counted(session, ballot, candidates))


async def decide_counted(
    session: AsyncSession, ballot: Ballot, candidates: Sequence[Candidate], tally: ElectionTally
) -> ElectionResult:
    """Decide an election round from its tally (the stored votes of a public round, the unit
    ballots of a secret one), with the seeded candidates and open places an intermediate vote
    takes from the round it follows."""
    kind = RoundKind(ballot.round or RoundKind.FIRST)
    seeded: tuple[int, ...] = ()
    places = 2
    if kind is RoundKind.INTERMEDIATE:
        plan = await _planned(session, ballot, candidates)
        seeded, places = plan.seeded, plan.places
    try:
        return decide_election(kind, [c.id for c in candidates], tally, seeded=seeded, places=places)
    except ValueError as error:
        raise Conflict(
            f"{named(ballot)} cannot be decided as a {kind} round: {error}", code="invalid_round"
        ) from None


async def _planned(session: AsyncSession, ballot: Ballot, candidates: Sequence[Candidate]) -> NextRound:
    """The plan the round this one follows made for it, less the candidates withdrawn from it
    since (matched by name: every round has candidate rows of its own)."""
    before = await repository.get(session, ballot.round_of_id) if ballot.round_of_id is not None else None
    previous = stored_result(before) if before is not None else None
    if previous is None or previous.next_round is None:
        raise Conflict(
            f"{named(ballot)} is an intermediate vote, but the round it follows planned none",
            code="invalid_round",
        )
    standing = {c.name.casefold() for c in candidates}
    names = await repository.candidate_names(session, previous.next_candidates)
    withdrawn = [c for c in previous.next_candidates if names.get(c, "").casefold() not in standing]
    try:
        return plan_next_round(previous, withdrawn)
    except ValueError as error:
        raise Conflict(f"{named(ballot)}: {error}", code="invalid_round") from None


def stored_result(ballot: Ballot) -> ElectionResult | None:
    """A round's result as stored at its close (and after a lot), or None. A secret round's is
    stored without member counts per candidate (`secret_result_data`), one counted by hand
    without any member count (`hand_count_result_data`): they read as zero here."""
    if ballot.election_result is None:
        return None
    if ballot.counted_by_hand:
        return hand_count_result_from_data(ballot.election_result)
    if ballot.secret:
        return secret_result_from_data(ballot.election_result)[0]
    return result_from_data(ballot.election_result)


def store_result(ballot: Ballot, result: ElectionResult) -> dict[str, Any]:
    """Keep a round's result on the ballot: the JSON `ballot_closed` logs (answered), the outcome,
    and the figures the yes/no columns can hold (a single-candidate vote's for and against). A
    secret round's keeps its participants' count and no member counts per candidate; one counted
    by hand (`counted_by_hand` set first) has no member counts at all."""
    if ballot.counted_by_hand:
        data = hand_count_result_data(result)
    elif ballot.secret:
        data = secret_result_data(result, ballot.members_voted or 0)
    else:
        data = result_data(result)
    ballot.election_result = data
    ballot.outcome = result.outcome.value
    single = result.round is RoundKind.SINGLE
    ballot.for_weight = result.candidates[0].votes if single else None
    ballot.against_weight = result.against if single else None
    ballot.abstain_weight = result.abstain
    ballot.cast_weight = result.cast
    if ballot.counted_by_hand:
        ballot.members_voted = None
    elif not ballot.secret:  # a secret round's members that voted are its participants, kept
        ballot.members_voted = result.members_voted
    ballot.percent_for = result.candidates[0].percent if single else None
    return data


async def derive(
    session: AsyncSession, round_of: int, meeting_id: int, given: RoundKind | None = None
) -> tuple[Names, RoundKind]:
    """The candidates (names and notes, in order) and kind of the round after ballot `round_of`,
    as its stored result plans it. Conflict `no_next_round` unless that round ended `next_round`."""
    before = await repository.get(session, round_of)
    if before is None or before.meeting_id != meeting_id:
        raise InvalidInput(f"ballot {round_of} is not a ballot of this meeting", code="invalid_ballot")
    result = stored_result(before)
    if result is None or before.outcome != ElectionOutcome.NEXT_ROUND:
        said = f"ended {before.outcome}" if before.outcome else f"is {before.status}"
        raise Conflict(
            f"{named(before)} {said}; only a round without a winner has a next round",
            code="no_next_round",
        )
    plan = plan_next_round(result)
    if given is not None and given is not plan.round:
        raise InvalidInput(
            f"the round after {named(before)} is {plan.round}, not {given}", code="invalid_round"
        )
    rows = {c.id: c for c in await repository.candidates_by_id(session, plan.candidates)}
    return [(rows[c].name, rows[c].note) for c in plan.candidates], plan.round


async def names_of_result(
    session: AsyncSession, result: ElectionResult | None, candidates: Sequence[Candidate]
) -> dict[int, str]:
    """The names of the candidates a result mentions, those seeded from an earlier round too."""
    names = {c.id: c.name for c in candidates}
    if result is None:
        return names
    mentioned = {*result.candidate_ids, *result.next_candidates, *result.seeded, *result.drawn}
    return names | await repository.candidate_names(session, mentioned - names.keys())
