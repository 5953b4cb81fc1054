from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from server.audit.models import LogHead
from server.auth.roles import Role
from server.ballots.models import Vote
from server.db import Database
from server.register.models import Member
from tests.factories import (
    REGISTER_WEIGHTS,
    ballot_action,
    bearer,
    create_ballot,
    create_meeting,
    import_register,
    open_meeting,
)

AGENDA = [
    {"number": "1", "title": "Opening"},
    {"number": "2", "title": "Jaarverslag", "decision": True, "kind": "voorstel"},
    {"number": "3", "title": "Resolutie Jeugd", "decision": True, "kind": "resolutie"},
]


@pytest.fixture
async def meeting_id(client: httpx.AsyncClient, tokens: dict[Role, str]) -> int:
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens, agenda=AGENDA)
    await open_meeting(client, tokens, meeting_id)
    return meeting_id


async def store_votes(database: Database, ballot_id: object, choices: dict[str, str]) -> None:
    """Votes written straight into the table; the kiosk path that writes them comes with live voting."""
    async with database.transaction() as session:
        members = {m.cbs_code: m.id for m in (await session.scalars(select(Member))).all()}
        for code, choice in choices.items():
            session.add(
                Vote(ballot_id=ballot_id, member_id=members[code], choice=choice, vote_id=f"v-{code}")
            )


async def test_lifecycle_and_result(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2", title="Jaarverslag 2024")
    assert ballot["status"] == "draft"
    assert ballot["allow_change"] is True and ballot["majority"] == "simple"
    response = await ballot_action(client, tokens, ballot["id"], "open")
    assert response.json()["status"] == "open"

    # GM0001 (75) and GM0003 (1) for, GM0002 (42) against, GM0004 (75) abstains.
    await store_votes(
        database, ballot["id"], {"GM0001": "for", "GM0003": "for", "GM0002": "against", "GM0004": "abstain"}
    )
    live = (await client.get(f"/api/ballots/{ballot['id']}", headers=bearer(tokens[Role.CHAIR]))).json()
    assert live["tally"] == {
        "for": 76, "against": 42, "abstain": 75, "cast": 118, "members_voted": 4,
        "weight_voted": sum(REGISTER_WEIGHTS.values()), "percent_for": "64.41",
    }  # fmt: skip

    closed = (await ballot_action(client, tokens, ballot["id"], "close")).json()
    assert closed["status"] == "closed"
    log_hash = closed["result"].pop("log_hash")
    assert closed["result"] == {
        "outcome": "adopted", "for": 76, "against": 42, "abstain": 75, "cast": 118, "members_voted": 4,
        "percent_for": "64.41", "minutes": "aangenomen met 64,41% van de stemmen",
        "minutes_en": "adopted with 64.41% of the votes", "log_seq": closed["result"]["log_seq"],
        "counted_by_hand": False, "confirmed_by": None, "void_reason": None, "dissent": [],
        "election": None,
    }  # fmt: skip
    async with database.transaction(readonly=True) as session:
        head = await session.execute(select(LogHead.seq, LogHead.hash).where(LogHead.chain == meeting_id))
    assert tuple(head.one()) == (closed["result"]["log_seq"], log_hash)  # the close is the head


async def test_two_thirds_and_abstentions_counted(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, meeting_id: int
) -> None:
    ballot = await create_ballot(
        client, tokens, meeting_id, agenda="2", majority="two_thirds", abstain_is_cast=True
    )
    await ballot_action(client, tokens, ballot["id"], "open")
    # for 75+1 = 76, against 0, abstain 42: cast 118 with abstentions; 3*76 = 228 < 236 -> rejected.
    await store_votes(database, ballot["id"], {"GM0001": "for", "GM0003": "for", "GM0002": "abstain"})
    result = (await ballot_action(client, tokens, ballot["id"], "close")).json()["result"]
    assert (result["outcome"], result["cast"], result["percent_for"]) == ("rejected", 118, "64.41")
    assert result["minutes"] == "verworpen met 64,41% van de stemmen vóór"


async def test_no_votes_is_rejected(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    await ballot_action(client, tokens, ballot["id"], "open")
    result = (await ballot_action(client, tokens, ballot["id"], "close")).json()["result"]
    assert (result["outcome"], result["cast"], result["percent_for"]) == ("rejected", 0, None)
    assert result["minutes"] == "verworpen; er zijn geen stemmen uitgebracht"


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        (["close"], "illegal_transition"),
        (["open", "open"], "illegal_transition"),
        (["open", "acclamation"], "illegal_transition"),
        (["open", "close", "open"], "illegal_transition"),
        (["withdraw", "open"], "illegal_transition"),
        (["hold", "close"], "illegal_transition"),
        (["acclamation", "withdraw"], "illegal_transition"),
    ],
)
async def test_illegal_transitions_answer_409(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, steps: list[str], code: str
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2")
    *legal, illegal = steps
    for step in legal:
        assert (await ballot_action(client, tokens, ballot["id"], step)).status_code == 200
    before = (await client.get(f"/api/ballots/{ballot['id']}", headers=bearer(tokens[Role.CHAIR]))).json()
    response = await ballot_action(client, tokens, ballot["id"], illegal)
    assert response.status_code == 409
    assert response.json()["error"] == code
    assert response.json()["detail"]
    after = (await client.get(f"/api/ballots/{ballot['id']}", headers=bearer(tokens[Role.CHAIR]))).json()
    assert after == before


@pytest.mark.parametrize(
    ("action", "outcome"), [("acclamation", "acclamation"), ("withdraw", "withdrawn"), ("hold", "held")]
)
async def test_decisions_without_a_vote(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, action: str, outcome: str
) -> None:
    ballot = await create_ballot(
        client, tokens, meeting_id, agenda="3", kind="motie", preadvies="ontraden", submitters=["GM0002"]
    )
    answer = (await ballot_action(client, tokens, ballot["id"], action)).json()
    assert answer["status"] == outcome
    assert answer["result"]["outcome"] == outcome
    assert answer["result"]["for"] is None


async def test_test_ballot_cannot_be_decided_without_a_vote(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    ballot = await create_ballot(client, tokens, meeting_id, agenda="1", title="Proefstemming", test=True)
    response = await ballot_action(client, tokens, ballot["id"], "acclamation")
    assert (response.status_code, response.json()["error"]) == (409, "test_ballot")


async def test_one_open_ballot_per_meeting(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    first = await create_ballot(client, tokens, meeting_id, agenda="2")
    second = await create_ballot(client, tokens, meeting_id, agenda="3", kind="resolutie")
    await ballot_action(client, tokens, first["id"], "open")
    response = await ballot_action(client, tokens, second["id"], "open")
    assert (response.status_code, response.json()["error"]) == (409, "ballot_already_open")
    await ballot_action(client, tokens, first["id"], "close")
    assert (await ballot_action(client, tokens, second["id"], "open")).status_code == 200


async def test_concurrent_opens_leave_one_open(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    """The database, not the request order, holds the line: two chairs pressing at once."""
    ballots = [await create_ballot(client, tokens, meeting_id, agenda="2", title=f"B{i}") for i in range(6)]
    responses = await asyncio.gather(*(ballot_action(client, tokens, b["id"], "open") for b in ballots))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5
    listed = (
        await client.get(f"/api/meetings/{meeting_id}/ballots", headers=bearer(tokens[Role.CHAIR]))
    ).json()
    assert [b["status"] for b in listed].count("open") == 1


async def test_ballot_needs_an_open_meeting(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens)
    ballot = await create_ballot(client, tokens, meeting_id)
    response = await ballot_action(client, tokens, ballot["id"], "open")
    assert (response.status_code, response.json()["error"]) == (409, "meeting_not_open")


async def test_amendments_first_then_proposal_then_motions(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int
) -> None:
    """SPEC 2.8: within an agenda item, amendments, then the amended proposal, then motions."""
    motion = await create_ballot(
        client, tokens, meeting_id, agenda="2", kind="motie", title="Motie", preadvies="overnemen"
    )
    proposal = await create_ballot(client, tokens, meeting_id, agenda="2", title="Voorstel")
    amendment = await create_ballot(
        client,
        tokens,
        meeting_id,
        agenda="2",
        kind="amendement",
        title="Amendement",
        amends=proposal["id"],
        submitters=["GM0001", "GM0003"],
    )
    later = await create_ballot(client, tokens, meeting_id, agenda="3", kind="resolutie", title="Resolutie")
    listed = (
        await client.get(f"/api/meetings/{meeting_id}/ballots", headers=bearer(tokens[Role.CHAIR]))
    ).json()
    assert [b["id"] for b in listed] == [amendment["id"], proposal["id"], motion["id"], later["id"]]
    assert listed[0]["amends"] == proposal["id"]
    assert listed[0]["submitters"] == ["GM0001", "GM0003"]

    response = await ballot_action(client, tokens, proposal["id"], "open")
    assert (response.status_code, response.json()["error"]) == (409, "amendments_pending")
    await ballot_action(client, tokens, amendment["id"], "open")
    await ballot_action(client, tokens, amendment["id"], "close")
    assert (await ballot_action(client, tokens, proposal["id"], "open")).status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"agenda": "99"}, 422, "unknown_agenda_item"),
        ({"kind": "petitie"}, 422, "invalid_request"),
        ({"majority": "unanimous"}, 422, "invalid_request"),
        ({"kind": "voorstel", "preadvies": "ontraden"}, 422, "invalid_ballot"),
        ({"kind": "amendement"}, 422, "invalid_ballot"),
        ({"kind": "amendement", "amends": 9999}, 422, "invalid_ballot"),
        ({"kind": "motie", "submitters": ["GM9999"]}, 422, "unknown_member"),
        ({"title": ""}, 422, "invalid_request"),
        ({"show_tally": True}, 422, "invalid_request"),
    ],
)
async def test_bad_ballots_are_refused(
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
    meeting_id: int,
    fields: dict[str, object],
    status: int,
    code: str,
) -> None:
    body = {"agenda": "2", "title": "Voorstel", "kind": "voorstel"} | fields
    response = await client.post(
        f"/api/meetings/{meeting_id}/ballots", json=body, headers=bearer(tokens[Role.CHAIR])
    )
    assert (response.status_code, response.json()["error"]) == (status, code), response.text


async def test_unknown_ids_answer_404(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    chair = bearer(tokens[Role.CHAIR])
    for method, path, code in [
        ("GET", "/api/ballots/12345", "unknown_ballot"),
        ("POST", "/api/ballots/12345/open", "unknown_ballot"),
        ("GET", "/api/meetings/12345/ballots", "unknown_meeting"),
        ("POST", "/api/meetings/12345/ballots", "unknown_meeting"),
    ]:
        body = (
            {"agenda": "2", "title": "x", "kind": "voorstel"}
            if method == "POST" and "meetings" in path
            else None
        )
        response = await client.request(method, path, headers=chair, json=body)
        assert (response.status_code, response.json()["error"]) == (404, code), path


@pytest.mark.parametrize("action", ["open", "acclamation", "withdraw", "hold"])
async def test_nothing_is_decided_in_a_closed_meeting(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, action: str
) -> None:
    """A closed meeting's record may be published: a draft left over cannot change it any more."""
    ballot = await create_ballot(client, tokens, meeting_id, agenda="2", title="Vergeten motie", kind="motie")
    closed = await client.post(
        f"/api/meetings/{meeting_id}/close", json={"confirm": True}, headers=bearer(tokens[Role.CHAIR])
    )
    assert closed.status_code == 200, closed.text
    answer = await ballot_action(client, tokens, ballot["id"], action)
    assert answer.status_code == 409 and answer.json()["error"] == "meeting_closed"
    again = (await client.get(f"/api/ballots/{ballot['id']}", headers=bearer(tokens[Role.CHAIR]))).json()
    assert again["status"] == "not_decided"  # SPEC 2.11: recorded as not decided at the close
