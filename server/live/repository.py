"""Queries that (re)build the live read model from the database, the only source of truth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import LogEntry
from server.audit.service import head_of
from server.ballots.models import Ballot, Vote, VoteEvent
from server.ballots.repository import candidate_names, candidates_of
from server.ballots.rounds import stored_result
from server.desk.models import Pass
from server.live.sealed import stored_choice
from server.live.state import Ack, ActivePass, LiveBallot, LiveCandidate, LiveMeeting, Result, Seat
from server.meetings.models import AgendaItem, Meeting, MeetingMember
from server.rules import BallotStatus, ElectionResult, VoteChoice
from server.rules.vote_choice import from_text


def _result(ballot: Ballot, seats: dict[int, Seat]) -> Result | None:
    if ballot.outcome is None:
        return None
    return Result(
        outcome=ballot.outcome,
        for_=ballot.for_weight,
        against=ballot.against_weight,
        abstain=ballot.abstain_weight,
        cast=ballot.cast_weight,
        members_voted=ballot.members_voted,
        percent_for=ballot.percent_for,
        counted_by_hand=ballot.counted_by_hand,
        void_reason=ballot.void_reason,
        dissent=_names(ballot.dissent, seats),
    )


def _election_result(ballot: Ballot) -> ElectionResult | None:
    return stored_result(ballot)


def _mentioned(result: ElectionResult | None) -> set[int]:
    """Every candidate a round's result names: its own, and those seeded from an earlier round."""
    if result is None:
        return set()
    return {*result.candidate_ids, *result.next_candidates, *result.seeded, *result.drawn}


async def load_ballot(session: AsyncSession, ballot: Ballot, seats: dict[int, Seat]) -> LiveBallot:
    candidates = [LiveCandidate(c.id, c.name, c.note) for c in await candidates_of(session, ballot.id)]
    election_result = _election_result(ballot)
    names = {c.id: c.name for c in candidates}
    missing = _mentioned(election_result) - names.keys()
    names |= await candidate_names(session, missing)
    live = LiveBallot(
        id=ballot.id,
        agenda=ballot.agenda,
        title=ballot.title,
        kind=ballot.kind,
        status=BallotStatus(ballot.status),
        majority=ballot.majority,
        abstain_is_cast=ballot.abstain_is_cast,
        allow_change=ballot.allow_change,
        test=ballot.test,
        show_live_tally=ballot.show_live_tally,
        preadvies=ballot.preadvies,
        amends=ballot.amends_id,
        submitters=list(ballot.submitters),
        decided_at=ballot.closed_at,
        result=_result(ballot, seats),
        submitter_names=_names(ballot.submitters, seats),
        off_agenda=ballot.off_agenda,
        revote_of=ballot.revote_of_id,
        countdown_ends_at=ballot.countdown_ends_at,
        secret=ballot.secret,
        candidates=candidates,
        round_of=ballot.round_of_id,
        round=ballot.round,
        election_result=election_result,
        candidate_names=names,
        sealing_key=ballot.sealing_key,
        released=ballot.released_at is not None,
    )
    if ballot.secret:
        live.reset_participation(await current_participants(session, ballot.id), seats)
    else:
        live.reset(await current_choices(session, ballot.id), seats)
    return live


def _names(codes: list[str], seats: dict[int, Seat]) -> list[str]:
    if not codes:
        return []
    by_code = {seat.code: seat.name for seat in seats.values()}
    return [by_code.get(code, code) for code in codes]


async def current_choices(session: AsyncSession, ballot_id: int) -> dict[int, tuple[VoteChoice, int]]:
    """Member id -> current choice, and the log seq of its entry, of every stored vote."""
    query = select(Vote.member_id, Vote.choice, Vote.log_seq).where(Vote.ballot_id == ballot_id)
    votes = await session.execute(query)
    return {member_id: (from_text(choice), seq or 0) for member_id, choice, seq in votes.all()}


async def current_participants(session: AsyncSession, ballot_id: int) -> dict[int, int]:
    """Member id -> the log seq of its current vote, on a secret ballot (choices stay sealed)."""
    query = select(Vote.member_id, Vote.log_seq).where(Vote.ballot_id == ballot_id)
    return {member_id: seq or 0 for member_id, seq in (await session.execute(query)).all()}


def active_pass(pass_: Pass) -> ActivePass:
    return ActivePass(pass_id=pass_.id, member_id=pass_.member_id, token_hash=pass_.token_hash)


async def load_meeting(session: AsyncSession, meeting: Meeting, *, with_acks: bool = True) -> LiveMeeting:
    """The read model of a meeting; `with_acks=False` skips the vote log (a snapshot needs none)."""
    seats = {
        seat.member_id: Seat(member_id=seat.member_id, code=seat.cbs_code, name=seat.name, weight=seat.weight)
        for seat in await session.scalars(select(MeetingMember).where(MeetingMember.meeting_id == meeting.id))
    }
    passes = (await session.scalars(select(Pass).where(Pass.meeting_id == meeting.id))).all()
    ballots = (await session.scalars(select(Ballot).where(Ballot.meeting_id == meeting.id))).all()
    events = await session.execute(
        select(
            VoteEvent.member_id, VoteEvent.vote_id, VoteEvent.ballot_id, VoteEvent.choice, VoteEvent.receipt
        )
        .join(Ballot, Ballot.id == VoteEvent.ballot_id)
        .where(Ballot.meeting_id == meeting.id)
    )
    return LiveMeeting(
        id=meeting.id,
        title=meeting.title,
        date=meeting.date,
        seats=seats,
        passes={p.token_hash: active_pass(p) for p in passes if p.status == "active"},
        ended_passes={p.token_hash for p in passes if p.status != "active"},
        ballots={b.id: await load_ballot(session, b, seats) for b in ballots},
        epoch=meeting.feed_epoch or 0,
        closed=meeting.status == "closed",
        agenda={
            item.number: item.title
            for item in await session.scalars(
                select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
            )
        },
        current_item=meeting.current_item,
        acks={
            (member_id, vote_id): Ack(
                vote_id=vote_id, ballot_id=ballot_id, choice=stored_choice(choice), receipt=receipt
            )
            for member_id, vote_id, ballot_id, choice, receipt in events.all()
        },
    )


async def log_position(session: AsyncSession) -> tuple[int, int, int]:
    """The meeting the feed follows (the open one, else the one that opened last), its feed
    epoch and its log head seq; (0, 0, 0) before any meeting has opened."""
    following = select(Meeting.id, Meeting.feed_epoch)
    found = (await session.execute(following.where(Meeting.status == "open"))).first()
    if found is None:
        latest = following.where(Meeting.feed_epoch.is_not(None)).order_by(Meeting.feed_epoch.desc()).limit(1)
        found = (await session.execute(latest)).first()
    if found is None:
        return 0, 0, 0
    meeting, epoch = found
    return meeting, epoch or 0, await _head_seq(session, meeting)


async def _head_seq(session: AsyncSession, meeting: int) -> int:
    head = await head_of(session, meeting)
    return head[0] if head else 0


class LogRow(Protocol):
    seq: int
    type: str
    body: str
    hash: str


async def log_after(session: AsyncSession, chain: int, seq: int, *, limit: int) -> Sequence[LogRow]:
    """The entries of a chain past `seq`, in order; at most `limit` + 1 (so that a caller can
    tell that there were more)."""
    query = (
        select(LogEntry.seq, LogEntry.type, LogEntry.body, LogEntry.hash)
        .where(LogEntry.chain == chain, LogEntry.seq > seq)
        .order_by(LogEntry.seq)
        .limit(limit + 1)
    )
    return (await session.execute(query)).all()


async def load_followed_meeting(session: AsyncSession) -> LiveMeeting | None:
    """The meeting the feed follows (SPEC 4.3, 2.11): the open one, else the one that opened last,
    closed, whose decisions the hall keeps seeing until another meeting opens."""
    meeting = await session.scalar(select(Meeting).where(Meeting.status == "open"))
    if meeting is None:
        latest = select(Meeting).where(Meeting.feed_epoch.is_not(None)).order_by(Meeting.feed_epoch.desc())
        meeting = await session.scalar(latest.limit(1))
    return await load_meeting(session, meeting) if meeting is not None else None
