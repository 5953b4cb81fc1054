"""The record on the wire: `record.json` and the answer to publishing (SPEC 4.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from server.live.election_view import result_view
from server.record.content import Record
from server.rules import Choice


class MeetingRef(BaseModel):
    id: int
    title: str
    date: dt.date
    place: str | None


class LogHeadOut(BaseModel):
    seq: int
    hash: str


class RecordBallotOut(BaseModel):
    id: int
    agenda: str
    title: str
    kind: str
    majority: str
    outcome: str = Field(description="adopted, rejected, acclamation, withdrawn or held")
    for_: int | None = Field(serialization_alias="for", description="weighted; null without a vote")
    against: int | None
    abstain: int | None
    cast: int | None
    members_voted: int | None
    percent_for: str | None = Field(description='of cast votes, two decimals ("93.40")')
    minutes: str = Field(description="the sentence for the minutes, in Dutch")
    minutes_en: str
    log_seq: int | None = Field(description="the log entry that recorded the decision")
    log_hash: str | None
    election: dict[str, Any] | None = Field(
        None, description="an election round's result per candidate, with the candidates' names (SPEC 2.10)"
    )
    secret: bool = Field(False, description='a secret ballot: members\' cells say only "voted" (SPEC 2.9)')
    round: str | None = Field(
        None, description="an election round's kind: first, second, intermediate, runoff, single"
    )
    round_of: int | None = Field(None, description="id of the election round this one follows")
    first_round: int | None = Field(None, description="id of the first round of this round's election")


class RecordMemberOut(BaseModel):
    code: str
    name: str
    weight: int
    role: str | None = Field(
        description="the representative's role on the latest pass; null if never present"
    )
    votes: dict[str, Choice | int | str | None] = Field(
        description="per ballot id decided by an electronic vote: the member's choice (in an election "
        "the candidate's id: see the ballot's `election`; on a secret ballot only \"voted\", SPEC 2.9), "
        "null if it did not vote"
    )


class RecordOut(BaseModel):
    meeting: MeetingRef
    published_at: dt.datetime | None
    log_head: LogHeadOut | None
    ballots: list[RecordBallotOut] = Field(description="decided ballots in agenda order, test votes left out")
    members: list[RecordMemberOut] = Field(description="the frozen register, by code")


class PublishedOut(BaseModel):
    meeting: int
    published_at: dt.datetime
    log_head: LogHeadOut = Field(description="the publication's own log entry, the end of the published log")


def record_out(record: Record) -> RecordOut:
    return RecordOut(
        meeting=MeetingRef(id=record.meeting_id, title=record.title, date=record.date, place=record.place),
        published_at=record.published_at,
        log_head=LogHeadOut(seq=record.log_head[0], hash=record.log_head[1]) if record.log_head else None,
        ballots=[
            RecordBallotOut(
                id=b.id,
                agenda=b.agenda,
                title=b.title,
                kind=b.kind,
                majority=b.majority,
                outcome=b.outcome.value,
                for_=b.for_,
                against=b.against,
                abstain=b.abstain,
                cast=b.cast,
                members_voted=b.members_voted,
                percent_for=b.percent_for,
                minutes=b.minutes("nl"),
                minutes_en=b.minutes("en"),
                log_seq=b.log_seq,
                log_hash=b.log_hash,
                election=result_view(
                    b.election, dict(b.candidates), secret=b.secret, by_hand=b.counted_by_hand
                )
                if b.election is not None
                else None,
                secret=b.secret,
                round=b.round.value if b.round is not None else None,
                round_of=b.round_of,
                first_round=b.first_round,
            )
            for b in record.ballots
        ],
        members=[
            RecordMemberOut(
                code=m.code,
                name=m.name,
                weight=m.weight,
                role=m.role,
                votes={str(ballot_id): choice for ballot_id, choice in m.votes.items()},
            )
            for m in record.members
        ],
    )


def record_json(record: Record) -> bytes:
    return record_out(record).model_dump_json(by_alias=True).encode("utf-8")
