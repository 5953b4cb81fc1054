"""Elections on the chair's API (issue 14, SPEC 2.10, 4.1): candidates, rounds and secret, on
create and edit, a candidate's withdrawal, and what the log says of them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.audit import entries
from server.audit.chain import parse_line
from server.audit.replay import replay
from server.auth.roles import Role
from tests.factories import ballot_action, bearer, create_meeting, import_register, open_meeting

AGENDA = [
    {"number": "2", "title": "Jaarverslag", "decision": True, "kind": "voorstel"},
    {"number": "12", "title": "Vacatures VNG-bestuur", "decision": True, "kind": "benoeming"},
]
CANDIDATES = [
    {"name": "  Anna   Alfa ", "note": " Aa en Hunze "},
    {"name": "Bert Beta"},
    {"name": "Cees Gamma"},
]


@pytest.fixture
async def meeting_id(client: httpx.AsyncClient, tokens: dict[Role, str]) -> int:
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens, agenda=AGENDA)
    await open_meeting(client, tokens, meeting_id)
    return meeting_id


def chair(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.CHAIR])


async def post(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, **fields: Any
) -> httpx.Response:
    body = {"agenda": "12", "title": "Voorzitter", "kind": "benoeming"} | fields
    return await client.post(f"/api/meetings/{meeting_id}/ballots", json=body, headers=chair(tokens))


async def created(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, **fields: Any
) -> dict[str, Any]:
    response = await post(client, tokens, meeting_id, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def log(client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/api/meetings/{meeting_id}/audit", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 200, response.text
    return [parse_line(line).entry for line in response.text.splitlines()]


async def test_an_election_a_single_candidate_and_a_slate(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    election = await created(client, tokens, meeting_id, candidates=CANDIDATES)
    names = [(c["name"], c["note"]) for c in election["candidates"]]
    assert names == [("Anna Alfa", "Aa en Hunze"), ("Bert Beta", None), ("Cees Gamma", None)]
    assert len({c["id"] for c in election["candidates"]}) == 3
    assert (election["round"], election["round_of"], election["secret"]) == ("first", None, False)

    single = await created(client, tokens, meeting_id, candidates=[{"name": "Dirk Delta"}], secret=True)
    assert (single["round"], single["secret"], len(single["candidates"])) == ("single", True, 1)
    slate = await created(client, tokens, meeting_id, title="Benoeming van Anna Alfa en Bert Beta")
    assert (slate["round"], slate["candidates"], slate["secret"]) == (None, [], False)
    proposal = await created(client, tokens, meeting_id, agenda="2", kind="voorstel", title="Jaarverslag")
    assert (proposal["round"], proposal["candidates"], proposal["secret"]) == (None, [], False)

    listed = (await client.get(f"/api/meetings/{meeting_id}/ballots", headers=chair(tokens))).json()
    by_id = {b["id"]: b for b in listed}
    assert by_id[election["id"]]["candidates"] == election["candidates"]
    assert by_id[single["id"]]["secret"] is True
    one = (await client.get(f"/api/ballots/{election['id']}", headers=chair(tokens))).json()
    assert one["candidates"] == election["candidates"] and one["round"] == "first"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "voorstel", "agenda": "2", "candidates": [{"name": "Anna"}]}, "invalid_ballot"),
        ({"majority": "two_thirds", "candidates": CANDIDATES}, "invalid_ballot"),
        ({"abstain_is_cast": True, "candidates": [{"name": "Anna"}]}, "invalid_ballot"),
        ({"candidates": [{"name": "Anna Alfa"}, {"name": " anna  ALFA"}]}, "invalid_candidates"),
        ({"candidates": [{"name": "Anna Alfa"}, {"name": "   "}]}, "invalid_candidates"),
        ({"candidates": [{"name": f"Kandidaat {i}"} for i in range(51)]}, "invalid_request"),
        ({"candidates": [{"name": "Anna", "party": "x"}]}, "invalid_request"),
        ({"candidates": CANDIDATES, "round": "runoff"}, "invalid_round"),
        ({"candidates": CANDIDATES, "round": "sideways"}, "invalid_request"),
        ({"round": "first"}, "invalid_round"),
    ],
)
async def test_bad_elections_are_refused(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, fields: dict[str, Any], code: str
) -> None:
    response = await post(client, tokens, meeting_id, **fields)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == code


async def test_a_later_round_names_the_one_it_follows(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    first = await created(client, tokens, meeting_id, candidates=CANDIDATES)
    slate = await created(client, tokens, meeting_id, title="Benoeming van Anna Alfa en Bert Beta")
    two = [{"name": "Anna Alfa"}, {"name": "Bert Beta"}]

    for fields, code in [
        ({"round_of": first["id"], "candidates": CANDIDATES}, "invalid_round"),  # the kind is not given
        ({"round_of": first["id"], "candidates": CANDIDATES, "round": "first"}, "invalid_round"),
        ({"round_of": first["id"], "candidates": CANDIDATES, "round": "single"}, "invalid_round"),
        ({"round_of": slate["id"], "candidates": two, "round": "runoff"}, "invalid_round"),
        ({"round_of": 9999, "candidates": two, "round": "runoff"}, "invalid_ballot"),
    ]:
        response = await post(client, tokens, meeting_id, **fields)
        assert (response.status_code, response.json()["error"]) == (422, code), fields
    # Without candidates a later round takes them from the closed round's result: a draft has none.
    response = await post(client, tokens, meeting_id, round_of=first["id"], round="second")
    assert (response.status_code, response.json()["error"]) == (409, "no_next_round")

    second = await created(
        client, tokens, meeting_id, round_of=first["id"], candidates=CANDIDATES, round="second"
    )
    assert (second["round_of"], second["round"]) == (first["id"], "second")
    assert {c["id"] for c in second["candidates"]}.isdisjoint(c["id"] for c in first["candidates"])
    again = await post(client, tokens, meeting_id, round_of=first["id"], candidates=two, round="runoff")
    assert (again.status_code, again.json()["error"]) == (409, "round_already_followed")
    runoff = await created(client, tokens, meeting_id, round_of=second["id"], candidates=two, round="runoff")
    assert runoff["round"] == "runoff"
    last = await created(
        client, tokens, meeting_id, round_of=runoff["id"], candidates=[{"name": "Anna Alfa"}]
    )
    assert last["round"] == "single"

    deleted = await client.delete(f"/api/ballots/{second['id']}", headers=chair(tokens))
    assert (deleted.status_code, deleted.json()["error"]) == (409, "ballot_followed")


async def test_a_draft_changes_its_candidates_and_secrecy(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await created(client, tokens, meeting_id, title="Benoeming van Anna Alfa")
    url = f"/api/ballots/{ballot['id']}"
    edited = await client.patch(url, json={"candidates": CANDIDATES, "secret": True}, headers=chair(tokens))
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert ([c["name"] for c in body["candidates"]], body["round"], body["secret"]) == (
        ["Anna Alfa", "Bert Beta", "Cees Gamma"], "first", True,
    )  # fmt: skip
    same = await client.patch(url, json={"candidates": CANDIDATES}, headers=chair(tokens))
    assert same.json()["candidates"] == body["candidates"]  # nothing changed: the same ids

    for change in (
        {"majority": "two_thirds"},
        {"kind": "voorstel", "agenda": "2"},
        {"abstain_is_cast": True},
    ):
        refused = await client.patch(url, json=change, headers=chair(tokens))
        assert (refused.status_code, refused.json()["error"]) == (422, "invalid_ballot"), change
    for change in ({"candidates": None}, {"secret": None}):
        refused = await client.patch(url, json=change, headers=chair(tokens))
        assert refused.status_code == 422, change

    single = (
        await client.patch(url, json={"candidates": [{"name": "Bert Beta"}]}, headers=chair(tokens))
    ).json()
    assert (single["round"], [c["name"] for c in single["candidates"]]) == ("single", ["Bert Beta"])
    slate = (await client.patch(url, json={"candidates": [], "secret": False}, headers=chair(tokens))).json()
    assert (slate["round"], slate["candidates"], slate["secret"]) == (None, [], False)
    entries_ = [e for e in await log(client, tokens, meeting_id) if e["type"] == entries.BALLOT_EDITED]
    assert [e["data"]["changed"] for e in entries_] == [
        ["candidates", "secret", "round"], ["candidates", "round"], ["candidates", "secret", "round"]
    ]  # fmt: skip


async def test_a_candidate_is_withdrawn_and_the_log_replays(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    # Public: a secret ballot opens only with the committee's key (tested on its own below).
    ballot = await created(client, tokens, meeting_id, candidates=CANDIDATES, secret=False)
    anna, bert, cees = (c["id"] for c in ballot["candidates"])

    def withdraw(candidate: int, ballot_id: int = ballot["id"]) -> Any:
        return client.post(f"/api/ballots/{ballot_id}/candidates/{candidate}/withdraw", headers=chair(tokens))

    two = (await withdraw(bert)).json()
    assert ([c["id"] for c in two["candidates"]], two["round"]) == ([anna, cees], "first")
    unknown = await withdraw(bert)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_candidate")
    one = (await withdraw(anna)).json()
    assert ([c["id"] for c in one["candidates"]], one["round"]) == ([cees], "single")
    last = await withdraw(cees)
    assert (last.status_code, last.json()["error"]) == (409, "last_candidate")
    other = await created(client, tokens, meeting_id, candidates=CANDIDATES[1:])
    assert (await withdraw(other["candidates"][0]["id"])).status_code == 404  # another ballot's candidate

    assert (await ballot_action(client, tokens, ballot["id"], "open")).status_code == 200
    opened = await withdraw(cees)
    assert (opened.status_code, opened.json()["error"]) == (409, "ballot_not_draft")

    logged = await log(client, tokens, meeting_id)
    made = next(e["data"]["ballot"] for e in logged if e["type"] == entries.BALLOT_CREATED)
    assert made == {
        "id": ballot["id"], "agenda": "12", "title": "Voorzitter", "kind": "benoeming", "majority": "simple",
        "abstain_is_cast": False, "allow_change": True, "test": False, "show_live_tally": False,
        "amends": None, "submitters": [], "preadvies": None, "off_agenda": False, "revote_of": None,
        "secret": False, "candidates": ballot["candidates"], "round_of": None, "round": "first",
    }  # fmt: skip
    withdrawals = [e["data"] for e in logged if e["type"] == entries.CANDIDATE_WITHDRAWN]
    assert [(w["ballot"], w["candidate"]) for w in withdrawals] == [
        (ballot["id"], bert),
        (ballot["id"], anna),
    ]
    assert all(w["operator"]["label"] for w in withdrawals)

    lines = [parse_line(line) for line in (
        await client.get(f"/api/meetings/{meeting_id}/audit", headers=bearer(tokens[Role.ADMIN]))
    ).text.splitlines()]  # fmt: skip
    state = replay(lines)
    assert state.problems == []
    settings = state.ballots[ballot["id"]].settings
    assert (settings["candidates"], settings["round"], settings["secret"]) == (
        one["candidates"],
        "single",
        False,
    )


async def test_a_secret_ballot_does_not_open_without_the_committee_key(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await created(client, tokens, meeting_id, candidates=CANDIDATES, secret=True)
    refused = await ballot_action(client, tokens, ballot["id"], "open")
    assert (refused.status_code, refused.json()["error"]) == (409, "committee_key_missing")
    assert "committee" in refused.json()["detail"]
    logged = await log(client, tokens, meeting_id)
    assert entries.BALLOT_OPENED not in [e["type"] for e in logged]
