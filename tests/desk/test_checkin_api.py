"""Check-in, hand-over, check-out and return, re-pairing and card problems over HTTP."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from server.auth.roles import Role
from server.desk.throttle import Backoff, DeskGuard
from tests.factories import bearer, create_meeting, import_register, open_meeting


@pytest.fixture
async def cards(client: httpx.AsyncClient, tokens: dict[Role, str]) -> dict[str, str]:
    """An open meeting of the four-member register with a card per member: code -> card."""
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens)
    await open_meeting(client, tokens, meeting_id)
    response = await client.post(f"/api/meetings/{meeting_id}/cards", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 200, response.text
    return {card["member"]: card["card"] for card in response.json()}


async def check_in(
    client: httpx.AsyncClient, tokens: dict[Role, str], card: str, name: str = "A. de Vries",
    role: str = "burgemeester", **extra: Any,
) -> httpx.Response:  # fmt: skip
    body = {"card": card, "representative": {"name": name, "role": role}} | extra
    return await client.post("/api/meetings/1/checkins", json=body, headers=bearer(tokens[Role.DESK]))


async def present(client: httpx.AsyncClient) -> dict[str, int]:
    snapshot: dict[str, Any] = (await client.get("/api/feed")).json()
    return {"members": snapshot["present"]["members"], "weight": snapshot["present"]["weight"]}


async def test_check_in_issues_a_pass_with_a_pairing_code(
    client: httpx.AsyncClient, tokens: dict[Role, str], cards: dict[str, str]
) -> None:
    response = await check_in(client, tokens, cards["GM0002"])
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["member"] == {"code": "GM0002", "name": "Middenburg"}
    assert answer["weight"] == 42
    assert "pass" not in answer and "vhp_" not in response.text  # the desk gets no pass token
    assert answer["pairing_url"].endswith(f"/kiosk#pair={answer['pairing_code']}")
    assert answer["pairing_qr_svg"].startswith("<svg")
    assert await present(client) == {"members": 1, "weight": 42}
    paired = await client.post("/api/kiosk/pair", json={"pairing_code": answer["pairing_code"]})
    assert paired.status_code == 200 and paired.json()["pass"].startswith("vhp_")


async def test_a_card_typed_by_hand(
    client: httpx.AsyncClient, tokens: dict[Role, str], cards: dict[str, str]
) -> None:
    printed = "-".join(cards["GM0001"][i : i + 4] for i in range(0, len(cards["GM0001"]), 4)).lower()
    assert (await check_in(client, tokens, printed)).status_code == 201


@pytest.mark.parametrize(
    ("role", "name"), [("voorzitter", "A. de Vries"), ("burgemeester", ""), ("burgemeester", " ")]
)
async def test_refused_representatives(
    client: httpx.AsyncClient, tokens: dict[Role, str], cards: dict[str, str], role: str, name: str
) -> None:
    response = await check_in(client, tokens, cards["GM0001"], name=name, role=role)
    assert (response.status_code, response.json()["error"]) == (422, "invalid_request")
    assert await present(client) == {"members": 0, "weight": 0}


async def test_card_problems_have_clear_reasons(
    client: httpx.AsyncClient, tokens: dict[Role, str], cards: dict[str, str]
) -> None:
    good = cards["GM0003"]
    typo = good[:10] + ("Z" if good[10] != "Z" else "Y") + good[11:]
    response = await check_in(client, tokens, typo)
    assert (response.status_code, response.json()["error"]) == (422, "invalid_card")

    # A card of another meeting answers like an unknown one: nothing is revealed about it.
    admin = bearer(tokens[Role.ADMIN])
    other = await create_meeting(client, tokens)
    other_cards = (await client.post(f"/api/meetings/{other}/cards", headers=admin)).json()
    foreign = await check_in(client, tokens, other_cards[0]["card"])
    from server.cards.codes import new_card_code

    unknown = await check_in(client, tokens, new_card_code())
    assert (foreign.status_code, foreign.json()) == (unknown.status_code, unknown.json())
    assert unknown.json()["error"] == "unknown_card"

    reissued = (await client.post("/api/meetings/1/cards/GM0003/reissue", headers=admin)).json()
    old = await check_in(client, tokens, good)
    assert (old.status_code, old.json()["error"]) == (409, "card_replaced")
    assert (await check_in(client, tokens, reissued["card"])).status_code == 201


async def test_hand_over_check_out_and_return(
    client: httpx.AsyncClient, tokens: dict[Role, str], cards: dict[str, str]
) -> None:
    first = (await check_in(client, tokens, cards["GM0001"], name="Burgemeester Eén")).json()
    again = await check_in(client, tokens, cards["GM0001"], name="Wethouder Twee", role="wethouder")
    assert (again.status_code, again.json()["error"]) == (409, "pass_active")
    assert again.json()["representative"] == "Burgemeester Eén"
    second = (await check_in(client, tokens, cards["GM0001"], name="Wethouder Twee", role="wethouder",
                             hand_over=True)).json()  # fmt: skip
    assert second["replaced_pass_id"] == first["pass_id"]
    assert await present(client) == {"members": 1, "weight": 75}

    desk = bearer(tokens[Role.DESK])
    listed = {p["pass_id"]: p for p in (await client.get("/api/meetings/1/passes", headers=desk)).json()}
    assert listed[first["pass_id"]]["status"] == "revoked"
    assert listed[second["pass_id"]]["status"] == "active"

    assert (
        await client.post("/api/kiosk/pair", json={"pairing_code": second["pairing_code"]})
    ).status_code == 200
    listed = {p["pass_id"]: p for p in (await client.get("/api/meetings/1/passes", headers=desk)).json()}
    assert listed[second["pass_id"]]["paired"] is True
    out = await client.post(f"/api/passes/{second['pass_id']}/checkout", headers=desk)
    assert out.json()["status"] == "checked_out"
    assert await present(client) == {"members": 0, "weight": 0}
    back = await client.post(f"/api/passes/{second['pass_id']}/return", headers=desk)
    assert back.json()["status"] == "active"
    assert back.json()["paired"] is False  # the handheld forgot the pass at the check-out: pair anew
    assert await present(client) == {"members": 1, "weight": 75}
    revived = await client.post(f"/api/passes/{first['pass_id']}/return", headers=desk)
    assert (revived.status_code, revived.json()["error"]) == (409, "illegal_transition")

    fresh = await client.post(f"/api/passes/{second['pass_id']}/pairing", headers=desk)
    assert fresh.status_code == 200 and fresh.json()["pairing_code"] != second["pairing_code"]
    stale = await client.post("/api/kiosk/pair", json={"pairing_code": second["pairing_code"]})
    assert stale.status_code == 404  # used above, and replaced
    assert (
        await client.post("/api/kiosk/pair", json={"pairing_code": fresh.json()["pairing_code"]})
    ).status_code == 200


async def test_check_in_needs_an_open_meeting(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens)
    cards = (
        await client.post(f"/api/meetings/{meeting_id}/cards", headers=bearer(tokens[Role.ADMIN]))
    ).json()
    body = {"card": cards[0]["card"], "representative": {"name": "A. de Vries", "role": "griffier"}}
    response = await client.post(
        f"/api/meetings/{meeting_id}/checkins", json=body, headers=bearer(tokens[Role.DESK])
    )
    assert (response.status_code, response.json()["error"]) == (409, "meeting_not_open")


async def test_wrong_codes_are_logged_slowed_and_blocked(
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
    cards: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    app.state.desk_guard = DeskGuard(wrong_cards=Backoff(free=2, first=0.001, cap=0.002, block_after=4))
    from server.cards.codes import new_card_code

    with caplog.at_level(logging.WARNING, logger="server.desk.endpoints"):
        codes = [(await check_in(client, tokens, new_card_code())).status_code for _ in range(5)]
    assert codes == [404, 404, 404, 404, 429]
    assert app.state.desk_guard.wrong_cards.delay("token:2") > 0
    assert sum("wrong card code" in record.message for record in caplog.records) == 4
    assert all(cards["GM0001"] not in record.message for record in caplog.records)
    # The good card of this desk is refused too while it is blocked: a script cannot keep trying.
    assert (await check_in(client, tokens, cards["GM0001"])).status_code == 429


async def test_look_up_a_card_before_check_in(
    client: httpx.AsyncClient, tokens: dict[Role, str], cards: dict[str, str]
) -> None:
    desk = bearer(tokens[Role.DESK])
    found = (
        await client.post("/api/meetings/1/cards/lookup", json={"card": cards["GM0004"]}, headers=desk)
    ).json()
    assert found == {"member": {"code": "GM0004", "name": "Randmeer"}, "weight": 75, "active_pass": None}
    await check_in(client, tokens, cards["GM0004"], name="J. Jansen")
    found = (
        await client.post("/api/meetings/1/cards/lookup", json={"card": cards["GM0004"]}, headers=desk)
    ).json()
    assert found["active_pass"]["representative"] == "J. Jansen"
    response = await client.post("/api/meetings/1/cards/lookup", json={"card": "VHC0000"}, headers=desk)
    assert (response.status_code, response.json()["error"]) == (422, "invalid_card")
