"""The imports over HTTP with hostile files, on both databases: the answer is 200/201 or a
documented refusal (`{"error", "detail"}`, 409 or 422), never a 5xx, and a refused import
leaves the register and the meetings exactly as they were (all or nothing)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from server.auth.roles import Role
from tests.factories import bearer, import_register
from tests.hostile.conftest import on_loop
from tests.hostile.test_import_fuzz import FUZZ, forge_everywhere, rechained, register_files, replaced, tamper

API_EXAMPLES = 60


def refusal(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert isinstance(body["error"], str) and isinstance(body["detail"], str), body
    return body


async def test_member_import_is_all_or_nothing(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    await import_register(client, tokens)

    async def register() -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = (await client.get("/api/members", headers=admin)).json()
        return members

    async def attempt(body: bytes, allow_new_codes: bool) -> None:
        before = await register()
        response = await client.post(
            "/api/members/import",
            content=body,
            headers=admin | {"content-type": "text/csv"},
            params={"allow_new_codes": str(allow_new_codes).lower()},
        )
        after = await register()
        if response.status_code == 200:
            answer = response.json()
            assert len(after) == len(before) + answer["created"], answer
        else:
            assert response.status_code == 422, (response.status_code, response.text[:500])
            refusal(response)
            assert after == before

    run = on_loop(asyncio.get_running_loop(), timeout=60)

    @settings(FUZZ, max_examples=API_EXAMPLES)
    @given(text=register_files, encoding=st.sampled_from(["utf-8", "utf-8", "cp1252"]), allow=st.booleans())
    def example(text: str, encoding: str, allow: bool) -> None:
        # Lone surrogates become bytes that are not UTF-8; cp1252 loses what it cannot hold.
        body = text.encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace")
        run(attempt(body, allow))

    await asyncio.to_thread(example)


async def test_meeting_import_is_all_or_nothing(
    client: httpx.AsyncClient, tokens: dict[Role, str], archive: dict[str, Any]
) -> None:
    admin = bearer(tokens[Role.ADMIN])

    async def meetings() -> list[Any]:
        listed: list[Any] = (await client.get("/api/meetings", headers=admin)).json()
        return listed

    async def attempt(document: Any) -> int:
        before = await meetings()
        # As a hostile client may send it: NaN and lone surrogates ("\\ud800") included.
        body = json.dumps(document).encode()
        response = await client.post(
            "/api/meetings/import", content=body, headers=admin | {"content-type": "application/json"}
        )
        after = await meetings()
        if response.status_code == 201:
            assert len(after) == len(before) + 1
        else:
            assert response.status_code in (409, 422), (response.status_code, response.text[:500])
            refusal(response)
            assert after == before
        return response.status_code

    run = on_loop(asyncio.get_running_loop(), timeout=60)
    assert await attempt(archive) == 201  # the untouched export imports
    statuses: dict[int, int] = {}

    @settings(FUZZ, max_examples=API_EXAMPLES)
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        # A title of its own changes the first log entry, so that a document the checks pass is
        # stored (the import refuses a meeting whose log it already holds, before storing).
        renamed = replaced(archive, archive["meeting"]["title"], f"ALV {sum(statuses.values())}")
        # Half the time the one change a forger makes everywhere at once, which the checks of
        # the tables against the log cannot see: what is left is what the database holds.
        document = forge_everywhere(renamed, data) if data.draw(st.booleans()) else tamper(renamed, data)
        status = run(attempt(rechained(document) if isinstance(document, dict) else document))
        statuses[status] = statuses.get(status, 0) + 1

    await asyncio.to_thread(example)
    # 409: stored up to the vote events, whose ids the first import holds; then rolled back.
    assert statuses.get(422) and statuses.get(409), statuses
