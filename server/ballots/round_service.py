"""The chair's steps between election rounds (SPEC 2.10): the next round's draft, and the lot
drawn in the hall after a tie that only a lot decides."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import journal
from server.audit.entries import BALLOT_LOT
from server.auth.service import Operator
from server.ballots import drafts, repository, rounds, service
from server.ballots.elections import round_title
from server.ballots.models import Ballot
from server.ballots.schemas import BallotCreate, CandidateIn
from server.errors import Conflict, InvalidInput
from server.live.events import BallotChanged, record
from server.meetings.service import get_meeting
from server.rules import BallotKind, BallotStatus, ElectionOutcome, Majority, draw_lot


async def next_round(session: AsyncSession, ballot_id: int) -> Ballot:
    """Prepare the draft of the round after a closed round that ended `next_round`: its
    candidates and kind as the result plans them, the same agenda item, kind and settings, and a
    title naming the round ("Voorzitter (tweede stemming)"). Conflict `no_next_round` otherwise."""
    before = await service.get_ballot(session, ballot_id)
    names, kind = await rounds.derive(session, before.id, before.meeting_id)
    data = BallotCreate(
        agenda=before.agenda,
        title=round_title(before.title, kind)[:500],
        kind=BallotKind(before.kind),
        majority=Majority(before.majority),
        allow_change=before.allow_change,
        test=before.test,
        show_live_tally=before.show_live_tally,
        off_agenda=before.off_agenda,
        secret=before.secret,
        candidates=[CandidateIn(name=name, note=note) for name, note in names],
        round_of=before.id,
        round=kind,
    )
    return await drafts.create_ballot(session, before.meeting_id, data)


async def enter_lot(
    session: AsyncSession, ballot_id: int, candidate: int, drawn_by: str | None, operator: Operator
) -> Ballot:
    """Record the lot drawn in the hall on a closed round that ended `lot` (SPEC 2.10): after a
    run-off it elects `candidate`; after an intermediate vote it gives `candidate` a run-off place
    (and, with places left, the outcome stays `lot` for the next name). Logged as `ballot_lot`
    {ballot, candidate, drawn_by, operator, result}."""
    ballot = await service.get_ballot(session, ballot_id, for_update=True)
    meeting = await get_meeting(session, ballot.meeting_id)
    if meeting.status == "closed":
        raise Conflict("the meeting is closed", code="meeting_closed")
    result = rounds.stored_result(ballot)
    if ballot.status != BallotStatus.CLOSED or result is None or result.outcome is not ElectionOutcome.LOT:
        raise Conflict(
            f"a lot is drawn after a tie that only a lot decides; agenda item {ballot.agenda} "
            f"{ballot.title!r} is {ballot.status} ({ballot.outcome or 'undecided'})",
            code="no_lot",
        )
    if candidate not in result.next_candidates:
        names = await repository.candidate_names(session, result.next_candidates)
        raise InvalidInput(
            f"the lot is drawn among {', '.join(f'{names.get(c, c)} ({c})' for c in result.next_candidates)}; "
            f"{candidate} is not one of them",
            code="not_in_lot",
        )
    data = rounds.store_result(ballot, draw_lot(result, candidate))
    drawn_by = " ".join((drawn_by or "").split()) or None
    await session.flush()
    journal.note(session, ballot.meeting_id, BALLOT_LOT, {
        "ballot": ballot.id, "candidate": candidate, "drawn_by": drawn_by,
        "operator": operator.log_data(), "result": data,
    })  # fmt: skip
    record(session, BallotChanged(ballot.id))
    return ballot
