from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from server.ballots.elections import MAX_CANDIDATES, NAME_LENGTH
from server.rules import BallotKind


class Strict(BaseModel):
    """Input models refuse unknown fields: a misspelt setting must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class WeightRuleIn(Strict):
    inhabitants_per_vote: int = Field(1000, gt=0, le=10_000_000)
    min_votes: int = Field(1, gt=0, le=1_000_000)
    max_votes: int = Field(75, gt=0, le=1_000_000)


class CandidateIn(Strict):
    """A candidate as the chair enters it; names are trimmed and must differ (SPEC 2.10)."""

    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    note: str | None = Field(None, max_length=NAME_LENGTH, description="e.g. the candidate's municipality")


class VacancyIn(Strict):
    """A vacancy of a `benoeming` item: it becomes a draft ballot of the item. No candidates: a
    slate (yes/no on the nominees in its title); one: a yes/no vote on the candidate; two or more:
    an election, first round (SPEC 2.10)."""

    title: str = Field(min_length=1, max_length=500)
    candidates: list[CandidateIn] = Field(default_factory=list, max_length=MAX_CANDIDATES)
    secret: bool | None = Field(None, description="null: the default for a benoeming")


class AgendaItemIn(Strict):
    number: str = Field(min_length=1, max_length=20, pattern=r"^\S(.*\S)?$")
    title: str = Field(min_length=1, max_length=500)
    decision: bool = False
    kind: BallotKind | None = None
    vacancies: list[VacancyIn] = Field(
        default_factory=list, max_length=100, description="on a benoeming item: one draft ballot each"
    )

    @model_validator(mode="after")
    def _vacancies_on_a_benoeming(self) -> AgendaItemIn:
        if self.vacancies and self.kind is not BallotKind.BENOEMING:
            raise ValueError(
                f"agenda item {self.number}: vacancies belong to a benoeming item, "
                f"not to {'a ' + self.kind.value if self.kind else 'an item without a kind'}"
            )
        return self


# A name in the record's signature block: the chair's or a committee member's (trimmed).
SignatureName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_COMMITTEE_MEMBERS = 10


class MeetingSettingsIn(Strict):
    """What the record needs beyond the agenda (issue 15): PATCH changes only the fields given."""

    population_date: dt.date | None = Field(
        None,
        description="the reference date of the population figures (CBS: 1 January); "
        "frozen from the register when the meeting opens, which must then agree",
    )
    chair_name: SignatureName | None = Field(None, description="the chair, who signs the record")
    committee_members: list[SignatureName] | None = Field(
        None, max_length=MAX_COMMITTEE_MEMBERS, description="the vote-counting committee, who sign the record"
    )
    publish_representatives: bool = Field(
        False, description="whether the public record names the representatives (personal data)"
    )


class MeetingCreate(MeetingSettingsIn):
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
    committee_fingerprint: str | None = Field(
        None,
        description="the fingerprint of the committee's public key, in groups of four as people compare it",
    )
    population_date: dt.date | None = Field(
        None, description="the reference date of the population figures behind the weights"
    )
    chair_name: str | None = None
    committee_members: list[str] = Field(default_factory=list)
    publish_representatives: bool = False


class CommitteeKeyIn(Strict):
    public_key: str = Field(
        min_length=1, max_length=200, description="the text of committee.pub (votehall committee keygen)"
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
