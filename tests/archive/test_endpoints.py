"""`GET /api/meetings/{id}/export` and `POST /api/meetings/import`, and what the import refuses."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from server.auth.roles import Role
from server.db import Database
from tests.archive.conftest import Api, Original, exported
from tests.factories import bearer
from tests.live.conftest import seed_hall


async def test_export_and_import_over_http(
    original: Original, client: httpx.AsyncClient, tokens: dict[Role, str], target_api: Api
) -> None:
    response = await client.get(
        f"/api/meetings/{original.meeting_id}/export", headers=bearer(tokens[Role.ADMIN])
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="meeting-{original.meeting_id}.json"'
    )
    document = response.json()

    imported = await target_api.client.post("/api/meetings/import", json=document, headers=target_api.admin)
    assert imported.status_code == 201, imported.text
    meeting = imported.json()
    assert (meeting["title"], meeting["status"], meeting["members"], meeting["weight"]) == (
        "ALV",
        "closed",
        5,
        205,
    )
    assert [item["number"] for item in meeting["agenda"]] == ["1", "2", "3", "4"]

    opened = await target_api.client.post(f"/api/meetings/{meeting['id']}/open", headers=target_api.admin)
    assert opened.status_code == 409, opened.text

    again = await target_api.client.post("/api/meetings/import", json=document, headers=target_api.admin)
    assert again.status_code == 409, again.text
    assert again.json()["error"] == "already_imported"
    assert f"as meeting {meeting['id']}" in again.json()["detail"]


async def test_unknown_meeting_is_not_found(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await client.get("/api/meetings/404/export", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_meeting"


async def _refused(api: Api, document: Any, status: int = 422) -> dict[str, Any]:
    response = await api.client.post("/api/meetings/import", json=document, headers=api.admin)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    listed = await api.client.get("/api/meetings", headers=api.admin)
    assert listed.json() == [], "a refused import leaves nothing behind"
    return body


async def test_a_tampered_log_is_refused(original: Original, target_api: Api) -> None:
    document = await original.export()
    index = next(n for n, line in enumerate(document["log"]) if line["type"] == "ballot_closed")
    tampered = copy.deepcopy(document)
    result = tampered["log"][index]["data"]["result"]
    assert result["outcome"] == "adopted"
    result["outcome"] = "adapted"  # one character

    body = await _refused(target_api, tampered)
    assert body["error"] == "broken_chain"
    seq = document["log"][index]["seq"]
    assert f"entry {seq} was altered" in body["detail"]
    assert body["problems"] == [
        {"where": f"log[{index}]", "message": f"entry {seq} was altered: its content does not match its hash"}
    ]

    dropped = copy.deepcopy(document)
    del dropped["log"][index]
    body = await _refused(target_api, dropped)
    assert body["error"] == "broken_chain" and f"entry {seq + 1} where {seq} was due" in body["detail"]


async def test_tables_that_disagree_with_the_log_are_refused(original: Original, target_api: Api) -> None:
    document = await original.export()
    ballot = next(b for b in document["ballots"] if b["id"] == original.ballots["first"])
    changed = copy.deepcopy(document)
    next(b for b in changed["ballots"] if b["id"] == ballot["id"])["for_weight"] += 1
    next(s for s in changed["register"] if s["code"] == "GM0003")["weight"] = 2

    body = await _refused(target_api, changed)
    assert body["error"] == "inconsistent_document"
    assert {
        "where": f"ballots[id={ballot['id']}]",
        "message": "the document says for_weight 193, the log 192",
    } in (body["problems"])
    assert any(p["where"] == "register" and "GM0003" in p["message"] for p in body["problems"])


async def test_a_wrong_format_is_refused_with_a_clear_error(original: Original, target_api: Api) -> None:
    document = await original.export()

    body = await _refused(target_api, document | {"format": "votehall-record"})
    assert body["error"] == "invalid_document"
    assert "format is 'votehall-record', not 'votehall-meeting'" in body["detail"]

    body = await _refused(target_api, document | {"version": 2})
    assert body["error"] == "unsupported_version"
    assert "version 2" in body["detail"]

    missing = {key: value for key, value in document.items() if key != "ballots"}
    body = await _refused(target_api, missing)
    assert body["error"] == "invalid_document"
    assert "ballots: Field required" in body["detail"]

    naive = copy.deepcopy(document)
    naive["votes"][0]["cast_at"] = "2025-06-18T10:00:00"
    body = await _refused(target_api, naive)
    assert body["problems"][0]["where"] == "votes.0.cast_at"

    body = await _refused(target_api, [document])
    assert body["error"] == "invalid_request"


async def test_a_meeting_that_is_not_closed_is_not_archived(database: Database, target_api: Api) -> None:
    seeded, _ = await seed_hall(database)
    document = await exported(database, seeded.meeting_id)
    assert document["meeting"]["status"] == "open"
    body = await _refused(target_api, document)
    assert body["error"] == "meeting_not_closed"
    assert "the meeting in the document is open; only a closed meeting can be archived" in body["detail"]
