"""Operator tokens: created once, shown once, stored hashed (SPEC 3)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.journal import note
from server.audit.models import SYSTEM_CHAIN
from server.auth import repository
from server.auth.models import OperatorToken
from server.auth.roles import Role
from server.errors import Unauthorized
from server.security import hash_token, new_token, same_secret

TOKEN_PREFIX = "vht"


@dataclass(frozen=True, slots=True)
class Operator:
    role: Role
    token_id: int | None  # None for the environment's admin token
    label: str | None = None

    def log_data(self) -> dict[str, object]:
        """Who made a change, as the event log names it: the token's id and label, never a person."""
        if self.token_id is None:  # the environment's admin token, or the command line
            return {"token": None, "label": self.label or "VOTEHALL_ADMIN_TOKEN"}
        return {"token": self.token_id, "label": self.label}


async def create_token(session: AsyncSession, role: Role, label: str | None = None) -> str:
    """Create an operator token and return the secret; only its hash is kept."""
    secret = new_token(TOKEN_PREFIX)
    token = OperatorToken(role=role.value, token_hash=hash_token(secret), label=label)
    repository.add(session, token)
    await session.flush()
    note(session, SYSTEM_CHAIN, entries.TOKEN_CREATED, {"token": token.id, "role": role.value})
    return secret


async def authenticate(session: AsyncSession, secret: str, env_admin_token: str | None) -> Operator:
    if env_admin_token and same_secret(secret, env_admin_token):
        return Operator(role=Role.ADMIN, token_id=None)
    token = await repository.find_active(session, hash_token(secret))
    if token is None:
        raise Unauthorized("unknown or revoked token", code="invalid_token")
    return Operator(role=Role(token.role), token_id=token.id, label=token.label)


# Who the command line is in the log: an administrator at the server's own console.
COMMAND_LINE = Operator(role=Role.ADMIN, token_id=None, label="votehall command line")
