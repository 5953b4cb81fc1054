from __future__ import annotations

from pydantic import BaseModel


class MemberOut(BaseModel):
    code: str
    name: str
    population: int
    weight: int


class MemberRef(BaseModel):
    code: str
    name: str


class SkippedLine(BaseModel):
    line: int
    text: str
    reason: str


class ImportResult(BaseModel):
    imported: int
    created: int
    updated: int
    unmatched: list[MemberRef]
    skipped: list[SkippedLine]
