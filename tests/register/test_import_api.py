from __future__ import annotations

import httpx
import pytest

from server.auth.roles import Role
from server.register.reference import shipped_register_text
from tests.factories import bearer


async def members(client: httpx.AsyncClient, tokens: dict[Role, str]) -> dict[str, dict[str, object]]:
    answer = (await client.get("/api/members", headers=bearer(tokens[Role.ADMIN]))).json()
    return {m["code"]: m for m in answer}


async def post_csv(client: httpx.AsyncClient, tokens: dict[Role, str], text: str | bytes) -> httpx.Response:
    headers = bearer(tokens[Role.ADMIN]) | {"content-type": "text/csv"}
    return await client.post("/api/members/import", content=text, headers=headers)


async def test_import_shipped_register(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await post_csv(client, tokens, shipped_register_text())
    assert response.status_code == 200
    assert response.json() == {
        "imported": 342,
        "created": 342,
        "updated": 0,
        "unmatched": [],
        "skipped": [],
        "reference_dates": [{"date": "2024-01-01", "members": 342}],
    }
    register = await members(client, tokens)
    assert len(register) == 342
    assert register["GM0088"]["name"] == "Schiermonnikoog"
    assert register["GM0088"]["weight"] == 1
    assert sum(int(str(m["weight"])) for m in register.values()) == 13_111


async def test_cbs_download_updates_by_name_and_reports_the_rest(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    await post_csv(client, tokens, shipped_register_text())
    download = (
        '\ufeff"Regio\'s";"Perioden";"Bevolking op 1 januari (aantal)"\r\n'
        '"Nederland";"2025";"18044027"\r\n'
        '"Groningen (PV)";"2025";"596075"\r\n'
        '"Groningen (gemeente)";"2025";"245000"\r\n'
        '"\'s-Gravenhage";"2025";"559000"\r\n'
    )
    response = await post_csv(client, tokens, download.encode("utf-8"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["imported"], answer["updated"]) == (2, 2)
    assert [s["line"] for s in answer["skipped"]] == [2, 3]
    assert len(answer["unmatched"]) == 340
    register = await members(client, tokens)
    assert register["GM0014"]["population"] == 245000
    assert register["GM0518"]["population"] == 559000


@pytest.mark.parametrize(
    ("csv", "lines"),
    [
        ("cbs_code,name,population\nGM0014,A,12x00\nGM0034,B,100\n", [2]),
        ("cbs_code,name,population\nGM0014,A,1200\nGM9999,B,100\n", [3]),
        ("cbs_code,name,population\nGM0014,A,1200\nGM0014,A,1300\n", [3]),
        ("cbs_code\tname\tpopulation\nGM0014\tA\t1200\n", [1]),
        ("cbs_code,name,population\nGM0014,A,-5\nG-14,B,7\nGM0037,C,\n", [2, 3, 4]),
    ],
    ids=["bad population", "unknown code", "duplicate row", "wrong separator", "several problems"],
)
async def test_bad_files_are_refused_whole(
    client: httpx.AsyncClient, tokens: dict[Role, str], csv: str, lines: list[int]
) -> None:
    await post_csv(client, tokens, "cbs_code,name,population\nGM0014,Groningen,5000\n")
    before = await members(client, tokens)
    response = await post_csv(client, tokens, csv)
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "invalid_register"
    assert sorted({e["line"] for e in answer["errors"]}) == lines
    assert all(e["message"] for e in answer["errors"])
    assert await members(client, tokens) == before  # nothing half-imported


async def test_not_text(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await post_csv(client, tokens, b"\x81\x8d\x8f\x90\x9d")
    assert (response.status_code, response.json()["error"]) == (422, "bad_encoding")


async def test_too_large(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await post_csv(client, tokens, "x" * (5 * 1024 * 1024 + 1))
    assert (response.status_code, response.json()["error"]) == (422, "too_large")
