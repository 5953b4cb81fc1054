from __future__ import annotations

import httpx


async def test_unknown_route_answers_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not Found"}


async def test_wrong_method(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/members")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


async def test_openapi_is_served(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert "/api/ballots/{ballot_id}/open" in document["paths"]
