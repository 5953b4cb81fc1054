"""Publishing a meeting, and who may read its record and log before and after (SPEC 2.9, 3, 4.1)."""

from __future__ import annotations

import pytest

from server.auth.roles import Role
from tests.factories import bearer
from tests.record.conftest import Hall

RECORD_ROUTES = ["record.json", "record.csv", "record.html", "results.pdf"]
ROUTES = [*RECORD_ROUTES, "audit"]


async def test_before_publication_only_chair_and_admin_read(played: Hall) -> None:
    client, meeting = played.client, played.meeting
    for route in ROUTES:
        path = f"/api/meetings/{meeting}/{route}"
        response = await client.get(path)
        assert response.status_code == 403, (route, response.text)
        assert response.json()["error"] == "not_published"
        desk = await client.get(path, headers=played.auth(Role.DESK))
        assert (desk.status_code, desk.json()["error"]) == (403, "not_published"), route
        wrong = await client.get(path, headers=bearer("vht_not-a-real-token"))
        assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_token"), route
        admin = await client.get(path, headers=played.auth(Role.ADMIN))
        assert admin.status_code == 200, (route, admin.text)
        assert admin.headers["cache-control"] == "no-store"
        chair = await client.get(path, headers=played.auth(Role.CHAIR))
        # SPEC 4.1: the log is the admin's until publication; the chair checks the record.
        assert chair.status_code == (403 if route == "audit" else 200), (route, chair.text)


@pytest.mark.parametrize("route", ROUTES)
async def test_unknown_meeting(hall: Hall, route: str) -> None:
    for headers in ({}, hall.auth(Role.ADMIN)):
        response = await hall.client.get(f"/api/meetings/9999/{route}", headers=headers)
        assert (response.status_code, response.json()["error"]) == (404, "unknown_meeting")


async def test_publish_needs_a_closed_meeting_and_happens_once(played: Hall) -> None:
    client, meeting = played.client, played.meeting
    publish = f"/api/meetings/{meeting}/publish"
    refused = await client.post(publish, headers=played.auth(Role.CHAIR))
    assert (refused.status_code, refused.json()["error"]) == (409, "meeting_not_closed")
    assert (await client.post(publish, headers=played.auth(Role.DESK))).status_code == 403

    # The chair closes the meeting and then publishes (SPEC 3).
    closed = await client.post(
        f"/api/meetings/{meeting}/close", json={"confirm": True}, headers=played.auth(Role.CHAIR)
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    published = await client.post(publish, headers=played.auth(Role.CHAIR))
    assert published.status_code == 200, published.text
    answer = published.json()
    assert answer["meeting"] == meeting and answer["published_at"]
    assert answer["log_head"]["seq"] > 0 and len(answer["log_head"]["hash"]) == 64

    again = await client.post(publish, headers=played.auth(Role.ADMIN))
    assert (again.status_code, again.json()["error"]) == (409, "already_published")

    for route in ROUTES:
        response = await client.get(f"/api/meetings/{meeting}/{route}")
        assert response.status_code == 200, (route, response.text)
        assert response.headers["cache-control"] == "no-cache"
        # Any operator token still works; a wrong one is still a mistake worth saying so.
        assert (
            await client.get(f"/api/meetings/{meeting}/{route}", headers=played.auth(Role.DESK))
        ).is_success
        wrong = await client.get(f"/api/meetings/{meeting}/{route}", headers=bearer("vht_wrong"))
        assert wrong.status_code == 401
    record = (await client.get(f"/api/meetings/{meeting}/record.json")).json()
    assert record["published_at"] == answer["published_at"]
    assert record["log_head"] == answer["log_head"]


async def test_a_draft_or_unknown_meeting_is_not_published(hall: Hall) -> None:
    body = {"title": "Volgende ALV", "date": "2025-11-28"}
    draft = await hall.call("POST", "/api/meetings", Role.ADMIN, json=body)
    response = await hall.client.post(f"/api/meetings/{draft['id']}/publish", headers=hall.auth(Role.CHAIR))
    assert (response.status_code, response.json()["error"]) == (409, "meeting_not_closed")
    response = await hall.client.post("/api/meetings/9999/publish", headers=hall.auth(Role.CHAIR))
    assert (response.status_code, response.json()["error"]) == (404, "unknown_meeting")
