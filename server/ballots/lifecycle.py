"""The lifecycle the chair drives (SPEC 2.5, 2.8, 2.9): open in the order of the agenda, close and
decide, acclamation, withdrawal, hold, out of order, and the countdown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.auth.service import Operator
from server.ballots import repository, rounds, sealed_close
from server.ballots.guards import meeting_not_closed, named, named_list
from server.ballots.models import Ballot, Candidate
from server.ballots.service import get_ballot, live_tally
from server.errors import Conflict
from server.live.events import BallotChanged, record
from server.live.sealed import SealedKeys
from server.rules import (
    BallotAction,
    BallotKind,
    BallotStatus,
    Majority,
    Outcome,
    Placed,
    check_out_of_order,
    decide,
    order_blockers,
    outcome_of_status,
    transition,
)

_ENTRY_OF_ACTION = {
    BallotAction.OPEN: entries.BALLOT_OPENED,
    BallotAction.CLOSE: entries.BALLOT_CLOSED,
    BallotAction.ACCLAMATION: entries.BALLOT_ACCLAMATION,
    BallotAction.WITHDRAW: entries.BALLOT_WITHDRAWN,
    BallotAction.HOLD: entries.BALLOT_HELD,
    BallotAction.OUT_OF_ORDER: entries.BALLOT_OUT_OF_ORDER,
}


async def act(
    session: AsyncSession,
    ballot_id: int,
    action: BallotAction,
    *,
    operator: Operator | None = None,
    override_order: bool = False,
    keys: SealedKeys | None = None,
) -> Ballot:
    """Move a ballot through its lifecycle; the chair's buttons land here.

    Opening keeps the order of SPEC 2.8 unless the chair overrides it (`override_order`, logged
    with the operator). Declaring a motion out of order is logged with the operator too.
    A secret ballot gets its key at the open and is counted from its sealed votes at the close,
    which needs the ballot's key among this process's `keys` (server.ballots.sealed_close).
    """
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await meeting_not_closed(session, ballot.meeting_id, for_update=action is BallotAction.OPEN)
    new_status = transition(BallotStatus(ballot.status), action, test=ballot.test)
    now = datetime.now(UTC)
    data: dict[str, object] = {"ballot": ballot.id}
    if action is BallotAction.OPEN:
        overridden = await _check_can_open(session, ballot, meeting.status, override_order)
        if ballot.secret and meeting.committee_public_key is None:
            raise Conflict(
                "a secret ballot opens only once the vote-counting committee's public key is set "
                "(votehall committee keygen, then POST /api/meetings/{id}/committee-key)",
                code="committee_key_missing",
            )
        if overridden:
            data["override_order"] = overridden
            data["operator"] = operator.log_data() if operator else None
        if ballot.secret:
            sealed_close.open_secret(session, ballot, meeting, data)
        ballot.opened_at = now
    elif action is BallotAction.CLOSE and ballot.secret:
        data["result"] = await sealed_close.close_secret(session, ballot, keys)
    elif action is BallotAction.CLOSE:
        data["result"] = await _close(session, ballot)
    else:
        if action is BallotAction.OUT_OF_ORDER:
            check_out_of_order(BallotKind(ballot.kind))
            data["operator"] = operator.log_data() if operator else None
        outcome = outcome_of_status(new_status)
        assert outcome is not None, new_status
        ballot.outcome = outcome.value
    if action is not BallotAction.OPEN:
        ballot.closed_at = now
    ballot.status = new_status.value
    try:
        await session.flush()
    except IntegrityError:
        # The partial unique index caught a concurrent open in another process.
        raise Conflict("another ballot of this meeting is open", code="ballot_already_open") from None
    await log_decision(
        session, ballot, _ENTRY_OF_ACTION[action], data, decided=action is not BallotAction.OPEN
    )
    return ballot


async def _close(session: AsyncSession, ballot: Ballot) -> dict[str, object]:
    """Decide a closing ballot from its stored votes and keep the result; answers the `result`
    that `ballot_closed` logs. A ballot with candidates is an election round (SPEC 2.10)."""
    candidates = await repository.candidates_of(session, ballot.id)
    if candidates:
        return await _close_round(session, ballot, candidates)
    tally = await live_tally(session, ballot)
    assert tally is not None  # neither an election nor secret: those have candidates or their own path
    decision = decide(tally, Majority(ballot.majority), abstain_is_cast=ballot.abstain_is_cast)
    store_decision(ballot, decision.outcome, decision.for_, decision.against, decision.abstain,
                    decision.cast, decision.members_voted, decision.percent_for)  # fmt: skip
    return result_data(ballot)


async def _close_round(
    session: AsyncSession, ballot: Ballot, candidates: Sequence[Candidate]
) -> dict[str, object]:
    """Decide a public election round (or single-candidate vote) at its close."""
    return rounds.store_result(ballot, await rounds.decide_round(session, ballot, candidates))


def store_decision(
    ballot: Ballot,
    outcome: Outcome,
    for_: int | None,
    against: int | None,
    abstain: int | None,
    cast: int | None,
    members_voted: int | None,
    percent: str | None,
) -> None:
    ballot.outcome = outcome.value
    ballot.for_weight, ballot.against_weight, ballot.abstain_weight = for_, against, abstain
    ballot.cast_weight, ballot.members_voted, ballot.percent_for = cast, members_voted, percent


def result_data(ballot: Ballot) -> dict[str, object]:
    return {
        "for": ballot.for_weight,
        "against": ballot.against_weight,
        "abstain": ballot.abstain_weight,
        "cast": ballot.cast_weight,
        "members_voted": ballot.members_voted,
        "percent_for": ballot.percent_for,
        "outcome": ballot.outcome,
    }


async def log_decision(
    session: AsyncSession, ballot: Ballot, type_: str, data: dict[str, object], *, decided: bool
) -> None:
    entry = journal.note(session, ballot.meeting_id, type_, data)
    if decided:
        # The result is kept with the log head at the decision, for the committee (issue 5).
        await journal.flush(session)
        assert entry.written is not None
        ballot.close_hash = entry.written.hash
        ballot.close_seq = entry.written.seq
        await session.flush()
    record(session, BallotChanged(ballot.id))


async def start_countdown(session: AsyncSession, ballot_id: int, seconds: int) -> Ballot:
    """Put a countdown on the open ballot for the handhelds and the screens ("nog 30 seconden");
    0 stops it. Closing stays the chair's act: nothing closes by itself when it runs out."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    if ballot.status != BallotStatus.OPEN:
        raise Conflict(
            f"a countdown runs on an open ballot; {named(ballot)} is {ballot.status}",
            code="ballot_not_open",
        )
    ballot.countdown_ends_at = datetime.now(UTC) + timedelta(seconds=seconds) if seconds else None
    await session.flush()
    journal.note(
        session, ballot.meeting_id, entries.BALLOT_COUNTDOWN, {"ballot": ballot.id, "seconds": seconds}
    )
    record(session, BallotChanged(ballot.id))
    return ballot


async def _check_can_open(
    session: AsyncSession, ballot: Ballot, meeting_status: str, override_order: bool
) -> list[int]:
    """Refuse to open out of turn; with `override_order`, answer the ballots passed over (logged)."""
    if meeting_status != "open":
        raise Conflict(
            f"the meeting is {meeting_status}; votes need an open meeting with a frozen register",
            code="meeting_not_open",
        )
    already = await repository.open_ballot_of(session, ballot.meeting_id)
    if already is not None:
        raise Conflict(
            f"{named(already)} is open; close it first",
            code="ballot_already_open",
            extra={"ballots": [_ref(already)]},
        )
    pending = list(await repository.draft_amendments_of(session, ballot.id))
    others = await repository.of_meeting(session, ballot.meeting_id)
    ahead = {b.id for b in order_blockers(_placed(ballot), (_placed(b) for b in others))}
    earlier = [b for b in others if b.id in ahead and b not in pending]
    if override_order or not (pending or earlier):
        return sorted(b.id for b in [*pending, *earlier])
    if pending:
        raise Conflict(
            f"decide the amendments first (SPEC 2.8): {named_list(pending)} still amends this one",
            code="amendments_pending",
            extra={"ballots": [_ref(b) for b in pending]},
        )
    raise Conflict(
        f"within agenda item {ballot.agenda} the order is amendments, proposal, motions (SPEC 2.8); "
        f"undecided before this one: {named_list(earlier)}",
        code="agenda_order",
        extra={"ballots": [_ref(b) for b in earlier]},
    )


def _placed(ballot: Ballot) -> Placed:
    return Placed(
        id=ballot.id,
        agenda=ballot.agenda,
        kind=BallotKind(ballot.kind),
        status=BallotStatus(ballot.status),
        test=ballot.test,
        off_agenda=ballot.off_agenda,
    )


def _ref(ballot: Ballot) -> dict[str, object]:
    """A ballot as an error names it: the chair page words it with the agenda number, not the id."""
    return {"id": ballot.id, "agenda": ballot.agenda, "title": ballot.title, "kind": ballot.kind}
