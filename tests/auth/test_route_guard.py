"""Every operator route refuses a request without a token (401) and with the wrong role (403).

The routes are enumerated from the app's OpenAPI document, so a new route that is neither in
PUBLIC, ROLES nor PUBLISHED_LATER fails this test until someone decides who may call it.
"""

from __future__ import annotations

import re

import httpx
import pytest

from server.app import create_app
from server.auth.roles import Role
from server.config import Settings
from server.db import Database
from tests.factories import bearer, create_meeting

PUBLIC: set[tuple[str, str]] = {
    ("GET", "/api/feed"),
    ("GET", "/api/feed/stream"),
    ("POST", "/api/kiosk/pair"),
    # Operations (tests/ops): probes and Prometheus carry no operator token; /metrics may ask
    # for VOTEHALL_METRICS_TOKEN instead.
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    # Where the public finds the published records (issue 15): nothing unpublished is listed.
    ("GET", "/api/records"),
    ("GET", "/uitslagen"),
}

ADMIN, CHAIR, DESK = (
    frozenset({Role.ADMIN}),
    frozenset({Role.ADMIN, Role.CHAIR}),
    frozenset({Role.ADMIN, Role.DESK}),
)
ROLES: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/api/members/import"): ADMIN,
    ("GET", "/api/members"): ADMIN,
    ("POST", "/api/meetings"): ADMIN,
    ("GET", "/api/meetings"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}"): CHAIR,
    ("PATCH", "/api/meetings/{meeting_id}"): ADMIN,
    ("POST", "/api/meetings/{meeting_id}/agenda"): ADMIN,
    ("POST", "/api/meetings/{meeting_id}/open"): ADMIN,
    ("GET", "/api/meetings/{meeting_id}/export"): ADMIN,
    ("POST", "/api/meetings/import"): ADMIN,
    ("POST", "/api/meetings/{meeting_id}/close"): CHAIR,
    ("POST", "/api/meetings/{meeting_id}/publish"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}/members"): CHAIR,
    ("POST", "/api/meetings/{meeting_id}/ballots"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}/ballots"): CHAIR,
    ("GET", "/api/ballots/{ballot_id}"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/open"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/close"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/acclamation"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/withdraw"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/hold"): CHAIR,
    ("PATCH", "/api/ballots/{ballot_id}"): CHAIR,
    ("DELETE", "/api/ballots/{ballot_id}"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/void"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/hand-count"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/dissent"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/out-of-order"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/countdown"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/release"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/candidates/{candidate_id}/withdraw"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/next-round"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/lot"): CHAIR,
    ("GET", "/api/ballots/{ballot_id}/ballot-key"): CHAIR,
    ("POST", "/api/ballots/{ballot_id}/unlock"): CHAIR,
    ("POST", "/api/meetings/{meeting_id}/committee-key"): ADMIN,
    ("POST", "/api/meetings/{meeting_id}/current-item"): CHAIR,
    ("POST", "/api/tokens"): ADMIN,
    ("POST", "/api/passes/{pass_id}/revoke"): DESK,
    ("POST", "/api/passes/{pass_id}/checkout"): DESK,
    ("POST", "/api/passes/{pass_id}/return"): DESK,
    ("POST", "/api/passes/{pass_id}/pairing"): DESK,
    ("POST", "/api/meetings/{meeting_id}/checkins"): DESK,
    ("POST", "/api/meetings/{meeting_id}/cards/lookup"): DESK,
    ("GET", "/api/meetings/{meeting_id}/passes"): DESK,
    ("GET", "/api/meetings/{meeting_id}/cards"): ADMIN,
    ("POST", "/api/meetings/{meeting_id}/cards"): ADMIN,
    ("POST", "/api/meetings/{meeting_id}/cards/{member_code}/reissue"): ADMIN,
    ("GET", "/api/meetings/{meeting_id}/cards.pdf"): ADMIN,
    ("GET", "/api/meetings/{meeting_id}/cards/{member_code}.pdf"): ADMIN,
    ("POST", "/api/meetings/{meeting_id}/cards/send"): ADMIN,
    ("POST", "/api/members/emails"): ADMIN,
}

# Public once the meeting is published (SPEC 4.1); before that only these roles, and anyone else,
# without a token too, gets 403 "not_published" (tests/record covers the published side).
PUBLISHED_LATER: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/meetings/{meeting_id}/record.json"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}/record.csv"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}/record.html"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}/results.pdf"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}/results.docx"): CHAIR,
    ("GET", "/api/meetings/{meeting_id}/audit"): ADMIN,
}


def api_operations() -> list[tuple[str, str]]:
    document = create_app(Settings(env="development")).openapi()
    return sorted((method.upper(), path) for path, item in document["paths"].items() for method in item)


def test_every_route_is_classified() -> None:
    classified = PUBLIC | ROLES.keys() | PUBLISHED_LATER.keys()
    unclassified = [op for op in api_operations() if op not in classified]
    assert unclassified == [], "decide who may call these routes; add them to a table above"
    stale = [op for op in [*ROLES, *PUBLISHED_LATER] if op not in api_operations()]
    assert stale == []


@pytest.mark.parametrize("operation", sorted(ROLES), ids=lambda op: f"{op[0]} {op[1]}")
async def test_operator_route_needs_the_right_role(
    client: httpx.AsyncClient, tokens: dict[Role, str], operation: tuple[str, str]
) -> None:
    method, template = operation
    path = re.sub(r"\{[^}]+\}", "1", template)
    response = await client.request(method, path)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "missing_token"

    response = await client.request(method, path, headers=bearer("vht_not-a-real-token"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"

    allowed = ROLES[operation]
    for role in Role:
        if role not in allowed:
            response = await client.request(method, path, headers=bearer(tokens[role]))
            assert response.status_code == 403, (role, response.text)
            assert response.json()["error"] == "forbidden"
            assert response.json()["detail"]


@pytest.mark.parametrize("operation", sorted(PUBLISHED_LATER), ids=lambda op: f"{op[0]} {op[1]}")
async def test_published_later_route_before_publication(
    client: httpx.AsyncClient, tokens: dict[Role, str], operation: tuple[str, str]
) -> None:
    method, template = operation
    path = template.replace("{meeting_id}", str(await create_meeting(client, tokens)))
    response = await client.request(method, path)
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "not_published"

    response = await client.request(method, path, headers=bearer("vht_not-a-real-token"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"

    for role in Role:
        response = await client.request(method, path, headers=bearer(tokens[role]))
        if role in PUBLISHED_LATER[operation]:
            assert response.status_code == 200, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["error"] == "not_published"


async def test_environment_admin_token(database: Database) -> None:
    secret = "a-long-random-admin-secret-for-tests"
    app = create_app(Settings(database_url=database.url, admin_token=secret), database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/api/members", headers=bearer(secret))).status_code == 200
        assert (await client.get("/api/members", headers=bearer(secret + "x"))).status_code == 401


def test_placeholder_admin_token_is_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        Settings(admin_token="changeme", env="production")
    assert Settings(admin_token="changeme", env="development").admin_token is not None
