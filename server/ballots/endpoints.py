from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter, Request, Response, status

from server.ballots import (
    corrections,
    drafts,
    lifecycle,
    repository,
    round_service,
    rounds,
    sealed_close,
    service,
)
from server.ballots.models import Ballot, Candidate
from server.ballots.schemas import (
    BallotCreate,
    BallotOut,
    BallotUpdate,
    CandidateOut,
    CountdownIn,
    DissentIn,
    HandCountIn,
    LotIn,
    OpenIn,
    ResultOut,
    TallyOut,
    UnlockIn,
    VoidIn,
    WrappedKeyOut,
)
from server.deps import ChairOrAdmin, Session
from server.live.election_view import election_minutes, result_view, running
from server.live.sealed import SealedKeys
from server.meetings import repository as meeting_repository
from server.rules import (
    BallotAction,
    ElectionOutcome,
    ElectionTally,
    Outcome,
    Tally,
    minutes_sentence,
    percent_for,
)

_ELECTION_OUTCOMES = frozenset(o.value for o in ElectionOutcome)

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


def ballot_minutes(
    ballot: Ballot, names: Mapping[str, str], lang: str, candidates: Mapping[int, str] | None = None
) -> str:
    """The minutes sentence of a decided ballot (SPEC 2.6, 2.7, 2.10), with its corrections;
    an election round's with its candidates' `candidates` names."""
    assert ballot.outcome is not None
    result = rounds.stored_result(ballot)
    if result is not None and ballot.outcome in _ELECTION_OUTCOMES:
        return election_minutes(result, candidates or {}, by_hand=ballot.counted_by_hand)[lang]
    return minutes_sentence(
        Outcome(ballot.outcome),
        ballot.percent_for,
        lang,
        by_hand=ballot.counted_by_hand,
        reason=ballot.void_reason,
        dissent=[names.get(code, code) for code in ballot.dissent],
    )


def result_out(
    ballot: Ballot, names: Mapping[str, str] | None = None, candidates: Mapping[int, str] | None = None
) -> ResultOut | None:
    if ballot.outcome is None:
        return None
    names = names or {}
    election = rounds.stored_result(ballot)
    return ResultOut(
        outcome=ballot.outcome,
        for_=ballot.for_weight,
        against=ballot.against_weight,
        abstain=ballot.abstain_weight,
        cast=ballot.cast_weight,
        members_voted=ballot.members_voted,
        percent_for=ballot.percent_for,
        minutes=ballot_minutes(ballot, names, "nl", candidates),
        minutes_en=ballot_minutes(ballot, names, "en", candidates),
        election=result_view(election, candidates or {}, secret=ballot.secret, by_hand=ballot.counted_by_hand)
        if election is not None
        else None,
        counted_by_hand=ballot.counted_by_hand,
        confirmed_by=ballot.confirmed_by,
        void_reason=ballot.void_reason,
        dissent=list(ballot.dissent),
        log_seq=ballot.close_seq,
        log_hash=ballot.close_hash,
    )


def ballot_out(
    ballot: Ballot,
    tally: Tally | None = None,
    names: Mapping[str, str] | None = None,
    candidates: Sequence[Candidate] = (),
    election: ElectionTally | None = None,
    candidate_names: Mapping[int, str] | None = None,
) -> BallotOut:
    named = candidate_names if candidate_names is not None else {c.id: c.name for c in candidates}
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
        off_agenda=ballot.off_agenda,
        revote_of=ballot.revote_of_id,
        secret=ballot.secret,
        sealing_key=ballot.sealing_key,
        released=ballot.released_at is not None,
        candidates=[CandidateOut(id=c.id, name=c.name, note=c.note) for c in candidates],
        round_of=ballot.round_of_id,
        round=ballot.round,
        countdown_ends_at=ballot.countdown_ends_at,
        opened_at=ballot.opened_at,
        closed_at=ballot.closed_at,
        tally=tally_out(tally, ballot.abstain_is_cast) if tally is not None else None,
        election=running(election, named) if election is not None else None,
        result=result_out(ballot, names, named),
    )


@router.post(
    "/api/meetings/{meeting_id}/ballots",
    response_model=BallotOut,
    status_code=status.HTTP_201_CREATED,
    response_model_by_alias=True,
)
async def create_ballot(meeting_id: int, data: BallotCreate, session: Session, _: ChairOrAdmin) -> BallotOut:
    """Prepare a ballot (draft) on an agenda item; a benoeming with candidates is an election."""
    ballot = await drafts.create_ballot(session, meeting_id, data)
    return ballot_out(ballot, candidates=await repository.candidates_of(session, ballot.id))


@router.get("/api/meetings/{meeting_id}/ballots", response_model=list[BallotOut])
async def list_ballots(meeting_id: int, session: Session, _: ChairOrAdmin) -> list[BallotOut]:
    """The meeting's ballots in the order of SPEC 2.8."""
    ballots = await service.list_ballots(session, meeting_id)
    names = await _dissent_names(session, ballots)
    candidates = await repository.candidates_of_ballots(session, [b.id for b in ballots])
    return [
        ballot_out(
            b,
            names=names,
            candidates=candidates[b.id],
            candidate_names=await rounds.names_of_result(session, rounds.stored_result(b), candidates[b.id]),
        )
        for b in ballots
    ]


async def _dissent_names(session: Session, ballots: list[Ballot]) -> dict[str, str]:
    """Members' names for the minutes of acclamations with noted dissent (read only when needed)."""
    if not any(b.dissent for b in ballots):
        return {}
    return await meeting_repository.frozen_names(session, ballots[0].meeting_id)


async def _answer(session: Session, ballot: Ballot) -> BallotOut:
    candidates = await repository.candidates_of(session, ballot.id)
    # An open public election's tally per candidate, recounted from the stored votes.
    counting = ballot.status == "open" and not ballot.secret and rounds.is_election(ballot, candidates)
    return ballot_out(
        ballot,
        # No running tally of a secret ballot to anyone, the chair included (SPEC 2.9).
        None if ballot.secret else await service.live_tally(session, ballot),
        await _dissent_names(session, [ballot]),
        candidates,
        await rounds.counted(session, ballot, candidates) if counting else None,
        await rounds.names_of_result(session, rounds.stored_result(ballot), candidates),
    )


@router.get("/api/ballots/{ballot_id}", response_model=BallotOut)
async def get_ballot(ballot_id: int, session: Session, _: ChairOrAdmin) -> BallotOut:
    """A ballot with its live tally (recounted from the stored votes)."""
    return await _answer(session, await service.get_ballot(session, ballot_id))


@router.patch("/api/ballots/{ballot_id}", response_model=BallotOut)
async def edit_ballot(
    ballot_id: int, data: BallotUpdate, session: Session, operator: ChairOrAdmin
) -> BallotOut:
    """Edit a draft ballot (SPEC 2.7): send only the fields to change."""
    return await _answer(session, await drafts.update_ballot(session, ballot_id, data, operator))


@router.delete("/api/ballots/{ballot_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_ballot(ballot_id: int, session: Session, operator: ChairOrAdmin) -> Response:
    """Delete a draft ballot prepared by mistake (SPEC 2.7); the log keeps that it existed."""
    await drafts.delete_ballot(session, ballot_id, operator)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/api/ballots/{ballot_id}/candidates/{candidate_id}/withdraw", response_model=BallotOut)
async def withdraw_candidate(
    ballot_id: int, candidate_id: int, session: Session, operator: ChairOrAdmin
) -> BallotOut:
    """Take a withdrawn candidate off a draft ballot (logged); with one left it is a yes/no vote."""
    ballot = await drafts.withdraw_candidate(session, ballot_id, candidate_id, operator)
    return await _answer(session, ballot)


@router.post(
    "/api/ballots/{ballot_id}/next-round", response_model=BallotOut, status_code=status.HTTP_201_CREATED
)
async def next_round(ballot_id: int, session: Session, _: ChairOrAdmin) -> BallotOut:
    """Prepare the next round of an election whose round ended without a winner (SPEC 2.10): its
    candidates as the result plans them; 409 `no_next_round` after any other outcome."""
    return await _answer(session, await round_service.next_round(session, ballot_id))


@router.post("/api/ballots/{ballot_id}/lot", response_model=BallotOut)
async def enter_lot(ballot_id: int, data: LotIn, session: Session, operator: ChairOrAdmin) -> BallotOut:
    """Record the lot drawn in the hall after a tie only a lot decides (SPEC 2.10); 409 `no_lot`
    unless the round ended `lot`, 400 `not_in_lot` for a candidate the lot was not drawn among."""
    ballot = await round_service.enter_lot(session, ballot_id, data.candidate, data.drawn_by, operator)
    return await _answer(session, ballot)


@router.post("/api/ballots/{ballot_id}/open", response_model=BallotOut)
async def open_ballot(
    ballot_id: int, session: Session, operator: ChairOrAdmin, data: OpenIn | None = None
) -> BallotOut:
    """Open the ballot for votes (at most one open per meeting). Within an agenda item the order is
    amendments, proposal, motions (SPEC 2.8): `{"override_order": true}` opens out of turn (logged)."""
    override = data.override_order if data is not None else False
    ballot = await lifecycle.act(
        session, ballot_id, BallotAction.OPEN, operator=operator, override_order=override
    )
    return await _answer(session, ballot)


@router.post("/api/ballots/{ballot_id}/void", response_model=BallotOut)
async def void_ballot(ballot_id: int, data: VoidIn, session: Session, operator: ChairOrAdmin) -> BallotOut:
    """Declare an open ballot, or the last closed one, void with a reason (SPEC 2.7)."""
    return await _answer(session, await corrections.void(session, ballot_id, data.reason, operator))


@router.post("/api/ballots/{ballot_id}/hand-count", response_model=BallotOut, response_model_by_alias=True)
async def hand_count(
    ballot_id: int, data: HandCountIn, session: Session, operator: ChairOrAdmin
) -> BallotOut:
    """Record a result counted by hand, confirmed by the vote-counting committee (SPEC 2.7)."""
    return await _answer(session, await corrections.count_by_hand(session, ballot_id, data, operator))


@router.post("/api/ballots/{ballot_id}/countdown", response_model=BallotOut)
async def countdown(ballot_id: int, data: CountdownIn, session: Session, _: ChairOrAdmin) -> BallotOut:
    """Show a countdown on the open ballot ("nog 30 seconden"); 0 stops it. The chair still closes."""
    return await _answer(session, await lifecycle.start_countdown(session, ballot_id, data.seconds))


@router.post("/api/ballots/{ballot_id}/dissent", response_model=BallotOut)
async def note_dissent(
    ballot_id: int, data: DissentIn, session: Session, operator: ChairOrAdmin
) -> BallotOut:
    """Note the members whose dissent from a decision by acclamation is recorded (aantekening)."""
    return await _answer(session, await corrections.note_dissent(session, ballot_id, data.members, operator))


def _lifecycle_route(action: BallotAction, summary: str) -> None:
    async def endpoint(ballot_id: int, session: Session, operator: ChairOrAdmin) -> BallotOut:
        return await _answer(session, await lifecycle.act(session, ballot_id, action, operator=operator))

    endpoint.__name__ = f"{action.value}_ballot"
    router.add_api_route(
        f"/api/ballots/{{ballot_id}}/{action.value.replace('_', '-')}",
        endpoint,
        methods=["POST"],
        response_model=BallotOut,
        summary=summary,
    )


_lifecycle_route(BallotAction.ACCLAMATION, "Record a decision by acclamation, without a vote")
_lifecycle_route(BallotAction.WITHDRAW, "Record that the motion was withdrawn")
_lifecycle_route(BallotAction.HOLD, "Record that the motion is held over")
_lifecycle_route(BallotAction.OUT_OF_ORDER, "Declare the motion or amendment out of order, without a vote")


# Secret ballots (SPEC 2.9, docs/SECRET_BALLOTS.md): the close that needs the ballot's key, the
# release of a result to the public screens, and the committee's unlock after a restart.


def _keys(request: Request) -> SealedKeys | None:
    hub = getattr(request.app.state, "live", None)
    return hub.sealed if hub is not None else None


@router.post(
    "/api/ballots/{ballot_id}/close",
    response_model=BallotOut,
    summary="Close the ballot and record its result",
)
async def close_ballot(
    ballot_id: int, request: Request, session: Session, operator: ChairOrAdmin
) -> BallotOut:
    """Close the ballot and record its result. A secret ballot is counted from its sealed votes
    by the process that holds its key (asked through the fan-out when that is another one):
    409 `committee_unlock_needed` when no process holds it."""
    hub = getattr(request.app.state, "live", None)
    if hub is not None and await sealed_close.close_elsewhere(hub, ballot_id):
        return await _answer(session, await service.get_ballot(session, ballot_id))  # closed there
    ballot = await lifecycle.act(
        session, ballot_id, BallotAction.CLOSE, operator=operator, keys=_keys(request)
    )
    return await _answer(session, ballot)


@router.post("/api/ballots/{ballot_id}/release", response_model=BallotOut)
async def release_ballot(ballot_id: int, session: Session, operator: ChairOrAdmin) -> BallotOut:
    """Let a closed secret ballot's result onto the public screens (logged `ballot_released`)."""
    return await _answer(session, await sealed_close.release(session, ballot_id, operator))


@router.get("/api/ballots/{ballot_id}/ballot-key", response_model=WrappedKeyOut)
async def ballot_key(ballot_id: int, session: Session, _: ChairOrAdmin) -> WrappedKeyOut:
    """An open secret ballot's key sealed to the committee's key, for `votehall committee unlock`."""
    return WrappedKeyOut(**await sealed_close.wrapped_key(session, ballot_id))


@router.post("/api/ballots/{ballot_id}/unlock", response_model=BallotOut)
async def unlock_ballot(
    ballot_id: int, data: UnlockIn, request: Request, session: Session, operator: ChairOrAdmin
) -> BallotOut:
    """Give the server an open secret ballot's key again, as the committee unwrapped it."""
    ballot = await sealed_close.unlock(session, ballot_id, data.ballot_key, operator, _keys(request))
    return await _answer(session, ballot)
