"""Where the public finds the records (issue 15): every published meeting, newest first, with its
decisions and a link to each format, as `GET /api/records` (JSON) and `/uitslagen` (a page).

The association's website links to these or embeds them. Nothing unpublished appears: a meeting is
listed once the chair has published it (SPEC 2.9). The list is built per request, in a fixed
number of queries whatever the number of meetings; each decision's minutes sentence comes from the
same RecordBallot as the meeting's record.json, so the two always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots import repository as ballots_repository
from server.ballots import rounds
from server.ballots.models import Ballot
from server.ballots.service import in_agenda_order
from server.record import repository
from server.record.build import BallotDetails, record_ballot

_FILES = {
    "html": "record.html",
    "json": "record.json",
    "csv": "record.csv",
    "pdf": "results.pdf",
    "docx": "results.docx",
    "audit": "audit",
}


class DecisionOut(BaseModel):
    id: int
    agenda: str
    title: str
    kind: str
    outcome: str = Field(description="as the ballot's `outcome` in record.json")
    minutes: str = Field(description="the sentence for the minutes, in Dutch")
    percent_for: str | None = Field(description='of cast votes, two decimals ("93.40"); null without a vote')


class LinksOut(BaseModel):
    html: str = Field(description="record.html: the record as a page")
    json_: str = Field(serialization_alias="json", description="record.json")
    csv: str
    pdf: str = Field(description="results.pdf: the results for the minutes")
    docx: str = Field(description="results.docx: the results for the minutes, as a Word document")
    audit: str = Field(description="the meeting's event log")


class PublishedMeetingOut(BaseModel):
    id: int
    title: str
    date: dt.date
    place: str | None
    published_at: dt.datetime
    decisions: list[DecisionOut] = Field(description="as record.json's ballots, in agenda order")
    links: LinksOut = Field(description="paths on this server, one per format")


class RecordsOut(BaseModel):
    meetings: list[PublishedMeetingOut] = Field(description="every published meeting, newest first")


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    agenda: str
    title: str
    kind: str
    outcome: str
    minutes: str
    percent_for: str | None


@dataclass(frozen=True, slots=True)
class PublishedMeeting:
    id: int
    title: str
    date: dt.date
    place: str | None
    published_at: dt.datetime
    decisions: tuple[Decision, ...]

    @property
    def links(self) -> dict[str, str]:
        return {name: f"/api/meetings/{self.id}/{file}" for name, file in _FILES.items()}


async def published_meetings(session: AsyncSession) -> list[PublishedMeeting]:
    """Every published meeting, newest first, with the decisions its record holds."""
    meetings = await repository.published_meetings(session)
    ids = [meeting.id for meeting in meetings]
    ballots = await repository.recorded_ballots(session, ids)
    positions = await repository.agenda_positions(session, ids)
    names = await _candidate_names(session, ballots)
    dissent = await repository.member_names(session, ids, {code for b in ballots for code in b.dissent})
    by_meeting: dict[int, list[Ballot]] = defaultdict(list)
    for ballot in ballots:
        by_meeting[ballot.meeting_id].append(ballot)
    listed = []
    for meeting in meetings:
        assert meeting.published_at is not None
        ordered = in_agenda_order(by_meeting[meeting.id], positions[meeting.id])
        listed.append(
            PublishedMeeting(
                id=meeting.id,
                title=meeting.title,
                date=meeting.date,
                place=meeting.place,
                published_at=meeting.published_at,
                decisions=tuple(_decision(b, names, dissent) for b in ordered),
            )
        )
    return listed


async def _candidate_names(session: AsyncSession, ballots: Sequence[Ballot]) -> dict[int, str]:
    """The names of every candidate that the elections among `ballots` stand or mention."""
    elections = [b for b in ballots if b.election_result is not None]
    standing = await ballots_repository.candidates_of_ballots(session, [b.id for b in elections])
    names = {c.id: c.name for candidates in standing.values() for c in candidates}
    mentioned: set[int] = set()
    for ballot in elections:
        result = rounds.stored_result(ballot)
        if result is not None:
            mentioned |= {*result.candidate_ids, *result.next_candidates, *result.seeded, *result.drawn}
    return names | await ballots_repository.candidate_names(session, mentioned - names.keys())


def _decision(ballot: Ballot, names: Mapping[int, str], dissent: Mapping[tuple[int, str], str]) -> Decision:
    assert ballot.outcome is not None, ballot.id  # every ended ballot has one
    names_of_members = {
        code: name for (meeting, code), name in dissent.items() if meeting == ballot.meeting_id
    }
    # The record's own ballot, so that its outcome and minutes sentence are the record's.
    record = record_ballot(
        ballot,
        BallotDetails(
            names=names_of_members, candidates=names, first_round=None, refs={}, revoted_by=None, lot=None,
            present=None,
        ),
    )  # fmt: skip
    return Decision(
        id=ballot.id,
        agenda=ballot.agenda,
        title=ballot.title,
        kind=ballot.kind,
        outcome=record.outcome.value,
        minutes=record.minutes("nl"),
        percent_for=ballot.percent_for,
    )


def records_out(meetings: Sequence[PublishedMeeting]) -> RecordsOut:
    return RecordsOut(meetings=[_meeting_out(m) for m in meetings])


def _meeting_out(meeting: PublishedMeeting) -> PublishedMeetingOut:
    links = meeting.links
    return PublishedMeetingOut(
        id=meeting.id,
        title=meeting.title,
        date=meeting.date,
        place=meeting.place,
        published_at=meeting.published_at,
        decisions=[DecisionOut.model_validate(d, from_attributes=True) for d in meeting.decisions],
        links=LinksOut(
            html=links["html"],
            json_=links["json"],
            csv=links["csv"],
            pdf=links["pdf"],
            docx=links["docx"],
            audit=links["audit"],
        ),
    )
