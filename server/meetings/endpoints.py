from __future__ import annotations

from fastapi import APIRouter, status

from server.deps import AdminOnly, ChairOrAdmin, Session
from server.meetings import committee, service, settings
from server.meetings.schemas import (
    AgendaItemIn,
    AgendaItemOut,
    CommitteeKeyIn,
    CurrentItemIn,
    FrozenMemberOut,
    MeetingCloseIn,
    MeetingCreate,
    MeetingOut,
    MeetingSettingsIn,
    WeightRuleOut,
)
from server.secret.keys import fingerprint_display

router = APIRouter(prefix="/api/meetings", tags=["meetings"])


def meeting_out(view: service.MeetingView) -> MeetingOut:
    meeting = view.meeting
    opened = meeting.status != "draft"
    return MeetingOut(
        id=meeting.id,
        title=meeting.title,
        date=meeting.date,
        place=meeting.place,
        status=meeting.status,
        weight_rule=WeightRuleOut(
            inhabitants_per_vote=meeting.inhabitants_per_vote,
            min_votes=meeting.min_votes,
            max_votes=meeting.max_votes,
        ),
        opened_at=meeting.opened_at,
        closed_at=meeting.closed_at,
        published_at=meeting.published_at,
        agenda=[
            AgendaItemOut(number=i.number, title=i.title, decision=i.decision, kind=i.kind)
            for i in view.agenda
        ],
        members=len(view.register) if opened else None,
        weight=sum(m.weight for m in view.register) if opened else None,
        current_item=meeting.current_item,
        close_seq=view.closing_entry[0] if view.closing_entry else None,
        close_hash=view.closing_entry[1] if view.closing_entry else None,
        committee_fingerprint=(
            fingerprint_display(meeting.committee_fingerprint) if meeting.committee_fingerprint else None
        ),
        population_date=meeting.population_date,
        chair_name=meeting.chair_name,
        committee_members=list(meeting.committee_members or []),
        publish_representatives=meeting.publish_representatives,
    )


@router.post("", response_model=MeetingOut, status_code=status.HTTP_201_CREATED)
async def create_meeting(data: MeetingCreate, session: Session, operator: AdminOnly) -> MeetingOut:
    """Create a meeting (draft) with its weight rule and, optionally, its agenda and the settings
    of its record (population date, chair, committee, whether representatives are public)."""
    meeting = await service.create_meeting(session, data, operator)
    return meeting_out(await service.view(session, meeting))


@router.get("", response_model=list[MeetingOut])
async def list_meetings(session: Session, _: ChairOrAdmin) -> list[MeetingOut]:
    from server.meetings import repository

    return [meeting_out(await service.view(session, m)) for m in await repository.all_meetings(session)]


@router.get("/{meeting_id}", response_model=MeetingOut)
async def get_meeting(meeting_id: int, session: Session, _: ChairOrAdmin) -> MeetingOut:
    return meeting_out(await service.view(session, await service.get_meeting(session, meeting_id)))


@router.patch("/{meeting_id}", response_model=MeetingOut)
async def change_settings(
    meeting_id: int, data: MeetingSettingsIn, session: Session, operator: AdminOnly
) -> MeetingOut:
    """Change the record's settings (only the fields given) until the record is published (409
    `meeting_published`); the population date only until the meeting opens (409
    `population_date_frozen`). Logged as `meeting_settings`."""
    meeting = await settings.change_settings(session, meeting_id, data, operator)
    return meeting_out(await service.view(session, meeting))


@router.post("/{meeting_id}/agenda", response_model=MeetingOut)
async def add_agenda(
    meeting_id: int, items: list[AgendaItemIn], session: Session, _: AdminOnly
) -> MeetingOut:
    """Append items to the agenda."""
    meeting = await service.get_meeting(session, meeting_id)
    await service.add_agenda_items(session, meeting, items)
    return meeting_out(await service.view(session, meeting))


@router.post("/{meeting_id}/open", response_model=MeetingOut)
async def open_meeting(meeting_id: int, session: Session, _: AdminOnly) -> MeetingOut:
    """Open the meeting: freezes the register and every member's weight (SPEC 2.1)."""
    meeting = await service.open_meeting(session, meeting_id)
    return meeting_out(await service.view(session, meeting))


@router.post("/{meeting_id}/close", response_model=MeetingOut)
async def close_meeting(
    meeting_id: int, session: Session, operator: ChairOrAdmin, data: MeetingCloseIn | None = None
) -> MeetingOut:
    """Close the meeting (SPEC 2.11): no ballot may be open; undecided ballots are named (409
    `undecided_ballots`) unless `{"confirm": true}`, which records them as not decided. The
    answer's `close_hash` is what the vote-counting committee signs."""
    confirm = data.confirm if data is not None else False
    meeting = await service.close_meeting(session, meeting_id, confirm=confirm, operator=operator)
    return meeting_out(await service.view(session, meeting))


@router.post("/{meeting_id}/current-item", response_model=MeetingOut)
async def current_item(meeting_id: int, data: CurrentItemIn, session: Session, _: ChairOrAdmin) -> MeetingOut:
    """Put an agenda item up on the hall screen and the overlay, also one without a vote."""
    meeting = await service.set_current_item(session, meeting_id, data.agenda)
    return meeting_out(await service.view(session, meeting))


@router.get("/{meeting_id}/members", response_model=list[FrozenMemberOut])
async def frozen_register(meeting_id: int, session: Session, _: ChairOrAdmin) -> list[FrozenMemberOut]:
    """The register frozen at opening, with the weights that count in this meeting."""
    view = await service.view(session, await service.get_meeting(session, meeting_id))
    return [
        FrozenMemberOut(code=m.cbs_code, name=m.name, population=m.population, weight=m.weight)
        for m in view.register
    ]


@router.post("/{meeting_id}/committee-key", response_model=MeetingOut)
async def committee_key(
    meeting_id: int, data: CommitteeKeyIn, session: Session, operator: AdminOnly
) -> MeetingOut:
    """Set the vote-counting committee's public key (the text of committee.pub), until the
    meeting's first secret ballot opens; logged with its fingerprint (`committee_key`)."""
    meeting = await committee.set_committee_key(session, meeting_id, data.public_key, operator)
    return meeting_out(await service.view(session, meeting))
