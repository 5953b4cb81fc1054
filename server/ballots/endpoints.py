from __future__ import annotations

from fastapi import APIRouter, status

from server.ballots import service
from server.ballots.models import Ballot
from server.ballots.schemas import BallotCreate, BallotOut, ResultOut, TallyOut
from server.deps import ChairOrAdmin, Session
from server.rules import BallotAction, Outcome, Tally, minutes_sentence, percent_for

router = APIRouter(tags=["ballots"])


def tally_out(tally: Tally, abstain_is_cast: bool) -> TallyOut:
    cast = tally.cast(abstain_is_cast)
    return TallyOut(
        for_=tally.for_,
        against=tally.against,
        abstain=tally.abstain,
        cast=cast,
        members_voted=tally.members_voted,
        weight_voted=tally.weight_voted,
        percent_for=percent_for(tally.for_, cast),
    )


def result_out(ballot: Ballot) -> ResultOut | None:
    if ballot.outcome is None:
        return None
    outcome = Outcome(ballot.outcome)
    return ResultOut(
        outcome=ballot.outcome,
        for_=ballot.for_weight,
        against=ballot.against_weight,
        abstain=ballot.abstain_weight,
        cast=ballot.cast_weight,
        members_voted=ballot.members_voted,
        percent_for=ballot.percent_for,
        minutes=minutes_sentence(outcome, ballot.percent_for, "nl"),
        minutes_en=minutes_sentence(outcome, ballot.percent_for, "en"),
        log_seq=ballot.close_seq,
        log_hash=ballot.close_hash,
    )


def ballot_out(ballot: Ballot, tally: Tally | None = None) -> BallotOut:
    return BallotOut(
        id=ballot.id,
        meeting=ballot.meeting_id,
        agenda=ballot.agenda,
        title=ballot.title,
        kind=ballot.kind,
        status=ballot.status,
        majority=ballot.majority,
        abstain_is_cast=ballot.abstain_is_cast,
        allow_change=ballot.allow_change,
        test=ballot.test,
        show_live_tally=ballot.show_live_tally,
        amends=ballot.amends_id,
        submitters=ballot.submitters,
        preadvies=ballot.preadvies,
        opened_at=ballot.opened_at,
        closed_at=ballot.closed_at,
        tally=tally_out(tally, ballot.abstain_is_cast) if tally is not None else None,
        result=result_out(ballot),
    )


@router.post(
    "/api/meetings/{meeting_id}/ballots",
    response_model=BallotOut,
    status_code=status.HTTP_201_CREATED,
    response_model_by_alias=True,
)
async def create_ballot(meeting_id: int, data: BallotCreate, session: Session, _: ChairOrAdmin) -> BallotOut:
    """Prepare a ballot (draft) on an agenda item."""
    return ballot_out(await service.create_ballot(session, meeting_id, data))


@router.get("/api/meetings/{meeting_id}/ballots", response_model=list[BallotOut])
async def list_ballots(meeting_id: int, session: Session, _: ChairOrAdmin) -> list[BallotOut]:
    """The meeting's ballots in the order of SPEC 2.8."""
    return [ballot_out(b) for b in await service.list_ballots(session, meeting_id)]


@router.get("/api/ballots/{ballot_id}", response_model=BallotOut)
async def get_ballot(ballot_id: int, session: Session, _: ChairOrAdmin) -> BallotOut:
    """A ballot with its live tally (recounted from the stored votes)."""
    ballot = await service.get_ballot(session, ballot_id)
    return ballot_out(ballot, await service.live_tally(session, ballot))


def _lifecycle_route(action: BallotAction, summary: str) -> None:
    async def endpoint(ballot_id: int, session: Session, _: ChairOrAdmin) -> BallotOut:
        ballot = await service.act(session, ballot_id, action)
        return ballot_out(ballot, await service.live_tally(session, ballot))

    endpoint.__name__ = f"{action.value}_ballot"
    router.add_api_route(
        f"/api/ballots/{{ballot_id}}/{action.value}",
        endpoint,
        methods=["POST"],
        response_model=BallotOut,
        summary=summary,
    )


_lifecycle_route(BallotAction.OPEN, "Open the ballot for votes (at most one open per meeting)")
_lifecycle_route(BallotAction.CLOSE, "Close the ballot and record its result")
_lifecycle_route(BallotAction.ACCLAMATION, "Record a decision by acclamation, without a vote")
_lifecycle_route(BallotAction.WITHDRAW, "Record that the motion was withdrawn")
_lifecycle_route(BallotAction.HOLD, "Record that the motion is held over")
