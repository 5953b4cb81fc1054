"""Small builders for test data, shared by the areas' tests."""

from __future__ import annotations

from datetime import date

import httpx

from server.auth.roles import Role

REGISTER_CSV = """cbs_code,name,population
GM0001,Grootstad,150500
GM0002,Middenburg,42999
GM0003,Kleindorp,640
GM0004,Randmeer,75000
"""
# Weights under 1,000 / 1 / 75: 75, 42, 1, 75.
REGISTER_WEIGHTS = {"GM0001": 75, "GM0002": 42, "GM0003": 1, "GM0004": 75}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def import_register(
    client: httpx.AsyncClient, tokens: dict[Role, str], csv: str = REGISTER_CSV
) -> None:
    response = await client.post(
        "/api/members/import",
        content=csv,
        headers=bearer(tokens[Role.ADMIN]) | {"content-type": "text/csv"},
        params={"allow_new_codes": "true"},
    )
    assert response.status_code == 200, response.text


async def create_meeting(
    client: httpx.AsyncClient, tokens: dict[Role, str], *, agenda: list[dict[str, object]] | None = None
) -> int:
    body: dict[str, object] = {"title": "Algemene Ledenvergadering", "date": date(2025, 6, 18).isoformat()}
    if agenda is not None:
        body["agenda"] = agenda
    response = await client.post("/api/meetings", json=body, headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 201, response.text
    meeting_id: int = response.json()["id"]
    return meeting_id


async def open_meeting(client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int) -> None:
    response = await client.post(f"/api/meetings/{meeting_id}/open", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 200, response.text


async def create_ballot(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, **fields: object
) -> dict[str, object]:
    body: dict[str, object] = {"agenda": "1", "title": "Voorstel", "kind": "voorstel"} | fields
    response = await client.post(
        f"/api/meetings/{meeting_id}/ballots", json=body, headers=bearer(tokens[Role.CHAIR])
    )
    assert response.status_code == 201, response.text
    ballot: dict[str, object] = response.json()
    return ballot


async def ballot_action(
    client: httpx.AsyncClient, tokens: dict[Role, str], ballot_id: object, action: str
) -> httpx.Response:
    return await client.post(f"/api/ballots/{ballot_id}/{action}", headers=bearer(tokens[Role.CHAIR]))
