from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class MemberOut(BaseModel):
    code: str
    name: str
    population: int
    weight: int
    reference_date: dt.date | None = None


class MemberRef(BaseModel):
    code: str
    name: str


class SkippedLine(BaseModel):
    line: int
    text: str
    reason: str


class ReferenceDateCount(BaseModel):
    date: dt.date | None = Field(description="the day the population was counted; null: the file did not say")
    members: int


class ImportResult(BaseModel):
    imported: int
    created: int
    updated: int
    unmatched: list[MemberRef]
    skipped: list[SkippedLine]
    reference_dates: list[ReferenceDateCount] = Field(
        default_factory=list,
        description="the reference dates of the imported figures, with how many members each",
    )
