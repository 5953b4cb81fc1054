from __future__ import annotations

import httpx
import pytest

from server.auth.roles import Role
from server.register.reference import shipped_register_text
from tests.factories import REGISTER_WEIGHTS, bearer, create_meeting, import_register, open_meeting


async def test_opening_freezes_the_register_and_weights(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens)
    admin = bearer(tokens[Role.ADMIN])

    draft = (await client.get(f"/api/meetings/{meeting_id}", headers=admin)).json()
    assert draft["status"] == "draft"
    assert draft["members"] is None

    await open_meeting(client, tokens, meeting_id)
    frozen = (await client.get(f"/api/meetings/{meeting_id}/members", headers=admin)).json()
    assert {m["code"]: m["weight"] for m in frozen} == REGISTER_WEIGHTS

    # SPEC 2.1: a later register change does not move the frozen weights.
    await import_register(client, tokens, "cbs_code,name,population\nGM0003,Kleindorp,9000\n")
    standing = {m["code"]: m["weight"] for m in (await client.get("/api/members", headers=admin)).json()}
    assert standing["GM0003"] == 9
    frozen = (await client.get(f"/api/meetings/{meeting_id}/members", headers=admin)).json()
    assert {m["code"]: m["weight"] for m in frozen}["GM0003"] == 1
    opened = (await client.get(f"/api/meetings/{meeting_id}", headers=admin)).json()
    assert (opened["status"], opened["members"], opened["weight"]) == (
        "open",
        4,
        sum(REGISTER_WEIGHTS.values()),
    )


async def test_shipped_register_weights(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    """Acceptance: 13,111 votes in all, 53 members at 75, Schiermonnikoog 1 (1 January 2024)."""
    admin = bearer(tokens[Role.ADMIN])
    response = await client.post("/api/members/import", content=shipped_register_text(), headers=admin)
    assert response.json()["imported"] == 342
    meeting_id = await create_meeting(client, tokens)
    await open_meeting(client, tokens, meeting_id)
    frozen = (await client.get(f"/api/meetings/{meeting_id}/members", headers=admin)).json()
    assert len(frozen) == 342
    assert sum(m["weight"] for m in frozen) == 13_111
    assert sum(1 for m in frozen if m["weight"] == 75) == 53
    assert [m["weight"] for m in frozen if m["name"] == "Schiermonnikoog"] == [1]


async def test_custom_weight_rule(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    await import_register(client, tokens)
    body = {
        "title": "Congres",
        "date": "2026-03-01",
        "weight_rule": {"inhabitants_per_vote": 10000, "min_votes": 2, "max_votes": 10},
    }
    response = await client.post("/api/meetings", json=body, headers=bearer(tokens[Role.ADMIN]))
    meeting_id = response.json()["id"]
    await open_meeting(client, tokens, meeting_id)
    frozen = (
        await client.get(f"/api/meetings/{meeting_id}/members", headers=bearer(tokens[Role.ADMIN]))
    ).json()
    assert {m["code"]: m["weight"] for m in frozen} == {"GM0001": 10, "GM0002": 4, "GM0003": 2, "GM0004": 7}


async def test_only_one_meeting_open(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    await import_register(client, tokens)
    first, second = await create_meeting(client, tokens), await create_meeting(client, tokens)
    await open_meeting(client, tokens, first)
    response = await client.post(f"/api/meetings/{second}/open", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 409
    assert response.json()["error"] == "another_meeting_open"
    assert (
        await client.post(f"/api/meetings/{first}/close", headers=bearer(tokens[Role.ADMIN]))
    ).status_code == 200
    await open_meeting(client, tokens, second)


async def test_meeting_transitions_and_errors(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    meeting_id = await create_meeting(client, tokens)
    response = await client.post(f"/api/meetings/{meeting_id}/open", headers=admin)
    assert (response.status_code, response.json()["error"]) == (409, "empty_register")
    response = await client.post(f"/api/meetings/{meeting_id}/close", headers=admin)
    assert (response.status_code, response.json()["error"]) == (409, "illegal_transition")
    await import_register(client, tokens)
    await open_meeting(client, tokens, meeting_id)
    response = await client.post(f"/api/meetings/{meeting_id}/open", headers=admin)
    assert (response.status_code, response.json()["error"]) == (409, "illegal_transition")
    response = await client.get("/api/meetings/999", headers=admin)
    assert (response.status_code, response.json()["error"]) == (404, "unknown_meeting")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"title": "x"}, "body.date"),
        ({"title": "", "date": "2025-06-18"}, "body.title"),
        ({"title": "x", "date": "18-06-2025"}, "body.date"),
        ({"title": "x", "date": "2025-06-18", "weight_rule": {"min_votes": 0}}, "body.weight_rule.min_votes"),
        ({"title": "x", "date": "2025-06-18", "colour": "blue"}, "body.colour"),
    ],
)
async def test_bad_meeting_body(
    client: httpx.AsyncClient, tokens: dict[Role, str], body: dict[str, object], where: str
) -> None:
    response = await client.post("/api/meetings", json=body, headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "invalid_request"
    assert where in [problem["where"] for problem in answer["errors"]]
    assert where in answer["detail"]


async def test_weight_rule_min_above_max_is_refused(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    body = {"title": "x", "date": "2025-06-18", "weight_rule": {"min_votes": 80, "max_votes": 75}}
    response = await client.post("/api/meetings", json=body, headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_weight_rule"


async def test_agenda(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    meeting_id = await create_meeting(client, tokens, agenda=[{"number": "1", "title": "Opening"}])
    admin = bearer(tokens[Role.ADMIN])
    items = [{"number": "2", "title": "Jaarverslag", "decision": True, "kind": "voorstel"}]
    response = await client.post(f"/api/meetings/{meeting_id}/agenda", json=items, headers=admin)
    assert [i["number"] for i in response.json()["agenda"]] == ["1", "2"]
    response = await client.post(f"/api/meetings/{meeting_id}/agenda", json=items, headers=admin)
    assert (response.status_code, response.json()["error"]) == (422, "duplicate_agenda_item")
