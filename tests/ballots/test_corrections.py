"""Correcting mistakes during a meeting (SPEC 2.7, 2.8, 2.11): edit and delete a draft, void, re-vote,
count by hand, note dissent, declare out of order, keep the agenda order, close with undecided
ballots. Each correction is logged with the operator token that made it. Both database backends."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from server.audit.chain import parse_line
from server.audit.models import LogEntry
from server.audit.replay import Replay, replay
from server.auth.roles import Role
from server.db import Database
from tests.ballots.test_ballots_api import AGENDA, store_votes
from tests.factories import (
    ballot_action,
    bearer,
    create_ballot,
    create_meeting,
    import_register,
    open_meeting,
)

CHAIR_LABEL = "test chair"  # tests/conftest.py labels each token "test <role>"


PRESENT = ("GM0001", "GM0002", "GM0003")  # 75 + 42 + 1 = 118 votes present; GM0004 (75) is not


@pytest.fixture
async def meeting_id(client: httpx.AsyncClient, tokens: dict[Role, str]) -> int:
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens, agenda=AGENDA)
    await open_meeting(client, tokens, meeting_id)
    cards = await client.post(f"/api/meetings/{meeting_id}/cards", headers=bearer(tokens[Role.ADMIN]))
    for card in cards.json():
        if card["member"] in PRESENT:
            body = {"card": card["card"], "representative": {"name": "A. de Vries", "role": "burgemeester"}}
            checked_in = await client.post(
                f"/api/meetings/{meeting_id}/checkins", json=body, headers=bearer(tokens[Role.DESK])
            )
            assert checked_in.status_code == 201, checked_in.text
    return meeting_id


def chair(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.CHAIR])


async def log_of(database: Database, meeting_id: int, type_: str) -> list[dict[str, Any]]:
    async with database.transaction(readonly=True) as session:
        bodies = await session.scalars(
            select(LogEntry.body)
            .where(LogEntry.chain == meeting_id, LogEntry.type == type_)
            .order_by(LogEntry.seq)
        )
        return [orjson.loads(body)["data"] for body in bodies]


async def get(client: httpx.AsyncClient, tokens: dict[Role, str], ballot_id: object) -> dict[str, Any]:
    response = await client.get(f"/api/ballots/{ballot_id}", headers=chair(tokens))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def feed(client: httpx.AsyncClient) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get("/api/feed")).json()
    return body


# Editing and deleting a draft


async def test_a_draft_is_edited_field_by_field_and_the_log_names_the_token(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2", title="Jaarverslag 2O24")
    response = await client.patch(
        f"/api/ballots/{ballot['id']}",
        json={"title": "Jaarverslag 2024", "majority": "two_thirds", "agenda": "3"},
        headers=chair(tokens),
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["title"], edited["majority"], edited["agenda"]) == ("Jaarverslag 2024", "two_thirds", "3")
    assert edited["kind"] == "voorstel" and edited["allow_change"] is True  # what was not sent stays
    [entry] = await log_of(database, meeting_id, "ballot_edited")
    assert entry["changed"] == ["agenda", "majority", "title"]
    assert entry["ballot"]["title"] == "Jaarverslag 2024"
    assert entry["operator"]["label"] == CHAIR_LABEL and isinstance(entry["operator"]["token"], int)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"agenda": "99"}, "unknown_agenda_item"),
        ({"preadvies": "ontraden"}, "invalid_ballot"),  # a voorstel has no preadvies
        ({"title": None}, "invalid_ballot"),
        ({"off_agenda": True}, "invalid_ballot"),  # only a motie can be vreemd aan de orde
        ({"kind": "amendement"}, "invalid_ballot"),  # an amendement must name what it amends
        ({"colour": "red"}, "invalid_request"),
    ],
)
async def test_an_edit_that_makes_a_wrong_ballot_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, change: dict[str, object], code: str
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    response = await client.patch(f"/api/ballots/{ballot['id']}", json=change, headers=chair(tokens))
    assert response.status_code == 422, response.text
    assert response.json()["error"] == code
    assert (await get(client, tokens, ballot["id"]))["title"] == ballot["title"]


async def test_only_a_draft_is_edited_or_deleted(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    assert (await ballot_action(client, tokens, ballot["id"], "open")).status_code == 200
    patched = await client.patch(f"/api/ballots/{ballot['id']}", json={"title": "X"}, headers=chair(tokens))
    deleted = await client.delete(f"/api/ballots/{ballot['id']}", headers=chair(tokens))
    for response in (patched, deleted):
        assert response.status_code == 409
        assert response.json()["error"] == "ballot_not_draft"
        assert "2 'Voorstel'" in response.json()["detail"]  # the agenda number, not the id


async def test_a_draft_is_deleted_and_leaves_the_feed_but_not_the_log(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    proposal = await create_ballot(client, tokens, meeting_id, agenda="2", title="Voorstel A")
    amendment = await create_ballot(
        client, tokens, meeting_id, agenda="2", kind="amendement", title="Amendement", amends=proposal["id"]
    )
    refused = await client.delete(f"/api/ballots/{proposal['id']}", headers=chair(tokens))
    assert refused.status_code == 409 and refused.json()["error"] == "ballot_amended"
    assert (await client.delete(f"/api/ballots/{amendment['id']}", headers=chair(tokens))).status_code == 204
    assert (await client.delete(f"/api/ballots/{proposal['id']}", headers=chair(tokens))).status_code == 204
    missing = await client.get(f"/api/ballots/{proposal['id']}", headers=chair(tokens))
    assert missing.status_code == 404
    listed = (await client.get(f"/api/meetings/{meeting_id}/ballots", headers=chair(tokens))).json()
    assert listed == []
    deleted = await log_of(database, meeting_id, "ballot_deleted")
    assert [entry["ballot"] for entry in deleted] == [amendment["id"], proposal["id"]]
    assert all(entry["operator"]["label"] == CHAIR_LABEL for entry in deleted)


# Voiding and re-voting


async def test_an_open_ballot_is_voided_and_voted_again(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2", title="Jaarverslag")
    await ballot_action(client, tokens, ballot["id"], "open")
    await store_votes(database, ballot["id"], {"GM0001": "for", "GM0002": "against"})
    empty = await client.post(
        f"/api/ballots/{ballot['id']}/void", json={"reason": "  "}, headers=chair(tokens)
    )
    assert empty.status_code == 422
    response = await client.post(
        f"/api/ballots/{ballot['id']}/void", json={"reason": "storing in de  zaal"}, headers=chair(tokens)
    )
    assert response.status_code == 200, response.text
    voided = response.json()
    assert voided["status"] == "voided"
    assert voided["result"]["outcome"] == "voided"
    assert voided["result"]["void_reason"] == "storing in de zaal"
    assert voided["result"]["minutes"] == "ongeldig verklaard: storing in de zaal"
    assert voided["result"]["minutes_en"] == "declared void: storing in de zaal"
    [entry] = await log_of(database, meeting_id, "ballot_voided")
    assert entry["reason"] == "storing in de zaal" and entry["operator"]["label"] == CHAIR_LABEL

    shown = await feed(client)
    assert shown["ballot"]["id"] == ballot["id"] and shown["ballot"]["outcome"] == "voided"
    assert shown["ballot"]["minutes"]["nl"] == "ongeldig verklaard: storing in de zaal"
    assert [d["outcome"] for d in shown["decisions"]] == ["voided"]

    again = await create_ballot(
        client, tokens, meeting_id, agenda="2", title="Jaarverslag", revote_of=ballot["id"]
    )
    assert again["revote_of"] == ballot["id"]
    await ballot_action(client, tokens, again["id"], "open")
    shown = await feed(client)
    assert shown["ballot"]["revote_of"] == {
        "id": ballot["id"], "agenda": "2", "title": "Jaarverslag", "kind": "voorstel",
    }  # fmt: skip


async def test_a_voided_ballot_is_voted_again_once(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    await ballot_action(client, tokens, ballot["id"], "open")
    await client.post(f"/api/ballots/{ballot['id']}/void", json={"reason": "storing"}, headers=chair(tokens))
    await create_ballot(client, tokens, meeting_id, agenda="2", revote_of=ballot["id"])
    body = {"agenda": "2", "title": "Nog eens", "kind": "voorstel", "revote_of": ballot["id"]}
    response = await client.post(f"/api/meetings/{meeting_id}/ballots", json=body, headers=chair(tokens))
    assert response.status_code == 409 and response.json()["error"] == "already_revoted"


async def test_a_revote_names_a_voided_ballot(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    body = {"agenda": "2", "title": "Opnieuw", "kind": "voorstel", "revote_of": ballot["id"]}
    response = await client.post(f"/api/meetings/{meeting_id}/ballots", json=body, headers=chair(tokens))
    assert response.status_code == 409
    assert response.json()["error"] == "revote_of_not_voided"


async def test_a_closed_ballot_is_voided_until_the_next_ballot_opens(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    first = await create_ballot(client, tokens, meeting_id, agenda="2", title="Eerste")
    second = await create_ballot(client, tokens, meeting_id, agenda="3", title="Tweede", kind="resolutie")
    third = await create_ballot(client, tokens, meeting_id, agenda="3", title="Derde", kind="resolutie")
    for ballot in (first, second):
        await ballot_action(client, tokens, ballot["id"], "open")
        await store_votes(database, ballot["id"], {"GM0001": "for"})
        await ballot_action(client, tokens, ballot["id"], "close")
    # The first was followed by the second: its result stands.
    late = await client.post(
        f"/api/ballots/{first['id']}/void", json={"reason": "te laat"}, headers=chair(tokens)
    )
    assert late.status_code == 409 and late.json()["error"] == "void_window_passed"
    assert (await get(client, tokens, first["id"]))["result"]["outcome"] == "adopted"
    # The second is the last: it is voided, and keeps its figures beside the outcome.
    response = await client.post(
        f"/api/ballots/{second['id']}/void", json={"reason": "verkeerde meerderheid"}, headers=chair(tokens)
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert (result["outcome"], result["for"], result["percent_for"]) == ("voided", 75, "100.00")
    # A ballot opened since closes the window for good, also after it was voided itself.
    await ballot_action(client, tokens, third["id"], "open")
    again = await client.post(
        f"/api/ballots/{second['id']}/void", json={"reason": "x"}, headers=chair(tokens)
    )
    assert again.status_code == 409


@pytest.mark.parametrize("steps", [[], ["acclamation"], ["withdraw"]])
async def test_only_an_open_or_closed_ballot_is_voided(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, steps: list[str]
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="3", kind="motie")
    for step in steps:
        await ballot_action(client, tokens, ballot["id"], step)
    response = await client.post(
        f"/api/ballots/{ballot['id']}/void", json={"reason": "x"}, headers=chair(tokens)
    )
    assert response.status_code == 409 and response.json()["error"] == "illegal_transition"


# Counting by hand


async def test_a_count_by_hand_is_decided_by_the_ballots_own_majority(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2", majority="two_thirds")
    count = {"for": 70, "against": 35, "abstain": 10, "confirmed_by": "J. de Vries"}
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    # 3 * 70 >= 2 * 105: adopted with exactly two thirds.
    assert (result["outcome"], result["cast"], result["percent_for"]) == ("adopted", 105, "66.67")
    assert result["counted_by_hand"] is True and result["confirmed_by"] == "J. de Vries"
    assert result["members_voted"] is None
    assert result["minutes"] == "aangenomen met 66,67% van de stemmen (met de hand geteld)"
    [entry] = await log_of(database, meeting_id, "ballot_counted_by_hand")
    assert entry["confirmed_by"] == "J. de Vries" and entry["result"]["outcome"] == "adopted"
    shown = await feed(client)
    assert shown["ballot"]["tally"] == {
        "for": 70,
        "against": 35,
        "abstain": 10,
        "cast": 105,
        "percent_for": "66.67",
    }
    assert shown["ballot"]["voted"] is None  # a count by hand does not know how many members voted
    decision = shown["decisions"][-1]
    assert decision["counted_by_hand"] is True
    assert decision["minutes"]["en"] == "adopted with 66.67% of the votes (counted by hand)"


async def test_a_count_by_hand_may_give_only_the_outcome(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    count = {"outcome": "rejected", "confirmed_by": "J. de Vries"}
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert (result["outcome"], result["for"], result["minutes"]) == (
        "rejected", None, "verworpen (met de hand geteld)",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("count", "status"),
    [
        ({"for": 1, "against": 1}, 422),  # nobody of the committee confirmed it
        ({"for": 1, "outcome": "adopted", "confirmed_by": "X"}, 422),
        ({"against": 3, "confirmed_by": "X"}, 422),
        ({"for": 100, "against": 19, "confirmed_by": "X"}, 422),  # more than the 118 votes present
        ({"for": -1, "against": 3, "confirmed_by": "X"}, 422),
    ],
)
async def test_a_count_by_hand_that_cannot_be_right_is_refused(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, count: dict[str, object], status: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == status, response.text
    assert (await get(client, tokens, ballot["id"]))["status"] == "draft"


async def test_a_test_ballot_is_not_counted_by_hand(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2", test=True)
    count = {"outcome": "adopted", "confirmed_by": "X"}
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == 409 and response.json()["error"] == "test_ballot"


# Counting an election by hand (SPEC 2.7, 2.10): per candidate, decided by the election rules

CANDIDATES = [
    {"name": "Anna Alfa", "note": "wethouder, Aa en Hunze"},
    {"name": "Bert Beta"},
    {"name": "Cees Gamma"},
]


async def election(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, **fields: Any
) -> dict[str, Any]:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="1", title="Lid dagelijks bestuur",
                                 kind="benoeming", candidates=CANDIDATES, **fields)  # fmt: skip
    return dict(ballot)


def by_name(ballot: dict[str, Any], votes: dict[str, int]) -> list[dict[str, int]]:
    ids = {c["name"]: c["id"] for c in ballot["candidates"]}
    return [{"id": ids[name], "votes": n} for name, n in votes.items()]


async def replayed(client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int) -> Replay:
    """The meeting's log as `votehall verify` replays it: it must find nothing wrong."""
    answer = await client.get(f"/api/meetings/{meeting_id}/audit", headers=bearer(tokens[Role.ADMIN]))
    state = replay([parse_line(line) for line in answer.text.splitlines()])
    assert [problem.message.text("en") for problem in state.problems] == []
    return state


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
async def test_an_election_is_counted_by_hand_per_candidate(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int, secret: bool
) -> None:
    ballot = await election(client, tokens, meeting_id, secret=secret)
    count = {"candidates": by_name(ballot, {"Anna Alfa": 75, "Bert Beta": 42, "Cees Gamma": 0}),
             "abstain": 1, "confirmed_by": "J. de Vries"}  # fmt: skip
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    minutes = "gekozen: Anna Alfa met 64,10% van de stemmen (met de hand geteld)"
    assert (result["outcome"], result["minutes"], result["counted_by_hand"]) == ("elected", minutes, True)
    assert result["minutes_en"] == "elected: Anna Alfa with 64.10% of the votes (counted by hand)"
    # A count by hand knows the votes per candidate, not how many members gave them.
    assert (result["members_voted"], result["election"]["members_voted"]) == (None, None)
    assert [(c["name"], c["votes"], c["members"], c["percent"]) for c in result["election"]["candidates"]] == [
        ("Anna Alfa", 75, None, "64.10"), ("Bert Beta", 42, None, "35.90"), ("Cees Gamma", 0, None, "0.00"),
    ]  # fmt: skip
    assert (result["election"]["elected"]["name"], result["cast"], result["abstain"]) == ("Anna Alfa", 117, 1)
    [entry] = await log_of(database, meeting_id, "ballot_counted_by_hand")
    assert entry["confirmed_by"] == "J. de Vries" and entry["result"]["outcome"] == "elected"
    assert [c["votes"] for c in entry["result"]["candidates"]] == [75, 42, 0]
    # The screens: at once, also on a secret ballot (nothing sealed to release); the decisions.
    shown = await feed(client)
    assert shown["ballot"]["counted_by_hand"] is True and shown["ballot"]["minutes"]["nl"] == minutes
    assert [c["votes"] for c in shown["ballot"]["election"]["candidates"]] == [75, 42, 0]
    assert shown["decisions"][-1]["minutes"]["nl"] == minutes
    state = await replayed(client, tokens, meeting_id)
    assert state.ballots[ballot["id"]].minutes() == minutes
    assert state.ballots[ballot["id"]].outcome == "elected"


async def test_a_round_counted_by_hand_without_a_majority_leads_to_the_next_round(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await election(client, tokens, meeting_id)
    count = {"candidates": by_name(ballot, {"Anna Alfa": 40, "Bert Beta": 40, "Cees Gamma": 38}),
             "confirmed_by": "J. de Vries"}  # fmt: skip
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == 200, response.text
    assert response.json()["result"]["minutes"] == (
        "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming (met de hand geteld)"
    )
    following = await client.post(f"/api/ballots/{ballot['id']}/next-round", headers=chair(tokens))
    assert following.status_code == 201, following.text
    second = following.json()
    assert (second["round"], second["round_of"]) == ("second", ballot["id"])
    assert [c["name"] for c in second["candidates"]] == ["Anna Alfa", "Bert Beta", "Cees Gamma"]
    # The second round counted by hand as well: Cees's 38 go to Bert.
    count = {"candidates": by_name(second, {"Anna Alfa": 40, "Bert Beta": 78, "Cees Gamma": 0}),
             "confirmed_by": "J. de Vries"}  # fmt: skip
    response = await client.post(f"/api/ballots/{second['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == 200, response.text
    assert (
        response.json()["result"]["minutes"]
        == "gekozen: Bert Beta met 66,10% van de stemmen (met de hand geteld)"
    )
    await replayed(client, tokens, meeting_id)


async def test_a_tied_run_off_counted_by_hand_is_decided_by_lot(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    """Three rounds counted by hand: no majority, then Anna and Bert to the run-off, where they
    tie; the lot drawn in the hall elects Bert. The log replays without a problem."""

    async def counted(ballot: dict[str, Any], votes: dict[str, int], abstain: int = 0) -> dict[str, Any]:
        body = {"candidates": by_name(ballot, votes), "abstain": abstain, "confirmed_by": "J. de Vries"}
        answer = await client.post(
            f"/api/ballots/{ballot['id']}/hand-count", json=body, headers=chair(tokens)
        )
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()["result"]
        return result

    async def following(ballot: dict[str, Any]) -> dict[str, Any]:
        answer = await client.post(f"/api/ballots/{ballot['id']}/next-round", headers=chair(tokens))
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return body

    first = await election(client, tokens, meeting_id)
    assert (await counted(first, {"Anna Alfa": 50, "Bert Beta": 40, "Cees Gamma": 28}))[
        "outcome"
    ] == "next_round"
    second = await following(first)
    result = await counted(second, {"Anna Alfa": 50, "Bert Beta": 45, "Cees Gamma": 23})
    assert result["minutes"] == (
        "geen kandidaat heeft de volstrekte meerderheid; herstemming tussen Anna Alfa en Bert Beta (met de hand geteld)"
    )
    runoff = await following(second)
    assert [c["name"] for c in runoff["candidates"]] == ["Anna Alfa", "Bert Beta"]
    result = await counted(runoff, {"Anna Alfa": 58, "Bert Beta": 58}, abstain=2)
    assert (result["outcome"], result["minutes"]) == (
        "lot",
        "de stemmen staken; het lot beslist (met de hand geteld)",
    )
    bert = next(c["id"] for c in runoff["candidates"] if c["name"] == "Bert Beta")
    drawn = await client.post(
        f"/api/ballots/{runoff['id']}/lot", json={"candidate": bert}, headers=chair(tokens)
    )
    assert drawn.status_code == 200, drawn.text
    result = drawn.json()["result"]
    assert (result["outcome"], result["minutes"]) == (
        "elected",
        "gekozen bij loting: Bert Beta (met de hand geteld)",
    )
    assert result["election"]["members_voted"] is None
    state = await replayed(client, tokens, meeting_id)
    assert state.ballots[runoff["id"]].outcome == "elected"


async def test_the_vote_on_a_single_candidate_is_counted_by_hand_for_and_against(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="1", title="Voorzitter", kind="benoeming",
                                 candidates=[{"name": "Dirk Delta"}])  # fmt: skip
    count = {"for": 75, "against": 42, "abstain": 1, "confirmed_by": "J. de Vries"}
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=count, headers=chair(tokens))
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert (result["outcome"], result["for"], result["against"], result["percent_for"]) == (
        "elected", 75, 42, "64.10",
    )  # fmt: skip
    assert result["minutes"] == "gekozen: Dirk Delta met 64,10% van de stemmen vóór (met de hand geteld)"
    await replayed(client, tokens, meeting_id)


@pytest.mark.parametrize(
    "count",
    [
        {"candidates": {"Anna Alfa": 75, "Bert Beta": 42}},  # Cees is missing
        {"candidates": {"Anna Alfa": 75, "Bert Beta": 42, "Cees Gamma": 0}, "extra": 99},  # a stranger
        {"candidates": {"Anna Alfa": 75, "Bert Beta": 42, "Cees Gamma": 0}, "twice": "Anna Alfa"},
        {"outcome": "adopted"},
        {"for": 75, "against": 42},
        {"candidates": {"Anna Alfa": 75, "Bert Beta": 42, "Cees Gamma": 2}},  # 119 of the 118 present
    ],
    ids=["missing", "stranger", "twice", "outcome", "for-against", "too-many"],
)
async def test_an_election_counted_by_hand_that_cannot_be_right_is_refused(
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
    database: Database,
    meeting_id: int,
    count: dict[str, Any],
) -> None:
    ballot = await election(client, tokens, meeting_id)
    body: dict[str, Any] = {"confirmed_by": "J. de Vries"}
    if "candidates" in count:
        body["candidates"] = by_name(ballot, count["candidates"])
        if "extra" in count:
            body["candidates"].append({"id": max(c["id"] for c in ballot["candidates"]) + 100, "votes": 0})
        if "twice" in count:
            body["candidates"].append(by_name(ballot, {count["twice"]: 0})[0])
    else:
        body |= count
    response = await client.post(f"/api/ballots/{ballot['id']}/hand-count", json=body, headers=chair(tokens))
    assert (response.status_code, response.json()["error"]) == (422, "invalid_count"), response.text
    assert (await get(client, tokens, ballot["id"]))["status"] == "draft"
    assert await log_of(database, meeting_id, "ballot_counted_by_hand") == []


# Aantekening, out of order, preadvies


async def test_dissent_from_an_acclamation_is_noted_by_name(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    early = await client.post(
        f"/api/ballots/{ballot['id']}/dissent", json={"members": []}, headers=chair(tokens)
    )
    assert early.status_code == 409 and early.json()["error"] == "not_acclamation"
    await ballot_action(client, tokens, ballot["id"], "acclamation")
    unknown = await client.post(
        f"/api/ballots/{ballot['id']}/dissent", json={"members": ["GM9999"]}, headers=chair(tokens)
    )
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_member"
    absent = await client.post(
        f"/api/ballots/{ballot['id']}/dissent", json={"members": ["GM0004"]}, headers=chair(tokens)
    )
    assert absent.status_code == 422 and absent.json()["error"] == "member_not_present"
    response = await client.post(
        f"/api/ballots/{ballot['id']}/dissent", json={"members": ["GM0002", "GM0003"]}, headers=chair(tokens)
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["dissent"] == ["GM0002", "GM0003"]
    names = await client.get(f"/api/meetings/{meeting_id}/members", headers=chair(tokens))
    by_code = {m["code"]: m["name"] for m in names.json()}
    assert result["minutes"] == (
        f"bij acclamatie aangenomen; {by_code['GM0002']} en {by_code['GM0003']} "
        "wensen geacht te worden tegen te hebben gestemd"
    )
    [entry] = await log_of(database, meeting_id, "ballot_dissent")
    assert entry["members"] == ["GM0002", "GM0003"]
    assert (await feed(client))["decisions"][0]["minutes"]["nl"] == result["minutes"]


@pytest.mark.parametrize(("kind", "status"), [("motie", 200), ("amendement", 200), ("voorstel", 422)])
async def test_a_motion_or_amendment_is_declared_out_of_order(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, kind: str, status: int
) -> None:
    fields: dict[str, object] = {"kind": kind, "agenda": "2"}
    if kind == "amendement":
        fields["amends"] = (await create_ballot(client, tokens, meeting_id, agenda="2"))["id"]
    ballot = await create_ballot(client, tokens, meeting_id, **fields)
    response = await ballot_action(client, tokens, ballot["id"], "out-of-order")
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["status"] == "out_of_order"
        assert response.json()["result"]["minutes"] == "buiten de orde verklaard"


@pytest.mark.parametrize(
    "preadvies", ["overnemen", "aanhouden", "ontraden", "oordeel_vergadering", "buiten_de_orde"]
)
async def test_every_preadvies_is_kept_on_motions_and_amendments(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, preadvies: str
) -> None:
    proposal = await create_ballot(client, tokens, meeting_id, agenda="2")
    motion = await create_ballot(client, tokens, meeting_id, agenda="2", kind="motie", preadvies=preadvies)
    amendment = await create_ballot(
        client, tokens, meeting_id, agenda="2", kind="amendement", amends=proposal["id"], preadvies=preadvies
    )
    for ballot in (motion, amendment):
        assert (await get(client, tokens, ballot["id"]))["preadvies"] == preadvies
    await ballot_action(client, tokens, amendment["id"], "open")
    assert (await feed(client))["ballot"]["preadvies"] == preadvies


async def test_a_motion_not_on_the_agenda_comes_last(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    stray = await create_ballot(client, tokens, meeting_id, agenda="1", kind="motie", off_agenda=True)
    later = await create_ballot(client, tokens, meeting_id, agenda="3", kind="resolutie")
    listed = (await client.get(f"/api/meetings/{meeting_id}/ballots", headers=chair(tokens))).json()
    assert [b["id"] for b in listed] == [later["id"], stray["id"]]
    assert listed[1]["off_agenda"] is True


# The order within an agenda item (SPEC 2.8)


async def test_a_motion_before_its_proposal_needs_an_explicit_override(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    proposal = await create_ballot(client, tokens, meeting_id, agenda="2", title="Jaarverslag")
    motion = await create_ballot(client, tokens, meeting_id, agenda="2", kind="motie", title="Motie")
    refused = await ballot_action(client, tokens, motion["id"], "open")
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "agenda_order"
    assert body["ballots"] == [
        {"id": proposal["id"], "agenda": "2", "title": "Jaarverslag", "kind": "voorstel"}
    ]
    response = await client.post(
        f"/api/ballots/{motion['id']}/open", json={"override_order": True}, headers=chair(tokens)
    )
    assert response.status_code == 200, response.text
    opened = await log_of(database, meeting_id, "ballot_opened")
    assert opened[-1]["override_order"] == [proposal["id"]]
    assert opened[-1]["operator"]["label"] == CHAIR_LABEL


async def test_the_order_does_not_hold_across_items_or_for_test_ballots(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    await create_ballot(client, tokens, meeting_id, agenda="2", title="Jaarverslag")
    other_item = await create_ballot(client, tokens, meeting_id, agenda="3", kind="motie")
    test = await create_ballot(client, tokens, meeting_id, agenda="2", kind="motie", test=True)
    for ballot in (test, other_item):
        assert (await ballot_action(client, tokens, ballot["id"], "open")).status_code == 200
        await ballot_action(client, tokens, ballot["id"], "close")
    assert all("override_order" not in e for e in await log_of(database, meeting_id, "ballot_opened"))


# The end of the meeting (SPEC 2.11)


async def test_closing_names_the_undecided_ballots_until_confirmed(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    decided = await create_ballot(client, tokens, meeting_id, agenda="2", title="Jaarverslag")
    await ballot_action(client, tokens, decided["id"], "acclamation")
    left = await create_ballot(client, tokens, meeting_id, agenda="3", kind="resolutie", title="Resolutie")
    await create_ballot(client, tokens, meeting_id, agenda="3", test=True)  # a test ballot is no decision

    refused = await client.post(f"/api/meetings/{meeting_id}/close", headers=chair(tokens))
    assert refused.status_code == 409
    assert refused.json()["error"] == "undecided_ballots"
    assert refused.json()["ballots"] == [
        {"id": left["id"], "agenda": "3", "title": "Resolutie", "kind": "resolutie"}
    ]
    assert "3 'Resolutie'" in refused.json()["detail"]

    response = await client.post(
        f"/api/meetings/{meeting_id}/close", json={"confirm": True}, headers=chair(tokens)
    )
    assert response.status_code == 200, response.text
    closed = response.json()
    assert closed["status"] == "closed"
    async with database.transaction(readonly=True) as session:
        last = (
            await session.execute(
                select(LogEntry.seq, LogEntry.hash, LogEntry.body)
                .where(LogEntry.chain == meeting_id)
                .order_by(LogEntry.seq.desc())
                .limit(1)
            )
        ).one()
    assert (closed["close_seq"], closed["close_hash"]) == (last.seq, last.hash)
    assert orjson.loads(last.body)["data"]["not_decided"] == [left["id"]]
    undecided = await get(client, tokens, left["id"])
    assert undecided["status"] == "not_decided"
    assert undecided["result"]["minutes"] == "niet in stemming gebracht"

    shown = await feed(client)
    assert shown["meeting"]["status"] == "closed"
    assert [d["outcome"] for d in shown["decisions"]] == ["acclamation", "not_decided"]
    assert shown["ballot"]["id"] == decided["id"]  # the last decision, not the undecided one


async def test_an_open_ballot_blocks_closing_even_with_confirm(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    await ballot_action(client, tokens, ballot["id"], "open")
    response = await client.post(
        f"/api/meetings/{meeting_id}/close", json={"confirm": True}, headers=chair(tokens)
    )
    assert response.status_code == 409 and response.json()["error"] == "ballot_open"
    assert (await feed(client))["meeting"]["status"] == "open"


async def test_nothing_is_corrected_after_the_meeting_closed(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    await ballot_action(client, tokens, ballot["id"], "open")
    await store_votes(database, ballot["id"], {"GM0001": "for"})
    await ballot_action(client, tokens, ballot["id"], "close")
    assert (await client.post(f"/api/meetings/{meeting_id}/close", headers=chair(tokens))).status_code == 200
    void = await client.post(f"/api/ballots/{ballot['id']}/void", json={"reason": "x"}, headers=chair(tokens))
    assert void.status_code == 409 and void.json()["error"] == "meeting_closed"
    create = await client.post(
        f"/api/meetings/{meeting_id}/ballots", json={"agenda": "2", "title": "X", "kind": "voorstel"},
        headers=chair(tokens),
    )  # fmt: skip
    assert create.status_code == 409


# What the chair puts on the screens besides ballots


async def test_the_chair_puts_up_an_agenda_item_without_a_vote(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    path = f"/api/meetings/{meeting_id}/current-item"
    response = await client.post(path, json={"agenda": "1"}, headers=chair(tokens))
    assert response.status_code == 200, response.text
    assert response.json()["current_item"] == "1"
    assert (await feed(client))["current_item"] == {"number": "1", "title": "Opening"}
    unknown = await client.post(path, json={"agenda": "9"}, headers=chair(tokens))
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_agenda_item"
    assert (await client.post(path, json={"agenda": None}, headers=chair(tokens))).status_code == 200
    assert (await feed(client))["current_item"] is None
    assert [e["agenda"] for e in await log_of(database, meeting_id, "current_item")] == ["1", None]


async def test_a_countdown_runs_on_an_open_ballot_only(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    from datetime import UTC, datetime, timedelta

    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    path = f"/api/ballots/{ballot['id']}/countdown"
    early = await client.post(path, json={"seconds": 30}, headers=chair(tokens))
    assert early.status_code == 409 and early.json()["error"] == "ballot_not_open"
    await ballot_action(client, tokens, ballot["id"], "open")
    before = datetime.now(UTC)
    assert (await client.post(path, json={"seconds": 30}, headers=chair(tokens))).status_code == 200
    ends = datetime.fromisoformat((await feed(client))["ballot"]["countdown_ends_at"])
    assert before + timedelta(seconds=29) <= ends <= datetime.now(UTC) + timedelta(seconds=30)
    too_long = await client.post(path, json={"seconds": 3600}, headers=chair(tokens))
    assert too_long.status_code == 422
    assert (await client.post(path, json={"seconds": 0}, headers=chair(tokens))).status_code == 200
    assert (await feed(client))["ballot"]["countdown_ends_at"] is None
    await client.post(path, json={"seconds": 30}, headers=chair(tokens))
    await ballot_action(client, tokens, ballot["id"], "close")
    assert (await feed(client))["ballot"]["countdown_ends_at"] is None  # only while open
