from __future__ import annotations

from pydantic import BaseModel, Field


class CardOut(BaseModel):
    member: str = Field(description="the member's CBS code")
    name: str
    weight: int
    card: str = Field(description="the voting card code (what the barcode holds)")
    printed: str = Field(description="the code in groups of four, as printed")
