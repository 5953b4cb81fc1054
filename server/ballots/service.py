"""Ballots: preparation and the lifecycle the chair drives (SPEC 2.4-2.8, 4.1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.ballots import repository
from server.ballots.models import Ballot
from server.ballots.schemas import BallotCreate
from server.errors import Conflict, InvalidInput, NotFound
from server.live.events import BallotChanged, record
from server.meetings import repository as meeting_repository
from server.meetings.service import get_meeting
from server.register import repository as register_repository
from server.rules import (
    BallotAction,
    BallotKind,
    BallotStatus,
    Choice,
    Majority,
    Tally,
    decide,
    kind_order,
    outcome_of_status,
    tally_votes,
    transition,
    validate_ballot_fields,
)


async def get_ballot(session: AsyncSession, ballot_id: int, *, for_update: bool = False) -> Ballot:
    ballot = await repository.get(session, ballot_id, for_update=for_update)
    if ballot is None:
        raise NotFound(f"there is no ballot {ballot_id}", code="unknown_ballot")
    return ballot


async def create_ballot(session: AsyncSession, meeting_id: int, data: BallotCreate) -> Ballot:
    """Prepare a ballot on an agenda item; it starts as a draft."""
    meeting = await get_meeting(session, meeting_id)
    if meeting.status == "closed":
        raise Conflict("the meeting is closed", code="meeting_closed")
    agenda = {item.number for item in await meeting_repository.agenda(session, meeting_id)}
    if agenda and data.agenda not in agenda:
        raise InvalidInput(
            f"agenda item {data.agenda!r} is not on the agenda of meeting {meeting_id}",
            code="unknown_agenda_item",
        )
    amends_kind: BallotKind | None = None
    if data.amends is not None:
        amended = await repository.get(session, data.amends)
        if amended is None or amended.meeting_id != meeting_id:
            raise InvalidInput(f"ballot {data.amends} is not a ballot of this meeting", code="invalid_ballot")
        if amended.status != BallotStatus.DRAFT:
            raise Conflict(f"ballot {amended.id} is already {amended.status}", code="amended_ballot_decided")
        amends_kind = BallotKind(amended.kind)
    validate_ballot_fields(
        data.kind, amends_kind=amends_kind, submitters=data.submitters, preadvies=data.preadvies
    )
    await _check_submitters(session, meeting_id, meeting.status, data.submitters)
    ballot = Ballot(
        meeting_id=meeting_id,
        agenda=data.agenda,
        title=data.title.strip(),
        kind=data.kind.value,
        majority=data.majority.value,
        abstain_is_cast=data.abstain_is_cast,
        allow_change=data.allow_change,
        test=data.test,
        show_live_tally=data.show_live_tally,
        amends_id=data.amends,
        submitters=list(data.submitters),
        preadvies=data.preadvies.value if data.preadvies else None,
        status=BallotStatus.DRAFT.value,
    )
    session.add(ballot)
    await session.flush()
    journal.note(session, meeting_id, entries.BALLOT_CREATED, {"ballot": ballot_data(ballot)})
    record(session, BallotChanged(ballot.id))
    return ballot


def ballot_data(ballot: Ballot) -> dict[str, object]:
    """A ballot's settings as the log records them (server.audit.entries)."""
    return {
        "id": ballot.id,
        "agenda": ballot.agenda,
        "title": ballot.title,
        "kind": ballot.kind,
        "majority": ballot.majority,
        "abstain_is_cast": ballot.abstain_is_cast,
        "allow_change": ballot.allow_change,
        "test": ballot.test,
        "show_live_tally": ballot.show_live_tally,
        "amends": ballot.amends_id,
        "submitters": list(ballot.submitters),
        "preadvies": ballot.preadvies,
    }


_ENTRY_OF_ACTION = {
    BallotAction.OPEN: entries.BALLOT_OPENED,
    BallotAction.CLOSE: entries.BALLOT_CLOSED,
    BallotAction.ACCLAMATION: entries.BALLOT_ACCLAMATION,
    BallotAction.WITHDRAW: entries.BALLOT_WITHDRAWN,
    BallotAction.HOLD: entries.BALLOT_HELD,
}


async def _check_submitters(
    session: AsyncSession, meeting_id: int, status: str, codes: Sequence[str]
) -> None:
    if not codes:
        return
    if status == "open":
        known = await meeting_repository.frozen_member_codes(session, meeting_id)
    else:
        known = {member.cbs_code for member in await register_repository.all_members(session)}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInput(f"unknown submitting members: {', '.join(unknown)}", code="unknown_member")


async def list_ballots(session: AsyncSession, meeting_id: int) -> list[Ballot]:
    """The meeting's ballots in agenda order; within an item amendments, proposal, motions (SPEC 2.8)."""
    await get_meeting(session, meeting_id)
    positions = {item.number: item.position for item in await meeting_repository.agenda(session, meeting_id)}
    ballots = await repository.of_meeting(session, meeting_id)
    return sorted(
        ballots,
        key=lambda b: (
            positions.get(b.agenda, len(positions) + 1),
            b.agenda,
            kind_order(BallotKind(b.kind)),
            b.id,
        ),
    )


async def live_tally(session: AsyncSession, ballot: Ballot) -> Tally:
    votes = await repository.weighted_votes(session, ballot)
    return tally_votes({code: Choice(choice) for code, choice, _ in votes}, {code: w for code, _, w in votes})


async def act(session: AsyncSession, ballot_id: int, action: BallotAction) -> Ballot:
    """Move a ballot through its lifecycle; the chair's buttons land here."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await get_meeting(session, ballot.meeting_id, for_update=action is BallotAction.OPEN)
    if meeting.status == "closed":
        # Its record may be published: nothing of a closed meeting is decided any more.
        raise Conflict("the meeting is closed", code="meeting_closed")
    new_status = transition(BallotStatus(ballot.status), action, test=ballot.test)
    now = datetime.now(UTC)
    if action is BallotAction.OPEN:
        await _check_can_open(session, ballot, meeting.status)
        ballot.opened_at = now
    elif action is BallotAction.CLOSE:
        decision = decide(
            await live_tally(session, ballot),
            Majority(ballot.majority),
            abstain_is_cast=ballot.abstain_is_cast,
        )
        ballot.outcome = decision.outcome.value
        ballot.for_weight = decision.for_
        ballot.against_weight = decision.against
        ballot.abstain_weight = decision.abstain
        ballot.cast_weight = decision.cast
        ballot.members_voted = decision.members_voted
        ballot.percent_for = decision.percent_for
        ballot.closed_at = now
    else:
        outcome = outcome_of_status(new_status)
        assert outcome is not None, new_status
        ballot.outcome = outcome.value
        ballot.closed_at = now
    ballot.status = new_status.value
    try:
        await session.flush()
    except IntegrityError:
        # The partial unique index caught a concurrent open in another process.
        raise Conflict("another ballot of this meeting is open", code="ballot_already_open") from None
    data: dict[str, object] = {"ballot": ballot.id}
    if action is BallotAction.CLOSE:
        data["result"] = {
            "for": ballot.for_weight,
            "against": ballot.against_weight,
            "abstain": ballot.abstain_weight,
            "cast": ballot.cast_weight,
            "members_voted": ballot.members_voted,
            "percent_for": ballot.percent_for,
            "outcome": ballot.outcome,
        }
    entry = journal.note(session, ballot.meeting_id, _ENTRY_OF_ACTION[action], data)
    if action is not BallotAction.OPEN:
        # The result is kept with the log head at the decision, for the committee (issue 5).
        await journal.flush(session)
        assert entry.written is not None
        ballot.close_hash = entry.written.hash
        ballot.close_seq = entry.written.seq
        await session.flush()
    record(session, BallotChanged(ballot.id))
    return ballot


async def _check_can_open(session: AsyncSession, ballot: Ballot, meeting_status: str) -> None:
    if meeting_status != "open":
        raise Conflict(
            f"the meeting is {meeting_status}; votes need an open meeting with a frozen register",
            code="meeting_not_open",
        )
    already = await repository.open_ballot_of(session, ballot.meeting_id)
    if already is not None:
        raise Conflict(
            f"ballot {already.id} ({already.title}) is open; close it first", code="ballot_already_open"
        )
    pending = await repository.draft_amendments_of(session, ballot.id)
    if pending:
        numbers = ", ".join(str(b.id) for b in pending)
        raise Conflict(
            f"decide the amendments first (SPEC 2.8): ballot {numbers} still amends this one",
            code="amendments_pending",
        )
