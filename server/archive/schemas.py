"""The meeting document on the wire: `{"format": "votehall-meeting", "version": 1, ...}`.

One model serves both directions: the export builds it, the import validates against it, so a
field added on one side cannot be forgotten on the other. Lengths follow the columns, so that an
oversized value is refused with its place in the document instead of failing in the database.
Members are named by CBS code; ballots and passes by their id in the exporting database, which
is also the id the log uses (`original_id` is the meeting's).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from server.rules import BallotKind, BallotStatus, Choice, Majority, Preadvies, RepresentativeRole

FORMAT: Final = "votehall-meeting"
VERSION: Final = 1

Code = Annotated[str, StringConstraints(min_length=1, max_length=16)]
HexHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Part(BaseModel):
    """Every part refuses unknown fields: a document is read exactly or not at all."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class WeightRuleDoc(Part):
    inhabitants_per_vote: int = Field(gt=0)
    min_votes: int = Field(gt=0)
    max_votes: int = Field(gt=0)


class MeetingDoc(Part):
    title: str = Field(min_length=1, max_length=300)
    date: dt.date
    place: str | None = Field(None, max_length=300)
    status: Literal["draft", "open", "closed"]
    weight_rule: WeightRuleDoc
    created_at: AwareDatetime
    opened_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    # Only in documents of a database that has the column (it came with the publication).
    published_at: AwareDatetime | None = None
    # The record's settings (issue 15); absent in documents written before 2026-12.
    population_date: dt.date | None = None
    chair_name: str | None = Field(None, max_length=200)
    committee_members: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=10
    )
    publish_representatives: bool = False


class SeatDoc(Part):
    """A row of the register frozen when the meeting opened (SPEC 2.1)."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    population: int = Field(ge=0)
    weight: int = Field(ge=0)


class AgendaItemDoc(Part):
    number: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=500)
    decision: bool
    kind: BallotKind | None = None
    position: int


class CandidateDoc(Part):
    """A candidate of an election (SPEC 2.10), by its id in the exporting database (the log's)."""

    id: int
    name: str = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=200)


class BallotDoc(Part):
    id: int
    agenda: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=500)
    kind: BallotKind
    majority: Majority
    abstain_is_cast: bool
    allow_change: bool
    test: bool
    show_live_tally: bool
    amends: int | None = Field(None, description="the id of the amended ballot in this document")
    submitters: list[str] = Field(default_factory=list, description="member codes")
    preadvies: Preadvies | None = None
    off_agenda: bool = False
    revote_of: int | None = Field(None, description="the id of the voided ballot this one votes again")
    status: BallotStatus
    created_at: AwareDatetime
    opened_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    outcome: str | None = Field(None, max_length=16)
    for_weight: int | None = None
    against_weight: int | None = None
    abstain_weight: int | None = None
    cast_weight: int | None = None
    members_voted: int | None = None
    percent_for: str | None = Field(None, max_length=8)
    close_hash: HexHash | None = None
    close_seq: int | None = None
    void_reason: str | None = Field(None, max_length=300)
    counted_by_hand: bool = False
    confirmed_by: str | None = Field(None, max_length=200)
    dissent: list[str] = Field(default_factory=list, description="member codes (aantekening)")
    # Issue 14; absent in documents written before it (a public ballot without candidates).
    secret: bool = False
    candidates: list[CandidateDoc] = Field(default_factory=list, max_length=50)
    round_of: int | None = Field(None, description="the id of the election round this one follows")
    round: str | None = Field(None, max_length=16)
    sealing_key: str | None = Field(None, max_length=64)
    election_result: dict[str, Any] | None = None
    released_at: AwareDatetime | None = None


# In an election a choice is a candidate's id in the exporting database (docs/SECRET_BALLOTS.md
# "Choices on the wire"), as the log names it; an import maps it to the candidate's new id.
CandidateChoice = Annotated[int, Field(ge=1, strict=True)]
# A vote on a secret ballot (docs/SECRET_BALLOTS.md): the tables keep that the member voted,
# never the choice, which is only in the ballot's unit ballots.
SealedChoice = Literal["sealed"]


class VoteDoc(Part):
    """A member's current vote on a ballot: the last one it cast (SPEC 2.4)."""

    ballot: int
    member: Code
    pass_id: int | None = Field(None, alias="pass")
    choice: Choice | CandidateChoice | SealedChoice
    vote_id: str = Field(min_length=1, max_length=64)
    cast_at: AwareDatetime


class VoteEventDoc(Part):
    """Every accepted vote message in commit order; its receipt is the hash of its log entry."""

    ballot: int
    member: Code
    pass_id: int = Field(alias="pass")
    vote_id: str = Field(min_length=1, max_length=64)
    choice: Choice | CandidateChoice | SealedChoice
    receipt: HexHash
    created_at: AwareDatetime


class UnitBallotDoc(Part):
    """One unit of weight of a closed secret ballot: its receipt and choice, nothing of the member."""

    ballot: int
    receipt: HexHash
    choice: str = Field(min_length=1, max_length=16)


class PassDoc(Part):
    """A voting pass without its secrets: no token hash, no pairing code hash."""

    id: int
    member: Code
    representative_name: str = Field(max_length=200)
    representative_role: RepresentativeRole
    status: Literal["active", "revoked", "checked_out", "meeting_closed"]
    paired_at: AwareDatetime | None = None
    created_at: AwareDatetime
    ended_at: AwareDatetime | None = None


class MeetingDocument(Part):
    format: Literal["votehall-meeting"]
    version: Literal[1]
    exported_at: AwareDatetime
    original_id: int = Field(description="the meeting's id where it was exported; the log's meeting id")
    meeting: MeetingDoc
    # Named apart from pydantic's own `register` (models are ABCs); "register" in the document.
    frozen_register: list[SeatDoc] = Field(alias="register")
    agenda: list[AgendaItemDoc]
    ballots: list[BallotDoc]
    votes: list[VoteDoc]
    vote_events: list[VoteEventDoc]
    # Issue 14; absent in documents written before it. The sealed votes and ballot keys of an
    # open secret ballot are never in a document (server.archive.service.export_meeting).
    unit_ballots: list[UnitBallotDoc] = Field(default_factory=list)
    passes: list[PassDoc]
    log: list[dict[str, Any]] = Field(
        description="the meeting's chain, one export line of server.audit.service each, in order"
    )
