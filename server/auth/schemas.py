from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.auth.roles import Role


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    label: str | None = Field(None, max_length=200)


class TokenCreated(BaseModel):
    token: str = Field(description="shown once; only its hash is stored")
    role: Role
