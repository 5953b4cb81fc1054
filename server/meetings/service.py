"""Meetings: preparation, the agenda, and opening with a frozen register (SPEC 2.1, 4.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.journal import note
from server.ballots import repository as ballot_repository
from server.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from server.live.events import MeetingChanged, record
from server.meetings import repository
from server.meetings.models import AgendaItem, Meeting, MeetingMember
from server.meetings.schemas import AgendaItemIn, MeetingCreate
from server.register import repository as register_repository
from server.rules import WeightRule, weight_for


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting: Meeting
    agenda: Sequence[AgendaItem]
    register: Sequence[MeetingMember]


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
    )


async def create_meeting(session: AsyncSession, data: MeetingCreate) -> Meeting:
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


async def open_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    """Open the meeting and freeze the register with each member's weight (SPEC 2.1).

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
    note(session, meeting.id, entries.MEETING_OPENED, {"weight_rule": _rule_data(rule), "register": register})
    record(session, MeetingChanged(meeting.id))
    return meeting


async def close_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.status != "open":
        raise IllegalTransition(f"cannot close a meeting that is {meeting.status}")
    open_ballot = await ballot_repository.open_ballot_of(session, meeting.id)
    if open_ballot is not None:
        raise Conflict(f"ballot {open_ballot.id} is still open; close it first", code="ballot_open")
    meeting.status = "closed"
    meeting.closed_at = datetime.now(UTC)
    await session.flush()
    note(session, meeting.id, entries.MEETING_CLOSED, {})
    record(session, MeetingChanged(meeting.id))
    return meeting
