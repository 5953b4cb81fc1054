"""Meetings: preparation, the agenda, and opening with a frozen register (SPEC 2.1, 4.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.audit.journal import note
from server.audit.service import last_entry_of_type
from server.auth.service import Operator
from server.ballots import repository as ballot_repository
from server.ballots.models import Ballot
from server.desk import repository as desk_repository
from server.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from server.live.events import MeetingChanged, record
from server.meetings import repository
from server.meetings.models import AgendaItem, Meeting, MeetingMember
from server.meetings.reference import population_date
from server.meetings.schemas import AgendaItemIn, MeetingCreate
from server.meetings.settings import apply_settings
from server.register import repository as register_repository
from server.rules import BallotAction, BallotStatus, Outcome, PassStatus, WeightRule, transition, weight_for


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting: Meeting
    agenda: Sequence[AgendaItem]
    register: Sequence[MeetingMember]
    closing_entry: tuple[int, str] | None = None  # (seq, hash) of the meeting_closed entry


def weight_rule_of(meeting: Meeting) -> WeightRule:
    return WeightRule(meeting.inhabitants_per_vote, meeting.min_votes, meeting.max_votes)


async def get_meeting(session: AsyncSession, meeting_id: int, *, for_update: bool = False) -> Meeting:
    meeting = await repository.get(session, meeting_id, for_update=for_update)
    if meeting is None:
        raise NotFound(f"there is no meeting {meeting_id}", code="unknown_meeting")
    return meeting


async def view(session: AsyncSession, meeting: Meeting) -> MeetingView:
    return MeetingView(
        meeting=meeting,
        agenda=await repository.agenda(session, meeting.id),
        register=await repository.frozen_register(session, meeting.id),
        closing_entry=(
            await last_entry_of_type(session, meeting.id, entries.MEETING_CLOSED)
            if meeting.status == "closed"
            else None
        ),
    )


async def create_meeting(
    session: AsyncSession, data: MeetingCreate, operator: Operator | None = None
) -> Meeting:
    rule_in = data.weight_rule
    rule = WeightRule(**rule_in.model_dump()) if rule_in else WeightRule()
    meeting = Meeting(
        title=data.title.strip(),
        date=data.date,
        place=data.place,
        status="draft",
        inhabitants_per_vote=rule.inhabitants_per_vote,
        min_votes=rule.min_votes,
        max_votes=rule.max_votes,
    )
    session.add(meeting)
    await session.flush()
    note(session, meeting.id, entries.MEETING_CREATED, {
        "meeting": {"id": meeting.id, "title": meeting.title, "date": meeting.date.isoformat(),
                    "place": meeting.place},
        "weight_rule": _rule_data(rule),
    })  # fmt: skip
    apply_settings(session, meeting, data, operator)
    await session.flush()
    await add_agenda_items(session, meeting, data.agenda)
    return meeting


def _rule_data(rule: WeightRule) -> dict[str, int]:
    return {
        "inhabitants_per_vote": rule.inhabitants_per_vote,
        "min_votes": rule.min_votes,
        "max_votes": rule.max_votes,
    }


async def add_agenda_items(session: AsyncSession, meeting: Meeting, items: Sequence[AgendaItemIn]) -> None:
    """Append items to the agenda; a number used twice is refused as a whole."""
    if meeting.status == "closed":
        raise Conflict("the meeting is closed", code="meeting_closed")
    taken = {item.number for item in await repository.agenda(session, meeting.id)}
    position = await repository.next_agenda_position(session, meeting.id)
    added: list[dict[str, object]] = []
    for item in items:
        if item.number in taken:
            raise InvalidInput(f"agenda item {item.number!r} appears twice", code="duplicate_agenda_item")
        taken.add(item.number)
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                number=item.number,
                title=item.title.strip(),
                decision=item.decision,
                kind=item.kind.value if item.kind else None,
                position=position,
            )
        )
        position += 1
        added.append(
            {"number": item.number, "title": item.title.strip(), "decision": item.decision,
             "kind": item.kind.value if item.kind else None}
        )  # fmt: skip
    await session.flush()
    if added:
        note(session, meeting.id, entries.AGENDA_ITEMS_ADDED, {"items": added})
    # Imported here: the ballots area builds on the meetings area (server.ballots.drafts).
    from server.ballots.vacancies import create_vacancy_ballots

    await create_vacancy_ballots(session, meeting.id, items)


async def open_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    """Open the meeting and freeze the register with each member's weight (SPEC 2.1) and the
    reference date of its figures (409 `mixed_reference_dates`, `reference_date_mismatch`).

    A later register import changes the standing register only; votes of this meeting keep the
    weights frozen here.
    """
    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.status != "draft":
        raise IllegalTransition(f"cannot open a meeting that is {meeting.status}")
    other = await repository.open_meeting(session)
    if other is not None:
        raise Conflict(
            f"meeting {other.id} ({other.title}) is open; close it first", code="another_meeting_open"
        )
    members = await register_repository.all_members(session)
    if not members:
        raise Conflict("the member register is empty; import it first", code="empty_register")
    # Statutes art. 11.4: the weights rest on the figures of one date, frozen with them.
    meeting.population_date = population_date((m.reference_date for m in members), meeting.population_date)
    rule = weight_rule_of(meeting)
    seats = [
        MeetingMember(
            meeting_id=meeting.id,
            member_id=member.id,
            cbs_code=member.cbs_code,
            name=member.name,
            population=member.population,
            weight=weight_for(member.population, rule),
        )
        for member in members
    ]
    session.add_all(seats)
    meeting.status = "open"
    meeting.opened_at = datetime.now(UTC)
    # One meeting opens at a time (the partial unique index), so no two take the same epoch.
    meeting.feed_epoch = await repository.next_feed_epoch(session)
    await session.flush()
    register = [
        {"member": s.cbs_code, "name": s.name, "population": s.population, "weight": s.weight}
        for s in sorted(seats, key=lambda s: s.cbs_code)
    ]
    opened: dict[str, object] = {"weight_rule": _rule_data(rule), "register": register}
    if meeting.population_date is not None:
        opened["population_date"] = meeting.population_date.isoformat()
    note(session, meeting.id, entries.MEETING_OPENED, opened)
    record(session, MeetingChanged(meeting.id))
    return meeting


async def set_current_item(session: AsyncSession, meeting_id: int, number: str | None) -> Meeting:
    """Put an agenda item up on the hall screen, also one without a vote; None takes it down."""
    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.status != "open":
        raise Conflict(f"the meeting is {meeting.status}", code="meeting_not_open")
    if number is not None and number not in {
        item.number for item in await repository.agenda(session, meeting.id)
    }:
        raise InvalidInput(f"agenda item {number!r} is not on the agenda", code="unknown_agenda_item")
    meeting.current_item = number
    await session.flush()
    note(session, meeting.id, entries.CURRENT_ITEM, {"agenda": number})
    record(session, MeetingChanged(meeting.id))
    return meeting


async def close_meeting(
    session: AsyncSession, meeting_id: int, *, confirm: bool = False, operator: Operator | None = None
) -> Meeting:
    """End the meeting (SPEC 2.11). An open ballot must be closed first; undecided ballots are
    named (409 `undecided_ballots`) unless `confirm`, and are then recorded as not decided.

    Every pass ends with the meeting (its handheld is told the meeting closed); the hall screens
    keep showing the meeting, closed, with all its decisions until another meeting opens.
    """
    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.status != "open":
        raise IllegalTransition(f"cannot close a meeting that is {meeting.status}")
    open_ballot = await ballot_repository.open_ballot_of(session, meeting.id)
    if open_ballot is not None:
        raise Conflict(
            f"agenda item {open_ballot.agenda} {open_ballot.title!r} is still open; close it first",
            code="ballot_open",
            extra={"ballots": [_ballot_ref(open_ballot)]},
        )
    ballots = await ballot_repository.of_meeting(session, meeting.id)
    undecided = sorted(
        (b for b in ballots if b.status == BallotStatus.DRAFT and not b.test), key=lambda b: b.id
    )
    if undecided and not confirm:
        positions = {item.number: item.position for item in await repository.agenda(session, meeting.id)}
        undecided.sort(key=lambda b: (b.off_agenda, positions.get(b.agenda, len(positions)), b.id))
        names = "; ".join(f"{b.agenda} {b.title!r}" for b in undecided)
        raise Conflict(
            f"not decided: {names}; close with confirmation to record them as not decided "
            '(votehall meetings close --confirm, or {"confirm": true})',
            code="undecided_ballots",
            extra={"ballots": [_ballot_ref(b) for b in undecided]},
        )
    now = datetime.now(UTC)
    for ballot in undecided:
        status = transition(BallotStatus(ballot.status), BallotAction.NOT_DECIDED, test=ballot.test)
        ballot.status = status.value
        ballot.outcome = Outcome.NOT_DECIDED.value
        ballot.closed_at = now
    for pass_ in await desk_repository.active_passes(session, meeting.id):
        pass_.status = PassStatus.MEETING_CLOSED.value
        pass_.ended_at = now
    meeting.status = "closed"
    meeting.closed_at = now
    await session.flush()
    data: dict[str, object] = {"not_decided": [b.id for b in undecided]}
    if operator is not None:
        data["operator"] = operator.log_data()
    entry = note(session, meeting.id, entries.MEETING_CLOSED, data)
    await journal.flush(session)  # the answer names the closing entry's hash, for the committee
    assert entry.written is not None
    for ballot in undecided:  # the entry that recorded them as not decided
        ballot.close_seq, ballot.close_hash = entry.written.seq, entry.written.hash
    await session.flush()
    record(session, MeetingChanged(meeting.id))
    return meeting


def _ballot_ref(ballot: Ballot) -> dict[str, object]:
    return {"id": ballot.id, "agenda": ballot.agenda, "title": ballot.title, "kind": ballot.kind}
