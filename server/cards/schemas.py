from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CardOut(BaseModel):
    member: str = Field(description="the member's CBS code")
    name: str
    weight: int
    card: str = Field(description="the voting card code (what the barcode holds)")
    printed: str = Field(description="the code in groups of four, as printed")


class SendCardsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(False, description="render the messages and report them; send nothing")
    members: list[str] | None = Field(
        None, max_length=1000, description="CBS codes to mail; default every member with a valid card"
    )


class MailOutcomeOut(BaseModel):
    member: str = Field(description="the member's CBS code")
    name: str
    status: Literal["sent", "refused", "no_address", "failed", "dry_run"] = Field(
        description="sent: accepted by the mail server; refused: the server's 4xx/5xx reply is in "
        "`detail`; no_address: no secretary address in the register; failed: the connection broke "
        "off first; dry_run: rendered, not sent"
    )
    recipient: str | None
    subject: str | None
    detail: str | None = Field(description="the mail server's reply, or why nothing was sent")


class MailReportOut(BaseModel):
    dry_run: bool
    sent: int
    refused: int
    no_address: int
    failed: int
    results: list[MailOutcomeOut]
