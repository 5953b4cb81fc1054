"""Export of a whole meeting and its import into another database as a closed archive."""

from __future__ import annotations

import copy
import io

import orjson
import pytest
from sqlalchemy import select

from server.archive.service import import_meeting
from server.audit import entries
from server.audit.chain import check_chain, parse_line
from server.audit.models import SYSTEM_CHAIN, LogEntry
from server.audit.replay import replay
from server.audit.service import head_of
from server.audit.verify import verify
from server.ballots.drafts import create_ballot
from server.ballots.repository import candidates_of
from server.ballots.repository import of_meeting as ballot_repository_of
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.errors import IllegalTransition, InvalidInput
from server.meetings import repository as meeting_repository
from server.meetings.schemas import MeetingCreate
from server.meetings.service import create_meeting, get_meeting, open_meeting
from server.register.models import Member
from server.rules import BallotKind
from server.seed import SeedMember, add_members
from tests.archive.conftest import Original, comparable, exported, log_bytes


async def _import(database: Database, document: dict[str, object]) -> int:
    async with database.transaction() as session:
        return (await import_meeting(session, document)).id


async def test_export_holds_the_whole_meeting_and_no_secret(original: Original) -> None:
    document = await original.export()
    assert (document["format"], document["version"], document["original_id"]) == (
        "votehall-meeting",
        1,
        original.meeting_id,
    )
    assert document["meeting"]["status"] == "closed" and document["meeting"]["closed_at"]
    assert document["meeting"]["weight_rule"] == {
        "inhabitants_per_vote": 1000,
        "min_votes": 1,
        "max_votes": 75,
    }
    assert {s["code"]: s["weight"] for s in document["register"]} == {
        "GM0001": 75, "GM0002": 42, "GM0003": 1, "GM0004": 75, "GM0005": 12,
    }  # fmt: skip
    assert [item["number"] for item in document["agenda"]] == ["1", "2", "3", "4"]
    ballots = {b["id"]: b for b in document["ballots"]}
    first = ballots[original.ballots["first"]]
    assert (first["status"], first["for_weight"], first["abstain_weight"], first["outcome"]) == (
        "closed", 192, 1, "adopted",
    )  # fmt: skip
    assert first["close_hash"] and first["close_seq"]
    amendment = ballots[original.ballots["amendment"]]
    assert (amendment["amends"], amendment["status"], amendment["submitters"]) == (
        original.ballots["first"], "held", ["GM0003"],
    )  # fmt: skip
    draft = ballots[original.ballots["draft"]]
    assert (draft["status"], draft["preadvies"], draft["submitters"]) == (
        "not_decided",
        "ontraden",
        ["GM0001", "GM0002"],
    )
    assert ballots[original.ballots["motion"]]["outcome"] == "acclamation"
    current = {(v["ballot"], v["member"]): v["choice"] for v in document["votes"]}
    assert current[original.ballots["first"], "GM0002"] == "for"  # the change counts
    assert len(document["vote_events"]) == 10
    assert {p["status"] for p in document["passes"]} == {
        "meeting_closed",
        "revoked",
    }  # a hand-over; the rest ended with the meeting
    assert document["log"][0]["type"] == entries.MEETING_CREATED
    assert document["log"][-1]["type"] == entries.MEETING_CLOSED
    text = orjson.dumps(document).decode()
    assert (
        "token_hash" not in text and "pairing" not in text and "card" not in text.replace("card_issued", "")
    )


async def test_round_trip_into_a_fresh_database(original: Original, target: Database) -> None:
    first = await original.export()
    async with target.transaction() as session:
        # Ids in the target differ from the original's: the import must map them.
        other = await create_meeting(
            session, MeetingCreate(title="Andere ALV", date=first["meeting"]["date"])
        )
        await create_ballot(
            session, other.id, BallotCreate(agenda="1", title="Elders", kind=BallotKind.VOORSTEL)
        )
    new_id = await _import(target, first)
    assert new_id != original.meeting_id

    again = await exported(target, new_id)
    assert again["original_id"] == new_id
    assert [b["id"] for b in again["ballots"]] != [b["id"] for b in first["ballots"]]
    assert comparable(again) == comparable(first)

    # The chain is byte for byte the original's, with its head, and still verifies.
    assert await log_bytes(target, new_id) == await original.log()
    lines = [parse_line(line) for line in (await log_bytes(target, new_id)).decode().splitlines()]
    assert check_chain(lines) == []
    assert replay(lines).problems == []
    assert await _head(target, new_id) == (lines[-1].seq, lines[-1].hash)
    # votehall verify, strict about the form of every line, takes the archived log as the original.
    report = verify((await log_bytes(target, new_id)).decode(), out=io.StringIO())
    assert report.problems == [] and report.warnings == []
    assert verify((await original.log()).decode(), out=io.StringIO()).problems == []

    system = [parse_line(line) for line in (await log_bytes(target, SYSTEM_CHAIN)).decode().splitlines()]
    assert check_chain(system) == [] and replay(system).problems == []
    assert system[-1].entry["type"] == entries.MEETING_IMPORTED
    assert system[-1].entry["data"] == {
        "meeting": new_id,
        "original": original.meeting_id,
        "head": lines[-1].hash,
    }


async def _head(database: Database, chain: int) -> tuple[int, str] | None:
    async with database.transaction(readonly=True) as session:
        return await head_of(session, chain)


async def test_the_archive_is_closed_and_cannot_be_opened(original: Original, target: Database) -> None:
    new_id = await _import(target, await original.export())
    async with target.transaction(readonly=True) as session:
        assert (await get_meeting(session, new_id)).status == "closed"
        assert await meeting_repository.open_meeting(session) is None
    with pytest.raises(IllegalTransition):
        async with target.transaction() as session:
            await open_meeting(session, new_id)


async def test_members_missing_from_the_register_are_created(original: Original, target: Database) -> None:
    async with target.transaction() as session:
        # GM0001 is in the standing register, since renamed and grown; the others are not.
        await add_members(session, [SeedMember("GM0001", "Grootstad-Noord", 160_000)])
    new_id = await _import(target, await original.export())

    async with target.transaction(readonly=True) as session:
        members = {m.cbs_code: m for m in await session.scalars(select(Member))}
        frozen = {s.cbs_code: s for s in await meeting_repository.frozen_register(session, new_id)}
        system = (
            await session.scalars(
                select(LogEntry.body).where(LogEntry.chain == SYSTEM_CHAIN).order_by(LogEntry.seq)
            )
        ).all()
    assert set(members) == {"GM0001", "GM0002", "GM0003", "GM0004", "GM0005"}
    assert (members["GM0001"].name, members["GM0001"].population) == ("Grootstad-Noord", 160_000)
    assert (members["GM0005"].name, members["GM0005"].population) == ("Afwezig", 12_000)
    assert (frozen["GM0001"].name, frozen["GM0001"].weight, frozen["GM0001"].member_id) == (
        "Grootstad", 75, members["GM0001"].id,
    )  # fmt: skip
    created = orjson.loads(system[-2])
    assert created["type"] == entries.MEMBERS_IMPORTED
    assert [m["member"] for m in created["data"]["members"]] == ["GM0002", "GM0003", "GM0004", "GM0005"]


async def test_elections_and_their_rounds_round_trip(database: Database, target: Database) -> None:
    """Issue 14: secrecy, candidates (one withdrawn) and rounds go out and come back; a document
    written before issue 14 (without those fields) imports as public ballots without candidates."""
    from server.auth.service import COMMAND_LINE
    from server.ballots.drafts import withdraw_candidate
    from server.ballots.schemas import CandidateIn
    from server.meetings.schemas import AgendaItemIn, VacancyIn
    from server.meetings.service import close_meeting

    names = [CandidateIn(name=n, note="Aa en Hunze" if n == "Anna Alfa" else None)
             for n in ("Anna Alfa", "Bert Beta", "Cees Gamma")]  # fmt: skip
    async with database.transaction() as session:
        await add_members(session, [SeedMember("GM0001", "Aa en Hunze", 25_000)])
        item = AgendaItemIn(
            number="12", title="Vacatures", decision=True, kind=BallotKind.BENOEMING,
            vacancies=[VacancyIn(title="Voorzitter", candidates=names, secret=True),
                       VacancyIn(title="Leden van het bestuur", secret=False)],
        )  # fmt: skip
        meeting = await create_meeting(session, MeetingCreate(title="ALV", date="2026-06-18", agenda=[item]))
        first, _slate = sorted(await ballot_repository_of(session, meeting.id), key=lambda b: b.id)
        cees = (await candidates_of(session, first.id))[2]
        await withdraw_candidate(session, first.id, cees.id, COMMAND_LINE)
        await create_ballot(session, meeting.id, BallotCreate(
            agenda="12", title="Voorzitter, tweede ronde", kind=BallotKind.BENOEMING, round_of=first.id,
            round="second", candidates=names[:2], secret=True,
        ))  # fmt: skip
        await open_meeting(session, meeting.id)
        await close_meeting(session, meeting.id, confirm=True)
    document = await exported(database, meeting.id)
    ballots = document["ballots"]
    assert [(b["secret"], b["round"], [c["name"] for c in b["candidates"]]) for b in ballots] == [
        (True, "first", ["Anna Alfa", "Bert Beta"]),
        (False, None, []),
        (True, "second", ["Anna Alfa", "Bert Beta"]),
    ]
    assert ballots[2]["round_of"] == ballots[0]["id"] and document["unit_ballots"] == []
    assert ballots[0]["candidates"][0]["note"] == "Aa en Hunze"

    tampered = copy.deepcopy(document)
    tampered["ballots"][0]["candidates"][1]["name"] = "Bert Bèta"
    with pytest.raises(InvalidInput, match="candidates"):
        await _import(target, tampered)
    new_id = await _import(target, document)
    again = await exported(target, new_id)
    assert comparable(again) == comparable(document)
    assert again["ballots"][2]["round_of"] == again["ballots"][0]["id"]

    # Written before issue 14: a document without the new fields imports as public ballots.
    async with database.transaction() as session:
        plain = await create_meeting(session, MeetingCreate(title="Oude ALV", date="2025-06-18"))
        await create_ballot(
            session, plain.id, BallotCreate(agenda="1", title="Jaarverslag", kind=BallotKind.VOORSTEL)
        )
        await open_meeting(session, plain.id)
        await close_meeting(session, plain.id, confirm=True)
    old = await exported(database, plain.id)
    for ballot in old["ballots"]:
        for name in (
            "secret",
            "candidates",
            "round_of",
            "round",
            "sealing_key",
            "election_result",
            "released_at",
        ):
            del ballot[name]
    del old["unit_ballots"]
    imported = await exported(target, await _import(target, old))
    assert [(b["secret"], b["candidates"], b["round"]) for b in imported["ballots"]] == [(False, [], None)]
    assert imported["unit_ballots"] == []


async def test_the_record_settings_round_trip_and_must_agree_with_the_log(
    database: Database, target: Database
) -> None:
    """Issue 15: the population date, the signature names and publish_representatives go out and
    come back; a document that changes one of them is refused."""
    from server.errors import VoteHallError
    from server.meetings.service import close_meeting

    async with database.transaction() as session:
        await add_members(session, [SeedMember("GM0001", "Aa en Hunze", 25_000)])
        meeting = await create_meeting(session, MeetingCreate(
            title="ALV", date="2026-06-18", population_date="2025-01-01", chair_name="Anna de Wit",
            committee_members=["Henk Bosman", "Karim Bouzidi"], publish_representatives=True,
        ))  # fmt: skip
        await open_meeting(session, meeting.id)
        await close_meeting(session, meeting.id, confirm=True)
    document = await exported(database, meeting.id)
    settings = {name: document["meeting"][name] for name in ("population_date", "chair_name",
                "committee_members", "publish_representatives")}  # fmt: skip
    assert settings == {
        "population_date": "2025-01-01",
        "chair_name": "Anna de Wit",
        "committee_members": ["Henk Bosman", "Karim Bouzidi"],
        "publish_representatives": True,
    }
    tampered = copy.deepcopy(document)
    tampered["meeting"]["chair_name"] = "Iemand Anders"
    with pytest.raises(VoteHallError) as refused:
        await _import(target, tampered)
    assert refused.value.code == "inconsistent_document" and "chair_name" in str(refused.value.extra)

    new_id = await _import(target, document)
    async with target.transaction(readonly=True) as session:
        imported = await get_meeting(session, new_id)
        assert (imported.population_date.isoformat() if imported.population_date else None) == "2025-01-01"
        assert (imported.chair_name, imported.committee_members, imported.publish_representatives) == (
            "Anna de Wit", ["Henk Bosman", "Karim Bouzidi"], True,
        )  # fmt: skip
