"""Kiosk WebSocket messages (SPEC 4.2). Their JSON Schema is what `kiosk/` codes against."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from server.live.snapshot import candidates, countdown_ends_at
from server.live.state import Ack, LiveBallot
from server.rules import Choice
from server.rules import vote_choice as choices

VOTE_ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,64}$"


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Hello(Inbound):
    type: Literal["hello"]
    pass_: str = Field(alias="pass", min_length=1, max_length=200)


class VoteMessage(Inbound):
    type: Literal["vote"]
    ballot: int = Field(ge=1)
    # A yes/no choice, or in an election a candidate's id (a JSON integer) or "abstain".
    choice: Choice | Annotated[int, Field(ge=1)]
    vote_id: str = Field(pattern=VOTE_ID_PATTERN)
    # A secret ballot's vote: the handheld's 32 random bytes for this ballot, as 64 lowercase hex.
    secret: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class OperatorHello(Inbound):
    type: Literal["hello"]
    token: str = Field(min_length=1, max_length=200)


KioskMessage = Annotated[Hello | VoteMessage, Field(discriminator="type")]
KIOSK_MESSAGE: TypeAdapter[Hello | VoteMessage] = TypeAdapter(KioskMessage)


def kiosk_ballot(ballot: LiveBallot | None) -> dict[str, Any] | None:
    """SPEC 4.2 `<ballot>`."""
    if ballot is None:
        return None
    return {
        "id": ballot.id,
        "agenda": ballot.agenda,
        "title": ballot.title,
        "kind": ballot.kind,
        "status": ballot.status.value,
        "majority": ballot.majority,
        "preadvies": ballot.preadvies,
        "submitters": ballot.submitter_names,
        "allow_change": ballot.allow_change,
        "test": ballot.test,
        "secret": ballot.secret,
        "candidates": candidates(ballot.candidates),
        "round": ballot.round,
        "void_reason": ballot.result.void_reason if ballot.result is not None else None,
        "countdown_ends_at": countdown_ends_at(ballot),
    }


def ack_message(ack: Ack) -> dict[str, Any]:
    return {
        "type": "ack",
        "vote_id": ack.vote_id,
        "ballot": ack.ballot_id,
        "choice": choices.value(ack.choice) if ack.choice is not None else None,  # null: secret
        "receipt": ack.receipt,
    }


def error_message(vote_id: str | None, code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "vote_id": vote_id, "code": code, "message": message}
