from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from server.meetings.schemas import Strict
from server.rules import BallotKind, Majority, Preadvies


class BallotCreate(Strict):
    agenda: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=500)
    kind: BallotKind
    majority: Majority = Majority.SIMPLE
    abstain_is_cast: bool = False
    allow_change: bool = True
    test: bool = False
    amends: int | None = Field(None, description="id of the proposal or resolution an amendment amends")
    submitters: list[str] = Field(default_factory=list, max_length=400, description="member codes")
    preadvies: Preadvies | None = None
    show_live_tally: bool = False


class TallyOut(BaseModel):
    for_: int = Field(serialization_alias="for")
    against: int
    abstain: int
    cast: int
    members_voted: int
    weight_voted: int
    percent_for: str | None


class ResultOut(BaseModel):
    outcome: str
    for_: int | None = Field(serialization_alias="for")
    against: int | None
    abstain: int | None
    cast: int | None
    members_voted: int | None
    percent_for: str | None
    minutes: str = Field(description="the sentence for the minutes, in Dutch")
    minutes_en: str
    log_seq: int | None = Field(description="number of the log entry that recorded the decision")
    log_hash: str | None = Field(description="its hash: the head of the meeting's log at that moment")


class BallotOut(BaseModel):
    id: int
    meeting: int
    agenda: str
    title: str
    kind: str
    status: str
    majority: str
    abstain_is_cast: bool
    allow_change: bool
    test: bool
    show_live_tally: bool
    amends: int | None
    submitters: list[str]
    preadvies: str | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    tally: TallyOut | None = Field(None, description="the live tally (chair only)")
    result: ResultOut | None
