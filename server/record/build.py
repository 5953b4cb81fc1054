"""Building the record (issue 15): what the database and the log say of a meeting, as a `Record`.

The frozen register, the decided ballots that are not test votes with what the minutes say of
each (submitters, preadvies, the amended proposal, re-votes, a lot), the current votes (the last
vote counts), who was present when (server.record.attendance, from the log's pass entries) and
each member's representatives, named only when the rendering may (`show_names`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.service import head_of, last_entry_of_type
from server.ballots import repository as ballots_repository
from server.ballots import rounds
from server.ballots.models import Ballot
from server.ballots.service import list_ballots
from server.live.sealed import SEALED
from server.meetings.models import Meeting
from server.meetings.repository import frozen_register
from server.record import attendance, repository
from server.record.content import (
    ABSENT,
    NOT_VOTED,
    VOTED,
    BallotRef,
    Lot,
    Record,
    RecordBallot,
    RecordCell,
    RecordChoice,
    RecordMember,
    Representative,
    in_record,
)
from server.rules import ElectionOutcome, ElectionResult, Outcome, RoundKind
from server.rules.vote_choice import from_text


async def build_record(session: AsyncSession, meeting: Meeting, *, show_names: bool = False) -> Record:
    """The record as the database holds it now: the frozen register, the decided ballots that
    are not test votes, the current votes (the last vote counts), who was present when (from the
    log's pass entries) and each member's representatives (named only when `show_names`)."""
    head = await head_of(session, meeting.id)
    register = await frozen_register(session, meeting.id)
    names = {seat.cbs_code: seat.name for seat in register}
    weights = {seat.cbs_code: seat.weight for seat in register}
    listed = await list_ballots(session, meeting.id)
    follows = {b.id: b.round_of_id for b in listed}
    refs = {b.id: BallotRef(b.id, b.agenda, b.title) for b in listed}
    revoted_by = {b.revote_of_id: b.id for b in listed if b.revote_of_id is not None}
    held = await repository.representatives(session, meeting.id)
    changes = attendance.pass_changes(
        await repository.log_entries(session, meeting.id, attendance.PASS_ENTRIES),
        {pass_id: code for pass_id, code, _, _ in held},
    )
    decided_at = [b.close_seq for b in listed if b.close_seq is not None and in_record(b.status, b.test)]
    present_at = attendance.present_at(changes, decided_at)
    lots = {
        int(data["ballot"]): data
        for _, _, data in await repository.log_entries(session, meeting.id, [entries.BALLOT_LOT])
    }
    ballots = []
    for b in listed:
        if not in_record(b.status, b.test):
            continue
        present = present_at.get(b.close_seq) if b.close_seq is not None else None
        details = BallotDetails(
            names=names,
            candidates=await _candidate_names(session, b),
            first_round=_first_round(b.id, follows),
            refs=refs,
            revoted_by=revoted_by.get(b.id),
            lot=lots.get(b.id),
            present=(len(present), sum(weights.get(code, 0) for code in present))
            if present is not None
            else None,
        )
        ballots.append(record_ballot(b, details))
    ballots = _with_amendments(ballots)
    voted = [b for b in ballots if b.electronic]
    choices: dict[str, dict[int, RecordChoice]] = {}
    for ballot_id, code, choice in await repository.current_votes(session, meeting.id, [b.id for b in voted]):
        # A secret ballot's record says that the member voted, never how (SPEC 2.9): its
        # choices are only in the unit ballots, which name no member.
        choices.setdefault(code, {})[ballot_id] = VOTED if choice == SEALED else from_text(choice)
    roles = await repository.latest_roles(session, meeting.id)
    present_once = attendance.ever_present(changes)
    people: dict[str, list[Representative]] = {}
    for _, code, name, role in held:
        person = Representative(name, role)
        if person not in people.setdefault(code, []):
            people[code].append(person)

    def cell(code: str, ballot: RecordBallot) -> RecordCell:
        choice = choices.get(code, {}).get(ballot.id)
        if choice is not None:
            return choice
        present = present_at.get(ballot.log_seq) if ballot.log_seq is not None else None
        return NOT_VOTED if present is not None and code in present else ABSENT

    members = tuple(
        RecordMember(
            code=seat.cbs_code,
            name=seat.name,
            weight=seat.weight,
            role=roles.get(seat.cbs_code),
            votes={ballot.id: cell(seat.cbs_code, ballot) for ballot in voted},
            present=seat.cbs_code in present_once,
            representatives=tuple(people.get(seat.cbs_code, ())) if show_names else (),
        )
        for seat in register
    )
    closing = await last_entry_of_type(session, meeting.id, entries.MEETING_CLOSED)
    return Record(
        meeting_id=meeting.id,
        title=meeting.title,
        date=meeting.date,
        place=meeting.place,
        published_at=meeting.published_at,
        log_head=head,
        ballots=tuple(ballots),
        members=members,
        population_date=meeting.population_date,
        opened_at=meeting.opened_at,
        closed_at=meeting.closed_at,
        close_seq=closing[0] if closing else None,
        close_hash=closing[1] if closing else None,
        chair_name=meeting.chair_name,
        committee_members=tuple(meeting.committee_members or ()),
        show_names=show_names,
        publish_representatives=meeting.publish_representatives,
    )


@dataclass(frozen=True, slots=True)
class BallotDetails:
    """What a ballot's line in the record needs besides the ballot itself."""

    names: Mapping[str, str]  # member code -> name
    candidates: Mapping[int, str]
    first_round: int | None
    refs: Mapping[int, BallotRef]
    revoted_by: int | None
    lot: Mapping[str, Any] | None  # the `ballot_lot` entry's data
    present: tuple[int, int] | None  # members and weight present at the decision


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


def record_ballot(ballot: Ballot, details: BallotDetails) -> RecordBallot:
    assert ballot.outcome is not None, ballot.id  # every decided ballot has one
    election = rounds.stored_result(ballot)
    outcome = record_outcome(ballot.outcome, election)
    lot = details.lot
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
        dissent=tuple(details.names.get(code, code) for code in ballot.dissent),
        election=election,
        candidates=tuple(details.candidates.items()),
        secret=ballot.secret,
        round=RoundKind(ballot.round) if ballot.round is not None else None,
        round_of=ballot.round_of_id,
        first_round=details.first_round,
        submitters=tuple(details.names.get(code, code) for code in ballot.submitters),
        preadvies=ballot.preadvies,
        amends=details.refs.get(ballot.amends_id) if ballot.amends_id is not None else None,
        revote_of=details.refs.get(ballot.revote_of_id) if ballot.revote_of_id is not None else None,
        revoted_by=details.revoted_by,
        confirmed_by=ballot.confirmed_by,
        lot=Lot(details.candidates.get(int(lot["candidate"]), str(lot["candidate"])), lot.get("drawn_by"))
        if lot is not None
        else None,
        off_agenda=ballot.off_agenda,
        closed_at=ballot.closed_at,
        present_members=details.present[0] if details.present is not None else None,
        present_weight=details.present[1] if details.present is not None else None,
    )


def _with_amendments(ballots: list[RecordBallot]) -> list[RecordBallot]:
    """Each proposal in the record with the amendments on it that are in the record, in order."""
    amended: dict[int, list[tuple[BallotRef, str]]] = {}
    for ballot in ballots:
        if ballot.amends is not None:
            ref = BallotRef(ballot.id, ballot.agenda, ballot.title)
            amended.setdefault(ballot.amends.id, []).append((ref, ballot.minutes("nl")))
    return [replace(b, amended_by=tuple(amended[b.id])) if b.id in amended else b for b in ballots]


def record_outcome(outcome: str, election: ElectionResult | None) -> Outcome | ElectionOutcome:
    """An election round's outcome in its own words (elected, next_round, lot); any other as SPEC 2.6."""
    if election is not None and outcome in {o.value for o in ElectionOutcome}:
        return ElectionOutcome(outcome)
    return Outcome(outcome)
