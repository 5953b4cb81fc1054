"""FastAPI dependencies shared by every area: the session (the one commit point) and role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import journal
from server.auth.roles import Role
from server.auth.service import Operator, authenticate
from server.config import Settings
from server.db import Database
from server.errors import Forbidden, Unauthorized
from server.live import sealed
from server.live.events import take


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(
    request: Request, database: Annotated[Database, Depends(get_database)]
) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed after the endpoint returns and before the response.

    What changed is handed to the live hub only after the commit (STYLE 3).
    """
    # Reads (GET) never hold SQLite's write lock, so the chair's screens cannot delay a vote.
    async with database.transaction(readonly=request.method in ("GET", "HEAD")) as session:
        yield session
    events, spans = take(session), journal.spans(session)
    hub = getattr(request.app.state, "live", None)
    # A secret ballot's key is held from the commit that opened (or unlocked) it, forgotten from
    # the one that closed or voided it; then the deleted sealed rows are scrubbed.
    if sealed.settle(session, hub.sealed if hub is not None else None):
        await sealed.scrub(database)
    if (events or spans) and hub is not None:
        await hub.after_commit(events, spans=spans)


Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]


_bearer = HTTPBearer(auto_error=False, description="an operator token from `votehall token create`")


class RequireRole:
    """Dependency that admits an operator token of one of `roles` (admin always)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset({Role.ADMIN, *roles})

    async def __call__(
        self,
        request: Request,
        database: Annotated[Database, Depends(get_database)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Operator:
        if credentials is None or not credentials.credentials.strip():
            raise Unauthorized(
                "send an operator token as 'Authorization: Bearer <token>'", code="missing_token"
            )
        settings = get_app_settings(request)
        env_token = settings.admin_token.get_secret_value() if settings.admin_token else None
        # Its own read-only transaction: checking a token never takes SQLite's write lock, and a
        # route that must not hold a transaction (sending mail) can still require a role.
        async with database.transaction(readonly=True) as session:
            operator = await authenticate(session, credentials.credentials.strip(), env_token)
        if operator.role not in self.roles:
            allowed = ", ".join(sorted(self.roles))
            raise Forbidden(f"this needs the role {allowed}; the token has the role {operator.role}")
        return operator


AdminOnly = Annotated[Operator, Depends(RequireRole())]
ChairOrAdmin = Annotated[Operator, Depends(RequireRole(Role.CHAIR))]
DeskOrAdmin = Annotated[Operator, Depends(RequireRole(Role.DESK))]
