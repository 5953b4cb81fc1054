from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from server.rules import RepresentativeRole


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Representative(Strict):
    name: str = Field(min_length=2, max_length=200)
    role: RepresentativeRole


class CheckInRequest(Strict):
    card: str = Field(min_length=1, max_length=80, description="the voting card code, scanned or typed")
    representative: Representative
    hand_over: bool = Field(False, description="confirm that the member's active pass is handed over")


class MemberRef(BaseModel):
    code: str
    name: str


class Pairing(BaseModel):
    pairing_code: str = Field(description="single-use; exchanged by the handheld at /api/kiosk/pair")
    pairing_url: str = Field(description="what the QR code holds: /kiosk#pair=CODE")
    pairing_qr_svg: str = Field(description="the QR code as an SVG image")
    pairing_expires_at: dt.datetime


class CheckInAnswer(Pairing):
    """No pass token: only pairing makes one (SPEC 4.1)."""

    pass_id: int
    member: MemberRef
    weight: int
    representative: Representative
    replaced_pass_id: int | None = None


class PassOut(BaseModel):
    pass_id: int
    member: MemberRef
    weight: int
    status: str
    representative: str
    role: str
    issued_at: dt.datetime
    ended_at: dt.datetime | None
    paired: bool


class PairRequest(Strict):
    pairing_code: str = Field(min_length=4, max_length=40)


class PairAnswer(BaseModel):
    pass_: str = Field(serialization_alias="pass", description="the pass token; keep it secret")


class CardLookup(Strict):
    card: str = Field(min_length=1, max_length=80, description="the voting card code, scanned or typed")


class CardHolder(BaseModel):
    member: MemberRef
    weight: int
    active_pass: PassOut | None = Field(description="the member's active pass, if a representative is in")
