"""The record on the wire: `record.json` and the answer to publishing (SPEC 4.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from server.live.election_view import result_view
from server.record.content import BallotRef, Record
from server.rules import Choice


class MeetingRef(BaseModel):
    id: int
    title: str
    date: dt.date
    place: str | None


class LogHeadOut(BaseModel):
    seq: int
    hash: str


class BallotRefOut(BaseModel):
    id: int
    agenda: str
    title: str


class LotOut(BaseModel):
    candidate: str = Field(description="the name the lot drew")
    drawn_by: str | None = Field(description="who drew it in the hall, as the chair entered it")


class PresentOut(BaseModel):
    members: int
    weight: int


class AttendanceOut(BaseModel):
    members: int = Field(description="members present at the meeting: an active pass at any time")
    weight: int
    of_members: int
    of_weight: int


class CloseOut(BaseModel):
    seq: int
    hash: str = Field(description="the meeting's closing entry: what the chair and the committee sign")


class RecordBallotOut(BaseModel):
    id: int
    agenda: str
    title: str
    kind: str
    majority: str = Field(
        description="simple, two_thirds, or absolute for an election round (more than half of the cast votes)"
    )
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
    status: str = Field(
        description="closed, acclamation, withdrawn, held, voided, out_of_order or not_decided"
    )
    submitters: list[str] = Field(description="the submitting members' names (a motion, an amendment)")
    preadvies: str | None = Field(description="the board's advice (SPEC 2.8)")
    amends: BallotRefOut | None = Field(description="an amendment's proposal")
    amended_by: list[BallotRefOut] = Field(description="a proposal's amendments in the record")
    off_agenda: bool = Field(
        description="a motion on a matter not on the agenda (vreemd aan de orde van de dag)"
    )
    revote_of: BallotRefOut | None = Field(description="the voided ballot this one votes again")
    revoted_by: int | None = Field(description="a voided ballot's re-vote")
    void_reason: str | None
    confirmed_by: str | None = Field(description="the committee member who confirmed a count by hand")
    lot: LotOut | None
    decided_at: dt.datetime | None
    present: PresentOut | None = Field(
        description="members with an active pass when the ballot was decided, and their weight"
    )


class RepresentativeOut(BaseModel):
    name: str
    role: str


class RecordMemberOut(BaseModel):
    code: str
    name: str
    weight: int
    role: str | None = Field(
        description="the representative's role on the latest pass; null if never present"
    )
    votes: dict[str, Choice | int | str] = Field(
        description="per ballot id decided by an electronic vote: the member's choice (in an election "
        "the candidate's id: see the ballot's `election`; on a secret ballot only \"voted\", SPEC 2.9); "
        '"not_voted" when present (an active pass at the close) without a vote, "absent" otherwise'
    )
    present: bool = Field(description="present at the meeting: an active pass at any time")
    representatives: list[RepresentativeOut] | None = Field(
        description="who held its passes; null unless the meeting publishes representatives' names"
    )


class RecordOut(BaseModel):
    meeting: MeetingRef
    published_at: dt.datetime | None
    log_head: LogHeadOut | None
    population_date: dt.date | None = Field(
        description="the reference date of the weights' population figures"
    )
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    close: CloseOut | None = Field(description="the meeting's closing log entry; null while it is open")
    chair: str | None
    committee: list[str] = Field(description="the vote-counting committee's members, who sign the record")
    attendance: AttendanceOut
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
        population_date=record.population_date,
        opened_at=record.opened_at,
        closed_at=record.closed_at,
        close=CloseOut(seq=record.close_seq, hash=record.close_hash)
        if record.close_seq is not None and record.close_hash is not None
        else None,
        chair=record.chair_name,
        committee=list(record.committee_members),
        attendance=AttendanceOut(
            members=len(record.present),
            weight=record.present_weight,
            of_members=len(record.members),
            of_weight=record.total_weight,
        ),
        ballots=[
            RecordBallotOut(
                id=b.id,
                agenda=b.agenda,
                title=b.title,
                kind=b.kind,
                majority="absolute" if b.election_round else b.majority,
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
                status=b.status,
                submitters=list(b.submitters),
                preadvies=b.preadvies,
                amends=_ref(b.amends),
                amended_by=[BallotRefOut(id=r.id, agenda=r.agenda, title=r.title) for r, _ in b.amended_by],
                off_agenda=b.off_agenda,
                revote_of=_ref(b.revote_of),
                revoted_by=b.revoted_by,
                void_reason=b.void_reason,
                confirmed_by=b.confirmed_by,
                lot=LotOut(candidate=b.lot.candidate, drawn_by=b.lot.drawn_by) if b.lot else None,
                decided_at=b.closed_at,
                present=PresentOut(members=b.present_members, weight=b.present_weight)
                if b.present_members is not None and b.present_weight is not None
                else None,
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
                present=m.present,
                representatives=[RepresentativeOut(name=r.name, role=r.role) for r in m.representatives]
                if record.show_names
                else None,
            )
            for m in record.members
        ],
    )


def _ref(ref: BallotRef | None) -> BallotRefOut | None:
    return BallotRefOut(id=ref.id, agenda=ref.agenda, title=ref.title) if ref is not None else None


def record_json(record: Record) -> bytes:
    return record_out(record).model_dump_json(by_alias=True).encode("utf-8")
