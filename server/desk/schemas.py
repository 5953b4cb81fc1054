from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class PassOut(BaseModel):
    pass_id: int
    member: str
    status: str
    representative: str
    role: str
    ended_at: dt.datetime | None


class PairRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pairing_code: str = Field(min_length=4, max_length=40)


class PairAnswer(BaseModel):
    pass_: str = Field(serialization_alias="pass", description="the pass token; keep it secret")
