"""Corrections (SPEC 2.7): a ballot declared void, a result counted by hand (per candidate in an
election, SPEC 2.10), and the dissent noted on a decision by acclamation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.auth.service import Operator
from server.ballots import repository, rounds, sealed_close
from server.ballots.guards import meeting_not_closed, named
from server.ballots.lifecycle import log_decision, result_data, store_decision
from server.ballots.models import Ballot, Candidate
from server.ballots.schemas import HandCountIn
from server.ballots.service import get_ballot
from server.errors import Conflict, InvalidInput
from server.live.events import BallotChanged, record
from server.meetings import repository as meeting_repository
from server.rules import (
    BallotAction,
    BallotStatus,
    ElectionResult,
    ElectionTally,
    Majority,
    Outcome,
    Tally,
    decide,
    decide_single,
    transition,
)


async def void(session: AsyncSession, ballot_id: int, reason: str, operator: Operator) -> Ballot:
    """Declare a ballot void (SPEC 2.7): an open one, or a closed one while the meeting is open and
    no later ballot has been opened or decided. Its votes stay in the log; the reason is shown
    wherever the ballot is."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("give the reason the ballot is void", code="invalid_reason")
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await meeting_not_closed(session, ballot.meeting_id)
    if meeting.status != "open":
        raise Conflict(f"the meeting is {meeting.status}", code="meeting_not_open")
    new_status = transition(BallotStatus(ballot.status), BallotAction.VOID, test=ballot.test)
    if ballot.secret and ballot.status == BallotStatus.OPEN:
        await sealed_close.void_secret(session, ballot)  # destroyed unopened (SPEC 2.9)
    if ballot.status == BallotStatus.CLOSED:
        later = await repository.opened_or_decided_after(session, ballot)
        if later is not None:
            raise Conflict(
                f"{named(later)} was opened or decided after this one; "
                "a result can be voided only until the next ballot",
                code="void_window_passed",
            )
    ballot.status = new_status.value
    ballot.outcome = Outcome.VOIDED.value
    ballot.void_reason = reason
    ballot.closed_at = datetime.now(UTC)
    await session.flush()
    data = {"ballot": ballot.id, "reason": reason, "operator": operator.log_data()}
    await log_decision(session, ballot, entries.BALLOT_VOIDED, data, decided=True)
    return ballot


async def count_by_hand(
    session: AsyncSession, ballot_id: int, data: HandCountIn, operator: Operator
) -> Ballot:
    """Record a result counted by hand (SPEC 2.7): a show of hands or paper, when the handhelds
    cannot be used; confirmed by a member of the vote-counting committee, whom the log names.

    With figures, the ballot's own majority rule decides, as for an electronic vote; without, the
    outcome is as the chair states it. The number of members that voted is not known. An election
    round is counted per candidate and decided by the election rules (SPEC 2.10), the vote on a
    single candidate by its votes for and against; both need their figures.
    """
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await meeting_not_closed(session, ballot.meeting_id)
    if meeting.status != "open":
        raise Conflict(f"the meeting is {meeting.status}", code="meeting_not_open")
    new_status = transition(BallotStatus(ballot.status), BallotAction.HAND_COUNT, test=ballot.test)
    candidates = await repository.candidates_of(session, ballot.id)
    ballot.counted_by_hand = True  # first: a round counted by hand is stored without member counts
    if candidates:
        result = await _round_by_hand(session, ballot, meeting.id, candidates, data)
    else:
        result = await _yes_no_by_hand(session, ballot, meeting.id, data)
    ballot.confirmed_by = " ".join(data.confirmed_by.split())
    ballot.status = new_status.value
    ballot.closed_at = datetime.now(UTC)
    await session.flush()
    entry = {
        "ballot": ballot.id,
        "result": result,
        "confirmed_by": ballot.confirmed_by,
        "operator": operator.log_data(),
    }
    await log_decision(session, ballot, entries.BALLOT_COUNTED_BY_HAND, entry, decided=True)
    return ballot


async def _yes_no_by_hand(
    session: AsyncSession, ballot: Ballot, meeting_id: int, data: HandCountIn
) -> dict[str, object]:
    """A yes/no ballot counted by hand: its figures under its majority rule, or only the outcome."""
    if data.candidates is not None:
        raise InvalidInput("only an election round is counted per candidate", code="invalid_count")
    if data.outcome is not None:
        if any(value is not None for value in (data.for_, data.against, data.abstain)):
            raise InvalidInput(
                "give either the votes counted or only the outcome, not both", code="invalid_count"
            )
        store_decision(ballot, Outcome(data.outcome), None, None, None, None, None, None)
        return result_data(ballot)
    if data.for_ is None or data.against is None:
        raise InvalidInput(
            "give the votes for and against (and abstentions), or the outcome", code="invalid_count"
        )
    abstain = data.abstain or 0
    await _check_counted(session, meeting_id, data.for_ + data.against + abstain)
    tally = Tally(data.for_, data.against, abstain, 0, 0, 0)
    decision = decide(tally, Majority(ballot.majority), abstain_is_cast=ballot.abstain_is_cast)
    store_decision(ballot, decision.outcome, decision.for_, decision.against, decision.abstain,
                    decision.cast, None, decision.percent_for)  # fmt: skip
    return result_data(ballot)


async def _round_by_hand(
    session: AsyncSession, ballot: Ballot, meeting_id: int, candidates: Sequence[Candidate], data: HandCountIn
) -> dict[str, object]:
    """An election round counted by hand, per candidate, decided by the election rules (an
    intermediate vote with the plan of the round it follows); the vote on a single candidate by
    its votes for and against. Answers the result as `ballot_closed` would log it."""
    if data.outcome is not None:
        raise InvalidInput(
            "a round of an election counted by hand gives its figures, not only an outcome",
            code="invalid_count",
        )
    abstain = data.abstain or 0
    ids = [c.id for c in candidates]
    result: ElectionResult
    if rounds.is_election(ballot, candidates):
        given = {c.id: c.votes for c in data.candidates or []}
        if (
            data.for_ is not None
            or data.against is not None
            or sorted(given) != sorted(ids)
            or (len(given) != len(data.candidates or []))
        ):
            raise InvalidInput(
                f"give the votes of each of the candidates {ids} once (candidates), and the abstentions",
                code="invalid_count",
                extra={"candidates": ids},
            )
        await _check_counted(session, meeting_id, sum(given.values()) + abstain)
        tally = ElectionTally({c: given[c] for c in ids}, dict.fromkeys(ids, 0), abstain, 0)
        result = await rounds.decide_counted(session, ballot, candidates, tally)
    else:
        if data.candidates is not None or data.for_ is None or data.against is None:
            raise InvalidInput(
                "the vote on a single candidate is counted with the votes for and against (and abstentions)",
                code="invalid_count",
            )
        await _check_counted(session, meeting_id, data.for_ + data.against + abstain)
        result = decide_single(ids[0], Tally(data.for_, data.against, abstain, 0, 0, 0))
    return rounds.store_result(ballot, result)


async def _check_counted(session: AsyncSession, meeting_id: int, counted: int) -> None:
    """A count by hand cannot exceed the weight of the members present."""
    present = sum((await meeting_repository.present(session, meeting_id)).values())
    if counted > present:
        raise InvalidInput(
            f"{counted} votes counted, but the members present hold {present}",
            code="invalid_count",
            extra={"present_weight": present},
        )


async def note_dissent(
    session: AsyncSession, ballot_id: int, members: Sequence[str], operator: Operator
) -> Ballot:
    """Note the members that ask to be recorded as having voted against a decision by acclamation
    (aantekening, SPEC 2.7); the list replaces the one noted before."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await meeting_not_closed(session, ballot.meeting_id)
    if ballot.status != BallotStatus.ACCLAMATION:
        raise Conflict(
            f"dissent is noted on a decision by acclamation; {named(ballot)} is {ballot.status}",
            code="not_acclamation",
        )
    codes = list(dict.fromkeys(code.strip() for code in members))
    known = await meeting_repository.frozen_member_codes(session, meeting.id)
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInput(f"unknown members: {', '.join(unknown)}", code="unknown_member")
    # Only a member present in the hall can ask for its dissent to be noted (SPEC 2.3, 2.7).
    absent = sorted(set(codes) - (await meeting_repository.present(session, meeting.id)).keys())
    if absent:
        raise InvalidInput(
            f"not present: {', '.join(absent)}", code="member_not_present", extra={"members": absent}
        )
    ballot.dissent = codes
    await session.flush()
    journal.note(session, meeting.id, entries.BALLOT_DISSENT, {
        "ballot": ballot.id, "members": codes, "operator": operator.log_data(),
    })  # fmt: skip
    record(session, BallotChanged(ballot.id))
    return ballot
