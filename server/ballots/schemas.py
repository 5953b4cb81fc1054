from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.ballots.elections import MAX_CANDIDATES
from server.meetings.schemas import CandidateIn, Strict
from server.rules import BallotKind, Majority, Preadvies, RoundKind

__all__ = ["CandidateIn"]  # defined with the agenda's vacancies, which the meetings area reads first


class CandidateOut(BaseModel):
    id: int = Field(description="what a vote's choice names in an election")
    name: str
    note: str | None


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
    off_agenda: bool = Field(False, description="a motion on a matter not on the agenda (vreemd aan de orde)")
    revote_of: int | None = Field(
        None, description="id of the voided ballot this one votes again (herstemming)"
    )
    secret: bool | None = Field(None, description="a secret ballot (SPEC 2.9); null: the kind's default")
    candidates: list[CandidateIn] | None = Field(
        None,
        max_length=MAX_CANDIDATES,
        description="a benoeming's candidates: two or more make an election, one a yes/no vote on it",
    )
    round_of: int | None = Field(None, description="id of the election round this one follows (SPEC 2.10)")
    round: RoundKind | None = Field(
        None, description="the kind of a later round; a ballot that follows none is first or single"
    )


class BallotUpdate(Strict):
    """`PATCH /api/ballots/{id}`: the fields to change on a draft; the others stay (SPEC 2.7)."""

    agenda: str | None = Field(None, min_length=1, max_length=20)
    title: str | None = Field(None, min_length=1, max_length=500)
    kind: BallotKind | None = None
    majority: Majority | None = None
    abstain_is_cast: bool | None = None
    allow_change: bool | None = None
    test: bool | None = None
    amends: int | None = None
    submitters: list[str] | None = Field(None, max_length=400)
    preadvies: Preadvies | None = None
    show_live_tally: bool | None = None
    off_agenda: bool | None = None
    secret: bool | None = None
    candidates: list[CandidateIn] | None = Field(
        None, max_length=MAX_CANDIDATES, description="replaces the candidates; [] makes the ballot a slate"
    )


class OpenIn(Strict):
    override_order: bool = Field(
        False, description="open although ballots that come first on its agenda item are undecided (logged)"
    )


class UnlockIn(Strict):
    ballot_key: str = Field(
        min_length=1,
        max_length=100,
        description="the ballot's private key (base64), as the committee unwrapped it",
    )


class WrappedKeyOut(BaseModel):
    wrapped: str = Field(description="the ballot's private key sealed to the committee's public key (base64)")
    sealing_key: str = Field(
        description="the ballot's public key (base64), to check the unwrapped key against"
    )


class VoidIn(Strict):
    reason: str = Field(
        min_length=1, max_length=300, description="why the ballot is void, as the minutes say it"
    )


class CandidateCountIn(Strict):
    """A candidate's votes (weighted) as the vote-counting committee counted them by hand."""

    id: int = Field(ge=1, description="the candidate's id on this ballot")
    votes: int = Field(ge=0, le=10_000_000)


class HandCountIn(Strict):
    """A result counted by hand (show of hands or paper), confirmed by the vote-counting committee.

    Either the weighted votes (`for`, `against`, `abstain`), from which the ballot's majority rule
    decides, or only the `outcome` when the count gave no figures. An election round gives the
    votes per candidate (`candidates`, every candidate once) and `abstain`, and the election rules
    decide (SPEC 2.10); the vote on a single candidate gives `for`, `against` and `abstain`.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    candidates: list[CandidateCountIn] | None = Field(
        None, max_length=MAX_CANDIDATES, description="an election round: the votes of every candidate"
    )
    for_: int | None = Field(None, alias="for", ge=0, le=10_000_000)
    against: int | None = Field(None, ge=0, le=10_000_000)
    abstain: int | None = Field(None, ge=0, le=10_000_000)
    outcome: Literal["adopted", "rejected"] | None = None
    confirmed_by: str = Field(
        min_length=1,
        max_length=200,
        description="the member of the vote-counting committee who confirmed the count",
    )


class CountdownIn(Strict):
    seconds: int = Field(ge=0, le=600, description="seconds from now; 0 stops the countdown")


class DissentIn(Strict):
    members: list[str] = Field(max_length=400, description="CBS codes of the members whose dissent is noted")


class LotIn(Strict):
    """`POST /api/ballots/{id}/lot`: the candidate the lot drawn in the hall gave (SPEC 2.10)."""

    candidate: int = Field(ge=1, description="the id of the candidate drawn")
    drawn_by: str | None = Field(
        None, max_length=200, description="who drew the lot, as the minutes name them"
    )


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
    counted_by_hand: bool = False
    confirmed_by: str | None = None
    void_reason: str | None = None
    dissent: list[str] = Field(
        default_factory=list, description="members whose dissent is noted (aantekening)"
    )
    election: dict[str, Any] | None = Field(
        None, description="an election round's result per candidate (server.live.election_view)"
    )
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
    off_agenda: bool = False
    revote_of: int | None = None
    secret: bool = False
    # A secret ballot: its sealing key (base64) once open; its result released to the screens.
    sealing_key: str | None = None
    released: bool = False
    candidates: list[CandidateOut] = Field(default_factory=list)
    round_of: int | None = None
    round: str | None = None
    countdown_ends_at: dt.datetime | None = None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    tally: TallyOut | None = Field(None, description="the live tally (chair only)")
    election: dict[str, Any] | None = Field(
        None,
        description="an open election's tally per candidate, recounted from the stored votes (chair only)",
    )
    result: ResultOut | None
