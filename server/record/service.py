"""Publication (SPEC 2.9, statutes art. 11.5): publishing a closed meeting, building its record, and
who may read the record and the log before and after publication (SPEC 3, 4.1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.audit.service import export_chain, head_of
from server.auth.roles import Role
from server.auth.service import Operator
from server.ballots import repository as ballots_repository
from server.ballots import rounds
from server.ballots.models import Ballot
from server.ballots.service import list_ballots
from server.db import Database
from server.errors import Conflict, Forbidden
from server.live.sealed import SEALED
from server.meetings.models import Meeting
from server.meetings.repository import frozen_register
from server.meetings.service import get_meeting
from server.record import docx, page, pdf, repository, schemas, spreadsheet
from server.record.content import VOTED, Record, RecordBallot, RecordChoice, RecordMember, in_record
from server.rules import ElectionOutcome, ElectionResult, Outcome, RoundKind
from server.rules.vote_choice import from_text

# Before publication the chair and the admin check the record; the log is the admin's (SPEC 4.1).
RECORD_READERS = frozenset({Role.ADMIN, Role.CHAIR})
AUDIT_READERS = frozenset({Role.ADMIN})


async def publish(session: AsyncSession, meeting_id: int) -> tuple[Meeting, journal.Written]:
    """Publish a closed meeting's per-member record and log; answers the entry that says so.

    SPEC 2.9 / art. 11.5: how each member voted is published after the meeting, so only a
    closed meeting is published, and only once.
    """
    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.published_at is not None:
        raise Conflict(f"meeting {meeting_id} was published already", code="already_published")
    if meeting.status != "closed":
        raise Conflict(
            f"the meeting is {meeting.status}; close it before publishing", code="meeting_not_closed"
        )
    meeting.published_at = datetime.now(UTC)
    await session.flush()
    entry = journal.note(session, meeting.id, entries.MEETING_PUBLISHED, {})
    await journal.flush(session)
    assert entry.written is not None
    return meeting, entry.written


def check_can_read(meeting: Meeting, reader: Operator | None, readers: frozenset[Role]) -> None:
    """Public once published; before that only `readers` (an operator token of another role is
    no better than none)."""
    if meeting.published_at is not None or (reader is not None and reader.role in readers):
        return
    raise Forbidden(
        f"meeting {meeting.id} is not published yet; how every member voted is public once the "
        "chair has published it after the meeting (SPEC 2.9)",
        code="not_published",
    )


async def build_record(session: AsyncSession, meeting: Meeting) -> Record:
    """The record as the database holds it now: the frozen register, the decided ballots that
    are not test votes, the current votes (the last vote counts) and each member's last role."""
    head = await head_of(session, meeting.id)
    register = await frozen_register(session, meeting.id)
    names = {seat.cbs_code: seat.name for seat in register}
    listed = await list_ballots(session, meeting.id)
    follows = {b.id: b.round_of_id for b in listed}
    ballots = [
        _record_ballot(b, names, await _candidate_names(session, b), _first_round(b.id, follows))
        for b in listed
        if in_record(b.status, b.test)
    ]
    voted = [b.id for b in ballots if b.electronic]
    choices: dict[str, dict[int, RecordChoice]] = {}
    for ballot_id, code, choice in await repository.current_votes(session, meeting.id, voted):
        # A secret ballot's record says that the member voted, never how (SPEC 2.9): its
        # choices are only in the unit ballots, which name no member.
        choices.setdefault(code, {})[ballot_id] = VOTED if choice == SEALED else from_text(choice)
    roles = await repository.latest_roles(session, meeting.id)
    members = tuple(
        RecordMember(
            code=seat.cbs_code,
            name=seat.name,
            weight=seat.weight,
            role=roles.get(seat.cbs_code),
            votes={ballot_id: choices.get(seat.cbs_code, {}).get(ballot_id) for ballot_id in voted},
        )
        for seat in register
    )
    return Record(
        meeting_id=meeting.id,
        title=meeting.title,
        date=meeting.date,
        place=meeting.place,
        published_at=meeting.published_at,
        log_head=head,
        ballots=tuple(ballots),
        members=members,
    )


async def _candidate_names(session: AsyncSession, ballot: Ballot) -> dict[int, str]:
    if ballot.election_result is None:
        return {}
    rows = await ballots_repository.candidates_of(session, ballot.id)
    return await rounds.names_of_result(session, rounds.stored_result(ballot), rows)


def _first_round(ballot_id: int, follows: Mapping[int, int | None]) -> int | None:
    """The first round of the election whose later round `ballot_id` is (through the chain of
    `round_of`); None when the ballot follows no round."""
    first, before, seen = None, follows.get(ballot_id), {ballot_id}
    while before is not None and before not in seen:
        seen.add(before)
        first, before = before, follows.get(before)
    return first


def _record_ballot(
    ballot: Ballot, names: Mapping[str, str], candidates: Mapping[int, str], first_round: int | None
) -> RecordBallot:
    assert ballot.outcome is not None, ballot.id  # every decided ballot has one
    election = rounds.stored_result(ballot)
    outcome = _outcome(ballot.outcome, election)
    return RecordBallot(
        id=ballot.id,
        agenda=ballot.agenda,
        title=ballot.title,
        kind=ballot.kind,
        majority=ballot.majority,
        status=ballot.status,
        outcome=outcome,
        for_=ballot.for_weight,
        against=ballot.against_weight,
        abstain=ballot.abstain_weight,
        cast=ballot.cast_weight,
        members_voted=ballot.members_voted,
        percent_for=ballot.percent_for,
        log_seq=ballot.close_seq,
        log_hash=ballot.close_hash,
        counted_by_hand=ballot.counted_by_hand,
        void_reason=ballot.void_reason,
        dissent=tuple(names.get(code, code) for code in ballot.dissent),
        election=election,
        candidates=tuple(candidates.items()),
        secret=ballot.secret,
        round=RoundKind(ballot.round) if ballot.round is not None else None,
        round_of=ballot.round_of_id,
        first_round=first_round,
    )


def _outcome(outcome: str, election: ElectionResult | None) -> Outcome | ElectionOutcome:
    """An election round's outcome in its own words (elected, next_round, lot); any other as SPEC 2.6."""
    if election is not None and outcome in {o.value for o in ElectionOutcome}:
        return ElectionOutcome(outcome)
    return Outcome(outcome)


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"


RENDERERS: dict[Format, Callable[[Record], bytes]] = {
    Format.JSON: schemas.record_json,
    Format.CSV: spreadsheet.record_csv,
    Format.HTML: page.record_html,
    Format.PDF: pdf.results_pdf,
    Format.DOCX: docx.results_docx,
}

# Once published, a record is read by anyone, and a public route must not make the server rebuild
# a whole meeting on every request. Every change to what the record shows appends to the meeting's
# log, so a rendering stays valid for as long as the log's head hash is the one it was made at.
CACHE_SIZE = 64
_published: dict[tuple[int, Format], tuple[str, bytes]] = {}


async def rendered(
    session: AsyncSession, meeting_id: int, reader: Operator | None, fmt: Format
) -> tuple[Meeting, bytes]:
    """The record of a meeting in `fmt`, for a reader who may see it."""
    meeting = await get_meeting(session, meeting_id)
    check_can_read(meeting, reader, RECORD_READERS)
    published = meeting.published_at is not None
    key = (meeting.id, fmt)
    if published:
        head = await head_of(session, meeting.id)
        cached = _published.get(key)
        if head is not None and cached is not None and cached[0] == head[1]:
            return meeting, cached[1]
    record = await build_record(session, meeting)
    body = await asyncio.to_thread(RENDERERS[fmt], record)
    if published and record.log_head is not None:
        _published.pop(key, None)
        while len(_published) >= CACHE_SIZE:
            _published.pop(next(iter(_published)))
        _published[key] = (record.log_head[1], body)
    return meeting, body


async def check_audit_access(session: AsyncSession, meeting_id: int, reader: Operator | None) -> bool:
    """Raises unless the reader may see the meeting's log; answers whether it is published."""
    meeting = await get_meeting(session, meeting_id)
    check_can_read(meeting, reader, AUDIT_READERS)
    return meeting.published_at is not None


async def audit_lines(database: Database, meeting_id: int) -> AsyncIterator[bytes]:
    """The meeting's log, one JSON object a line, read in pages in one read-only transaction of its
    own (the request's transaction ends before a streamed answer is sent)."""
    async with database.transaction(readonly=True) as session:
        async for line in export_chain(session, meeting_id):
            yield line
