from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class PassOut(BaseModel):
    pass_id: int
    member: str
    status: str
    representative: str
    role: str
    ended_at: dt.datetime | None
