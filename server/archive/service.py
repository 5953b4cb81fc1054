"""Export of a whole meeting in one document, and its import as a closed archive (issue 5 item 6).

The document (`server.archive.schemas`) holds the meeting, its frozen register, agenda, ballots
with their results, current votes, vote events with receipts, passes without their secrets, and
the meeting's hash-chained log as exported by `server.audit.service`. An import checks the
chain, checks the tables against the log (`server.archive.checks`) and rebuilds the meeting
under a new id, with its log copied byte for byte, so the archive verifies as the original did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.archive import repository
from server.archive.checks import Finding, chain_findings, entry_time, inconsistencies, read_log
from server.archive.schemas import (
    FORMAT,
    VERSION,
    AgendaItemDoc,
    BallotDoc,
    CandidateDoc,
    MeetingDoc,
    MeetingDocument,
    PassDoc,
    SeatDoc,
    UnitBallotDoc,
    VoteDoc,
    VoteEventDoc,
    WeightRuleDoc,
)
from server.audit import entries
from server.audit.chain import LogLine, canonical
from server.audit.journal import note
from server.audit.models import SYSTEM_CHAIN, LogEntry, LogHead
from server.audit.service import export_chain, head_of
from server.ballots import repository as ballot_repository
from server.ballots.models import Ballot, Candidate, UnitBallot, Vote, VoteEvent
from server.desk.models import Pass
from server.errors import Conflict, InvalidInput
from server.live.sealed import SEALED
from server.meetings import repository as meeting_repository
from server.meetings.models import AgendaItem, Meeting, MeetingMember
from server.meetings.service import get_meeting
from server.register.models import Member
from server.rules import (
    Choice,
    VoteChoice,
    hand_count_result_data,
    hand_count_result_from_data,
    result_data,
    result_from_data,
    secret_result_data,
    secret_result_from_data,
    vote_choice,
)
from server.rules.vote_choice import from_text
from server.security import hash_token, new_token

# meetings.published_at came with the publication; the archive works with and without it.
_PUBLISHED_AT = "published_at"
SHOWN_PROBLEMS = 5


async def export_meeting(session: AsyncSession, meeting_id: int) -> dict[str, Any]:
    """The whole meeting as one JSON document (format `votehall-meeting`, version 1).

    Left out on purpose: voting cards (their codes are secrets that still admit a representative
    at the desk), pass token and pairing code hashes, and the desk's operator log (it names this
    database's operator tokens). Representatives' names are in it, as they are in the minutes.
    Never exported either: `sealed_votes` and `ballot_keys`. They hold rows only while a secret
    ballot is open (its close unseals them into unit ballots and deletes them), and a sealed box
    with the ballot's wrapped key is how a member voted: it must not leave the server (SPEC 2.9).
    The unit ballots of closed secret ballots are exported, as the votes are.
    """
    meeting = await get_meeting(session, meeting_id)
    ballots = sorted(await ballot_repository.of_meeting(session, meeting_id), key=lambda b: b.id)
    candidates = await ballot_repository.candidates_of_ballots(session, [b.id for b in ballots])
    document = MeetingDocument(
        format=FORMAT,
        version=VERSION,
        exported_at=datetime.now(UTC),
        original_id=meeting.id,
        meeting=_meeting_doc(meeting),
        frozen_register=[
            SeatDoc(code=s.cbs_code, name=s.name, population=s.population, weight=s.weight)
            for s in await meeting_repository.frozen_register(session, meeting_id)
        ],
        agenda=[
            AgendaItemDoc(number=i.number, title=i.title, decision=i.decision, kind=i.kind, position=i.position)
            for i in await meeting_repository.agenda(session, meeting_id)
        ],
        ballots=[_ballot_doc(ballot, candidates[ballot.id]) for ballot in ballots],
        votes=[
            VoteDoc(ballot=v.ballot_id, member=code, pass_id=v.pass_id, choice=_doc_choice(v.choice),
                    vote_id=v.vote_id, cast_at=v.cast_at)
            for v, code in await repository.votes_of(session, meeting_id)
        ],
        vote_events=[
            VoteEventDoc(ballot=e.ballot_id, member=code, pass_id=e.pass_id, vote_id=e.vote_id,
                         choice=_doc_choice(e.choice), receipt=e.receipt, created_at=e.created_at)
            for e, code in await repository.vote_events_of(session, meeting_id)
        ],
        unit_ballots=[
            UnitBallotDoc(ballot=u.ballot_id, receipt=u.receipt, choice=u.choice)
            for u in await repository.unit_ballots_of(session, meeting_id)
        ],
        passes=[
            PassDoc(id=p.id, member=code, representative_name=p.representative_name,
                    representative_role=p.representative_role, status=p.status, paired_at=p.paired_at,
                    created_at=p.created_at, ended_at=p.ended_at)
            for p, code in await repository.passes_of(session, meeting_id)
        ],
        log=[orjson.loads(line) async for line in export_chain(session, meeting_id)],
    )  # fmt: skip
    data = document.model_dump(mode="json", by_alias=True)
    if not hasattr(Meeting, _PUBLISHED_AT):
        del data["meeting"][_PUBLISHED_AT]
    return data


def _meeting_doc(meeting: Meeting) -> MeetingDoc:
    return MeetingDoc(
        title=meeting.title,
        date=meeting.date,
        place=meeting.place,
        status=meeting.status,
        weight_rule=WeightRuleDoc(
            inhabitants_per_vote=meeting.inhabitants_per_vote,
            min_votes=meeting.min_votes,
            max_votes=meeting.max_votes,
        ),
        population_date=meeting.population_date,
        chair_name=meeting.chair_name,
        committee_members=list(meeting.committee_members or []),
        publish_representatives=meeting.publish_representatives,
        created_at=meeting.created_at,
        opened_at=meeting.opened_at,
        closed_at=meeting.closed_at,
        published_at=getattr(meeting, _PUBLISHED_AT, None),
    )


_BALLOT_COLUMNS = (
    "agenda", "title", "kind", "majority", "abstain_is_cast", "allow_change", "test", "show_live_tally",
    "preadvies", "status", "created_at", "opened_at", "closed_at", "outcome", "for_weight",
    "against_weight", "abstain_weight", "cast_weight", "members_voted", "percent_for", "close_hash",
    "close_seq", "off_agenda", "void_reason", "counted_by_hand", "confirmed_by", "secret", "round",
    "sealing_key", "election_result", "released_at",
)  # fmt: skip


def _ballot_doc(ballot: Ballot, candidates: Sequence[Candidate]) -> BallotDoc:
    columns = {name: getattr(ballot, name) for name in _BALLOT_COLUMNS}
    return BallotDoc(
        id=ballot.id,
        amends=ballot.amends_id,
        revote_of=ballot.revote_of_id,
        round_of=ballot.round_of_id,
        candidates=[CandidateDoc(id=c.id, name=c.name, note=c.note) for c in candidates],
        submitters=list(ballot.submitters),
        dissent=list(ballot.dissent),
        **columns,
    )


def checked_document(document: Any) -> tuple[MeetingDocument, list[LogLine]]:
    """Every check of an import before the database is touched (pure): the document validates,
    its meeting is closed, its log holds only entries, its chain is whole and its tables say what
    the log says. Raises InvalidInput naming every problem (the archive fuzz tests call it)."""
    doc = read_document(document)
    if doc.meeting.status != "closed":
        # An archive is a finished meeting: no ballot left open, nothing for a chair to resume.
        raise InvalidInput(
            f"the meeting in the document is {doc.meeting.status}; only a closed meeting can be "
            "archived: close it, then export it again",
            code="meeting_not_closed",
        )
    lines, found = read_log(doc.log)
    if found:
        raise _refused("the log has lines that are not log entries", "invalid_log", found)
    found = chain_findings(lines)
    if found:
        raise _refused("the log's hash chain is broken", "broken_chain", found)
    found = inconsistencies(doc, lines)
    if found:
        raise _refused("the document does not agree with its own log", "inconsistent_document", found)
    return doc, lines


async def import_meeting(session: AsyncSession, document: Any) -> Meeting:
    """Rebuild an exported meeting under a new id, as a closed archive.

    Refused, with every problem named: a document of another format or version, or that does
    not validate; a meeting that is not closed; a log whose hash chain is broken; tables that do
    not say what the log says; a meeting that is already in this database (its first log entry
    is). Members missing from the standing register are added from the frozen register (a
    frozen row needs its member); existing members are reused by CBS code and left as they are.
    The log is copied byte for byte into a chain of the new meeting, with its head, so every
    hash still verifies; the import itself is logged on the system chain. The live hub is never
    told: an archive takes no votes.
    """
    doc, lines = checked_document(document)
    here = await repository.chain_beginning_with(session, lines[0].hash)
    if here is not None:
        raise Conflict(
            f"this meeting is already in this database, as meeting {here}", code="already_imported"
        )
    meeting = await _rebuild(session, doc, lines)
    note(session, SYSTEM_CHAIN, entries.MEETING_IMPORTED,
         {"meeting": meeting.id, "original": doc.original_id, "head": lines[-1].hash})  # fmt: skip
    return meeting


def read_document(document: Any) -> MeetingDocument:
    """The document validated, or an `InvalidInput` that names what is wrong and where."""
    if not isinstance(document, Mapping):
        raise InvalidInput("a meeting document is a JSON object", code="invalid_document")
    if document.get("format") != FORMAT:
        raise InvalidInput(
            f"this is not a meeting export: its format is {document.get('format')!r}, not {FORMAT!r}",
            code="invalid_document",
        )
    if document.get("version") != VERSION:
        raise InvalidInput(
            f"version {document.get('version')!r} of the meeting document is not supported; "
            f"this server reads version {VERSION}",
            code="unsupported_version",
        )
    try:
        return MeetingDocument.model_validate(document)
    except ValidationError as error:
        found = [
            Finding(".".join(str(part) for part in e["loc"]) or "document", e["msg"]) for e in error.errors()
        ]
        raise _refused("the meeting document is not valid", "invalid_document", found) from None


def _refused(summary: str, code: str, found: Sequence[Finding]) -> InvalidInput:
    shown = "; ".join(f"{f.where}: {f.message}" for f in found[:SHOWN_PROBLEMS])
    more = f" (and {len(found) - SHOWN_PROBLEMS} more)" if len(found) > SHOWN_PROBLEMS else ""
    return InvalidInput(
        f"{summary}: {shown}{more}", code=code, extra={"problems": [f.as_dict() for f in found]}
    )


async def _rebuild(session: AsyncSession, doc: MeetingDocument, lines: Sequence[LogLine]) -> Meeting:
    m = doc.meeting
    meeting = Meeting(
        title=m.title, date=m.date, place=m.place, status=m.status,
        inhabitants_per_vote=m.weight_rule.inhabitants_per_vote, min_votes=m.weight_rule.min_votes,
        max_votes=m.weight_rule.max_votes, created_at=m.created_at, opened_at=m.opened_at,
        closed_at=m.closed_at, population_date=m.population_date, chair_name=m.chair_name,
        committee_members=list(m.committee_members) or None, publish_representatives=m.publish_representatives,
    )  # fmt: skip
    if hasattr(Meeting, _PUBLISHED_AT):
        setattr(meeting, _PUBLISHED_AT, m.published_at)
    session.add(meeting)
    await session.flush()
    if await head_of(session, meeting.id) is not None:
        raise Conflict(
            f"the log already has a chain {meeting.id}; the meeting id is taken", code="chain_taken"
        )
    members = await _members(session, doc.frozen_register)
    await repository.insert_rows(session, MeetingMember, [
        {"meeting_id": meeting.id, "member_id": members[s.code], "cbs_code": s.code, "name": s.name,
         "population": s.population, "weight": s.weight}
        for s in doc.frozen_register
    ])  # fmt: skip
    await repository.insert_rows(session, AgendaItem, [
        {"meeting_id": meeting.id, **item.model_dump(mode="json")} for item in doc.agenda
    ])  # fmt: skip
    ballots, candidates = await _ballots(session, meeting.id, doc.ballots)
    passes = await _passes(session, meeting.id, doc.passes, members)
    await repository.insert_rows(session, Vote, [
        {"ballot_id": ballots[v.ballot], "member_id": members[v.member],
         "pass_id": passes[v.pass_id] if v.pass_id is not None else None,
         "choice": _choice_text(v.choice, candidates),
         "vote_id": v.vote_id, "cast_at": v.cast_at}
        for v in doc.votes
    ])  # fmt: skip
    try:
        await repository.insert_rows(session, VoteEvent, [
            {"ballot_id": ballots[e.ballot], "member_id": members[e.member], "pass_id": passes[e.pass_id],
             "vote_id": e.vote_id, "choice": _choice_text(e.choice, candidates), "receipt": e.receipt,
             "created_at": e.created_at}
            for e in doc.vote_events
        ])  # fmt: skip
    except IntegrityError:
        # A member's vote ids are unique across meetings (the kiosk's resend record, SPEC 4.2).
        raise Conflict(
            "a vote id of this meeting is already used by the same member in this database",
            code="vote_id_taken",
        ) from None
    await repository.insert_rows(session, UnitBallot, [
        {"ballot_id": ballots[u.ballot], "receipt": u.receipt, "choice": _unit_choice(u.choice, candidates)}
        for u in doc.unit_ballots
    ])  # fmt: skip
    await _log(session, meeting.id, lines)
    return meeting


async def _members(session: AsyncSession, register: Sequence[SeatDoc]) -> dict[str, int]:
    """Member ids by code; members missing from the standing register are added (and logged)."""
    existing = await repository.members_by_code(session, [seat.code for seat in register])
    missing = [seat for seat in register if seat.code not in existing]
    added = [Member(cbs_code=s.code, name=s.name, population=s.population) for s in missing]
    session.add_all(added)
    await session.flush()
    if added:
        note(session, SYSTEM_CHAIN, entries.MEMBERS_IMPORTED, {
            "members": [{"member": s.code, "name": s.name, "population": s.population} for s in missing],
        })  # fmt: skip
    return {member.cbs_code: member.id for member in [*existing.values(), *added]}


def _doc_choice(stored: str) -> VoteChoice | Literal["sealed"]:
    """A stored choice as the document gives it: "sealed" for a vote on a secret ballot."""
    return "sealed" if stored == SEALED else from_text(stored)


def _choice_text(choice: VoteChoice | Literal["sealed"], candidates: Mapping[int, int]) -> str:
    """A vote's choice as the tables keep it, a candidate by its new id."""
    if choice == "sealed":
        return SEALED
    assert not isinstance(choice, str) or isinstance(choice, Choice)
    return vote_choice.text(choice if isinstance(choice, Choice) else candidates[choice])


def _unit_choice(choice: str, candidates: Mapping[int, int]) -> str:
    """A unit ballot's choice as the table keeps it, a candidate by its new id (the log keeps the
    old one, as every id in the log)."""
    return str(candidates[int(choice)]) if choice.isdigit() else choice


def _remapped(
    result: dict[str, Any] | None,
    candidates: Mapping[int, int],
    *,
    secret: bool = False,
    by_hand: bool = False,
) -> dict[str, Any] | None:
    """An election round's stored result with the candidates' new ids (the log keeps the old).
    A secret round's has no member counts per candidate (`secret_result_data`), one counted by
    hand none at all (`hand_count_result_data`)."""
    if result is None:
        return None
    if by_hand:  # refuses a malformed result, as the others do
        data = hand_count_result_data(hand_count_result_from_data(result))
    elif secret:
        data = secret_result_data(*secret_result_from_data(result))
    else:
        data = result_data(result_from_data(result))
    new = {**data, "candidates": [{**c, "id": candidates[c["id"]]} for c in data["candidates"]]}
    for key in ("next_candidates", "seeded", "drawn"):
        new[key] = [candidates[c] for c in data[key]]
    if data["elected"] is not None:
        new["elected"] = candidates[data["elected"]]
    return new


async def _ballots(
    session: AsyncSession, meeting_id: int, docs: Sequence[BallotDoc]
) -> tuple[dict[int, int], dict[int, int]]:
    """New ballot ids and new candidate ids by original id; `amends`, `revote_of` and `round_of`
    point at the new ballot ids, an election result at the new candidate ids. The log (and the
    document) name them by their original ids."""
    rows = {
        doc.id: Ballot(
            meeting_id=meeting_id,
            **doc.model_dump(exclude={"id", "amends", "revote_of", "round_of", "candidates"}),
        )
        for doc in sorted(docs, key=lambda b: b.id)
    }
    session.add_all(rows.values())
    await session.flush()
    new_ids = {original: ballot.id for original, ballot in rows.items()}
    for doc in docs:
        if doc.amends is not None:
            rows[doc.id].amends_id = new_ids[doc.amends]
        if doc.revote_of is not None:
            rows[doc.id].revote_of_id = new_ids[doc.revote_of]
        if doc.round_of is not None:
            rows[doc.id].round_of_id = new_ids[doc.round_of]
    added = {
        c.id: Candidate(ballot_id=new_ids[doc.id], position=position, name=c.name, note=c.note)
        for doc in docs
        for position, c in enumerate(doc.candidates, start=1)
    }
    session.add_all(added.values())
    await session.flush()
    candidates = {original: row.id for original, row in added.items()}
    for doc in docs:
        try:
            rows[doc.id].election_result = _remapped(
                doc.election_result, candidates, secret=doc.secret, by_hand=doc.counted_by_hand
            )
        except (KeyError, ValueError) as error:
            raise InvalidInput(
                f"ballot {doc.id}: its election result does not fit its candidates ({error})",
                code="invalid_document",
            ) from None
    await session.flush()
    return new_ids, candidates


async def _passes(
    session: AsyncSession, meeting_id: int, docs: Sequence[PassDoc], members: Mapping[str, int]
) -> dict[int, int]:
    """New pass ids by original id. The archive's passes can never be presented: each gets the
    hash of a fresh token that nobody keeps, and no pairing code."""
    rows = {
        doc.id: Pass(
            meeting_id=meeting_id,
            member_id=members[doc.member],
            token_hash=hash_token(new_token("vhp")),
            **doc.model_dump(exclude={"id", "member"}),
        )
        for doc in docs
    }
    session.add_all(rows.values())
    await session.flush()
    return {original: row.id for original, row in rows.items()}


async def _log(session: AsyncSession, chain: int, lines: Sequence[LogLine]) -> None:
    """The entries as they were hashed: the canonical bytes `check_chain` has just verified."""
    rows = [
        {"chain": chain, "seq": line.entry["seq"], "at": entry_time(line.entry), "type": line.entry["type"],
         "body": canonical(line.entry).decode("utf-8"), "prev_hash": line.prev_hash, "hash": line.hash}
        for line in lines
    ]  # fmt: skip
    await repository.insert_rows(session, LogEntry, rows)
    await repository.insert_rows(
        session, LogHead, [{"chain": chain, "seq": rows[-1]["seq"], "hash": rows[-1]["hash"]}]
    )
