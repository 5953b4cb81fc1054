from __future__ import annotations

import httpx
from sqlalchemy import select

from server.auth.models import OperatorToken
from server.auth.roles import Role
from server.db import Database
from server.security import hash_token
from tests.factories import bearer


async def test_token_is_shown_once_and_stored_hashed(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    response = await client.post(
        "/api/tokens", json={"role": "desk", "label": "desk 2"}, headers=bearer(tokens[Role.ADMIN])
    )
    assert response.status_code == 201
    secret = response.json()["token"]
    assert len(secret) > 40
    async with database.transaction() as session:
        stored = (await session.scalars(select(OperatorToken.token_hash))).all()
    assert secret not in stored
    assert hash_token(secret) in stored
    # The new desk token works for what a desk may not do: it is refused with 403, not 401.
    assert (await client.get("/api/members", headers=bearer(secret))).status_code == 403


async def test_unknown_role_is_refused(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await client.post("/api/tokens", json={"role": "king"}, headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "role" in response.json()["detail"]
