from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from server.rules import BallotKind


class Strict(BaseModel):
    """Input models refuse unknown fields: a misspelt setting must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class WeightRuleIn(Strict):
    inhabitants_per_vote: int = Field(1000, gt=0, le=10_000_000)
    min_votes: int = Field(1, gt=0, le=1_000_000)
    max_votes: int = Field(75, gt=0, le=1_000_000)


class AgendaItemIn(Strict):
    number: str = Field(min_length=1, max_length=20, pattern=r"^\S(.*\S)?$")
    title: str = Field(min_length=1, max_length=500)
    decision: bool = False
    kind: BallotKind | None = None


class MeetingCreate(Strict):
    title: str = Field(min_length=1, max_length=300)
    date: dt.date
    place: str | None = Field(None, max_length=300)
    weight_rule: WeightRuleIn | None = None
    agenda: list[AgendaItemIn] = Field(default_factory=list, max_length=500)


class WeightRuleOut(BaseModel):
    inhabitants_per_vote: int
    min_votes: int
    max_votes: int


class AgendaItemOut(BaseModel):
    number: str
    title: str
    decision: bool
    kind: str | None


class MeetingOut(BaseModel):
    id: int
    title: str
    date: dt.date
    place: str | None
    status: str
    weight_rule: WeightRuleOut
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    published_at: dt.datetime | None = Field(None, description="when the chair published the record")
    agenda: list[AgendaItemOut]
    members: int | None = Field(None, description="members in the frozen register, once opened")
    weight: int | None = Field(None, description="total weight of the frozen register, once opened")
    current_item: str | None = Field(None, description="the agenda item the chair has put up")
    close_seq: int | None = Field(None, description="number of the log entry that closed the meeting")
    close_hash: str | None = Field(
        None,
        description="its hash: what the vote-counting committee signs (publication adds entries after it)",
    )


class CurrentItemIn(Strict):
    agenda: str | None = Field(max_length=20, description="the agenda item's number; null for none")


class MeetingCloseIn(Strict):
    confirm: bool = Field(
        False, description="close although ballots are undecided; they are recorded as not decided"
    )


class FrozenMemberOut(BaseModel):
    code: str
    name: str
    population: int
    weight: int
