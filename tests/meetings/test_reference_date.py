"""The reference date of the weights and the record's settings of a meeting (issue 15 items 3, 8):
frozen from the register when the meeting opens, refused on a mixed register or one that
disagrees with the date the meeting was given, and changed by PATCH until publication."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from server.audit import entries
from server.audit.chain import parse_line
from server.audit.models import SYSTEM_CHAIN, LogEntry
from server.audit.replay import replay
from server.audit.service import export_chain
from server.auth.roles import Role
from server.db import Database
from tests.factories import bearer, create_meeting, import_register, open_meeting

DATED = (
    "cbs_code,name,population,reference_date\n"
    "GM0001,Grootstad,250000,2024-01-01\n"
    "GM0002,Middelburg-Oost,50000,2024-01-01\n"
    "GM0003,Kleindorp,900,2024-01-01\n"
)


async def logged(database: Database, chain: int, kind: str) -> list[dict[str, Any]]:
    async with database.transaction(readonly=True) as session:
        query = (
            select(LogEntry.body).where(LogEntry.chain == chain, LogEntry.type == kind).order_by(LogEntry.seq)
        )
        return [orjson.loads(body)["data"] for body in (await session.scalars(query)).all()]


async def new_meeting(client: httpx.AsyncClient, tokens: dict[Role, str], **fields: object) -> httpx.Response:
    body = {"title": "Algemene Ledenvergadering", "date": "2025-06-18", **fields}
    return await client.post("/api/meetings", json=body, headers=bearer(tokens[Role.ADMIN]))


async def patch(
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
    meeting_id: int,
    body: dict[str, object],
    role: Role = Role.ADMIN,
) -> httpx.Response:
    return await client.patch(f"/api/meetings/{meeting_id}", json=body, headers=bearer(tokens[role]))


async def test_the_register_keeps_its_date_and_the_meeting_freezes_it(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    await import_register(client, tokens, DATED)
    members = (await client.get("/api/members", headers=bearer(tokens[Role.ADMIN]))).json()
    assert {m["reference_date"] for m in members} == {"2024-01-01"}
    imported = (await logged(database, SYSTEM_CHAIN, entries.MEMBERS_IMPORTED))[-1]["members"]
    assert {m["reference_date"] for m in imported} == {"2024-01-01"}

    meeting_id = await create_meeting(client, tokens)
    await open_meeting(client, tokens, meeting_id)
    opened = (await client.get(f"/api/meetings/{meeting_id}", headers=bearer(tokens[Role.ADMIN]))).json()
    assert opened["population_date"] == "2024-01-01"
    (entry,) = await logged(database, meeting_id, entries.MEETING_OPENED)
    assert entry["population_date"] == "2024-01-01"


async def test_an_import_without_dates_logs_none_and_the_meeting_keeps_the_date_it_was_given(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    await import_register(client, tokens, DATED)
    await import_register(client, tokens)  # the plain CSV without a reference_date column
    members = (await client.get("/api/members", headers=bearer(tokens[Role.ADMIN]))).json()
    assert {m["reference_date"] for m in members} == {None}
    imported = (await logged(database, SYSTEM_CHAIN, entries.MEMBERS_IMPORTED))[-1]["members"]
    assert all("reference_date" not in m for m in imported)  # as logs were before the dates

    bare = (await new_meeting(client, tokens)).json()["id"]
    await open_meeting(client, tokens, bare)
    (entry,) = await logged(database, bare, entries.MEETING_OPENED)
    assert "population_date" not in entry
    await client.post(f"/api/meetings/{bare}/close", headers=bearer(tokens[Role.ADMIN]))

    given = (await new_meeting(client, tokens, population_date="2023-01-01")).json()["id"]
    await open_meeting(client, tokens, given)
    (entry,) = await logged(database, given, entries.MEETING_OPENED)
    assert entry["population_date"] == "2023-01-01"


async def test_opening_refuses_a_register_of_mixed_dates(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    await import_register(client, tokens, DATED)
    await import_register(
        client, tokens, "cbs_code,name,population,reference_date\nGM0003,Kleindorp,950,2025-01-01\n"
    )
    meeting_id = await create_meeting(client, tokens)
    response = await client.post(f"/api/meetings/{meeting_id}/open", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "mixed_reference_dates"
    assert body["reference_dates"] == [
        {"date": "2024-01-01", "members": 2},
        {"date": "2025-01-01", "members": 1},
    ]
    assert "2024-01-01 (2 members)" in body["detail"]
    still = (await client.get(f"/api/meetings/{meeting_id}", headers=bearer(tokens[Role.ADMIN]))).json()
    assert (still["status"], still["population_date"]) == ("draft", None)


async def test_members_without_a_date_beside_dated_ones_are_a_mixed_register(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    await import_register(client, tokens, DATED)
    await import_register(client, tokens, "cbs_code,name,population\nGM0003,Kleindorp,950\n")
    meeting_id = await create_meeting(client, tokens)
    response = await client.post(f"/api/meetings/{meeting_id}/open", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 409, response.text
    assert response.json()["reference_dates"] == [
        {"date": "2024-01-01", "members": 2},
        {"date": None, "members": 1},
    ]
    assert "and 1 member without one" in response.json()["detail"]


async def test_opening_refuses_a_register_of_another_date_than_the_meeting_was_given(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    await import_register(client, tokens, DATED)
    meeting_id = (await new_meeting(client, tokens, population_date="2025-01-01")).json()["id"]
    response = await client.post(f"/api/meetings/{meeting_id}/open", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 409
    assert response.json()["error"] == "reference_date_mismatch"
    assert (await patch(client, tokens, meeting_id, {"population_date": "2024-01-01"})).status_code == 200
    await open_meeting(client, tokens, meeting_id)


async def test_settings_are_given_at_creation_and_changed_until_publication(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    await import_register(client, tokens, DATED)
    created = await new_meeting(
        client,
        tokens,
        chair_name="  Marieke van der Veen ",
        committee_members=["Henk Bosman", "Karim Bouzidi"],
    )
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert (meeting["chair_name"], meeting["committee_members"]) == (
        "Marieke van der Veen",
        ["Henk Bosman", "Karim Bouzidi"],
    )
    assert (meeting["population_date"], meeting["publish_representatives"]) == (None, False)
    meeting_id = meeting["id"]

    assert (await patch(client, tokens, meeting_id, {"chair_name": "A"}, Role.CHAIR)).status_code == 403
    assert (await patch(client, tokens, meeting_id, {"place": "Utrecht"})).status_code == 422
    assert (await patch(client, tokens, meeting_id, {"committee_members": ["x"] * 11})).status_code == 422
    assert (await patch(client, tokens, meeting_id, {"chair_name": "   "})).status_code == 422
    changed = await patch(
        client, tokens, meeting_id, {"publish_representatives": True, "chair_name": "Anna de Wit"}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["chair_name"], changed.json()["publish_representatives"]) == ("Anna de Wit", True)
    assert changed.json()["committee_members"] == ["Henk Bosman", "Karim Bouzidi"]  # not given: kept

    await open_meeting(client, tokens, meeting_id)
    frozen = await patch(client, tokens, meeting_id, {"population_date": "2023-01-01"})
    assert (frozen.status_code, frozen.json()["error"]) == (409, "population_date_frozen")
    assert (
        await patch(client, tokens, meeting_id, {"committee_members": ["Ingrid Verhoeven"]})
    ).status_code == 200

    admin = bearer(tokens[Role.ADMIN])
    assert (await client.post(f"/api/meetings/{meeting_id}/close", headers=admin)).status_code == 200
    assert (await client.post(f"/api/meetings/{meeting_id}/publish", headers=admin)).status_code == 200
    late = await patch(client, tokens, meeting_id, {"chair_name": "Iemand Anders"})
    assert (late.status_code, late.json()["error"]) == (409, "meeting_published")

    settings = [entry["settings"] for entry in await logged(database, meeting_id, entries.MEETING_SETTINGS)]
    assert settings == [
        {"chair_name": "Marieke van der Veen", "committee_members": ["Henk Bosman", "Karim Bouzidi"]},
        {"chair_name": "Anna de Wit", "publish_representatives": True},
        {"committee_members": ["Ingrid Verhoeven"]},
    ]
    async with database.transaction(readonly=True) as session:
        lines = [parse_line(line) async for line in _lines(export_chain(session, meeting_id))]
    state = replay(lines)
    assert state.problems == []
    assert state.settings["population_date"] == "2024-01-01"
    assert state.settings["chair_name"] == "Anna de Wit"


async def _lines(chunks: Any) -> Any:
    text = b"".join([chunk async for chunk in chunks]).decode()
    for line in text.splitlines():
        yield line


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"population_date": "2023-01-01"}, "changes the population date after the meeting opened"),
        ({"place": "Utrecht"}, "changes an unknown setting 'place'"),
    ],
)
def test_replay_finds_settings_that_break_the_rules(settings: dict[str, object], problem: str) -> None:
    from server.audit.chain import LogLine

    def line(seq: int, kind: str, data: dict[str, object]) -> LogLine:
        return LogLine({"seq": seq, "type": kind, "data": data}, "0" * 64, f"{seq:064x}")

    rule = {"inhabitants_per_vote": 1000, "min_votes": 1, "max_votes": 75}
    meeting = {"id": 1, "title": "ALV", "date": "2025-06-18", "place": None}
    register = [{"member": "GM0001", "name": "Grootstad", "population": 250000, "weight": 75}]
    lines = [
        line(1, entries.MEETING_CREATED, {"meeting": meeting, "weight_rule": rule}),
        line(2, entries.MEETING_SETTINGS, {"settings": {"population_date": "2024-01-01"}}),
        line(
            3,
            entries.MEETING_OPENED,
            {"weight_rule": rule, "register": register, "population_date": "2024-01-01"},
        ),
        line(4, entries.MEETING_SETTINGS, {"settings": settings}),
    ]
    assert [p.message for p in replay(lines).problems] == [f"entry 4: {problem}"]
    mismatch = [
        *lines[:2],
        line(
            3,
            entries.MEETING_OPENED,
            {"weight_rule": rule, "register": register, "population_date": "2025-01-01"},
        ),
    ]
    assert [p.message for p in replay(mismatch).problems] == [
        "entry 3: opens with the population date 2025-01-01, but the meeting was given 2024-01-01"
    ]
