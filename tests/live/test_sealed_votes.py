"""A secret ballot end to end on a real server (SPEC 2.9, docs/SECRET_BALLOTS.md): the committee's
key, kiosks voting with secrets, the close into unit ballots, the release, and what no message
may carry (a choice or a secret) on the kiosk socket, the feed and the Redis fan-out."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from server.audit.verify import main as verify
from server.auth.roles import Role
from server.ballots.models import BallotKey, SealedVote, UnitBallot, Vote, VoteEvent
from server.db import Database
from server.secret.keys import write_committee_key
from server.secret.sealing import new_secret
from server.secret.units import unit_receipts
from tests.live.conftest import seed_hall
from tests.live.secret_hall import SecretHall, bearer, fan_out_env, listen, secret_hall, vote  # noqa: F401 - the fixture
from tests.servers import ServerProcess, require_redis


def no_secret_in(text: str, secrets: list[str], choice_words: bool = True) -> None:
    for secret in secrets:
        assert secret not in text
    if choice_words:
        assert '"for"' not in text and '"against"' not in text and '"abstain"' not in text, text


async def test_a_secret_ballot_from_the_kiosks_to_the_verified_units(
    secret_hall: SecretHall,  # noqa: F811 - the fixture imported above
    database: Database,
    tmp_path: Path,
) -> None:
    hall, seeded = secret_hall, secret_hall.seeded
    async with hall.client() as client:
        shown = (
            await client.get(f"/api/meetings/{seeded.meeting_id}", headers=bearer(seeded, Role.CHAIR))
        ).json()
    fingerprint = hall.committee.fingerprint
    # The served process may hold a ballot key: it allows no core dumps (DESIGN.md).
    assert hall.server.process is not None
    limits = await asyncio.to_thread(Path(f"/proc/{hall.server.process.pid}/limits").read_text)
    assert next(line for line in limits.splitlines() if line.startswith("Max core file size")).split()[4:6] == [
        "0", "0",
    ]  # fmt: skip
    assert shown["committee_fingerprint"] == " ".join(fingerprint[i : i + 4] for i in range(0, 64, 4))

    heard: list[bytes] = []
    ready = asyncio.Event()
    listener = asyncio.create_task(listen(hall.server.env["VOTEHALL_REDIS_CHANNEL"], heard, ready))
    await ready.wait()
    ballot = await hall.secret_ballot()

    secrets = {code: new_secret() for code in ("GM0001", "GM0002", "GM0003", "GM0004")}
    k1, _ = await hall.kiosk("GM0001")
    k2, _ = await hall.kiosk("GM0002")
    k3, _ = await hall.kiosk("GM0003")
    k4, _ = await hall.kiosk("GM0004")
    texts: list[str] = []

    first = await vote(k1, ballot, "for", "a-1", secrets["GM0001"])
    assert (first["type"], first["choice"]) == ("ack", None)
    # A change with the same secret is taken; the ack still says no choice.
    changed = await vote(k1, ballot, "against", "a-2", secrets["GM0001"])
    assert (changed["type"], changed["choice"]) == ("ack", None)
    # A resend answers the same ack (the ballot is compared: there is no choice to compare).
    assert await vote(k1, ballot, "against", "a-2", secrets["GM0001"]) == changed
    ack = await vote(k2, ballot, "for", "b-1", secrets["GM0002"])
    assert ack["type"] == "ack" and await vote(k2, ballot, "for", "b-1", secrets["GM0002"]) == ack
    texts += [json.dumps(first), json.dumps(changed), json.dumps(ack)]
    # A change with another secret is refused: the handheld that lost its secret cannot change.
    refused = await vote(k2, ballot, "against", "b-2", new_secret())
    assert (refused["type"], refused["code"]) == ("error", "change_not_allowed")
    assert refused["message"] == "a change of vote needs the same secret"
    # Another member's secret is refused; so is a vote without a secret, and one on a public ballot.
    assert (await vote(k4, ballot, "for", "d-1", secrets["GM0004"]))["type"] == "ack"
    reused = await vote(k3, ballot, "for", "c-1", secrets["GM0004"])
    assert (reused["type"], reused["code"]) == ("error", "bad_message")
    bare = await vote(k3, ballot, "for", "c-2", None)
    assert (bare["type"], bare["code"]) == ("error", "bad_message")
    assert (await vote(k3, ballot, "abstain", "c-3", secrets["GM0003"]))["type"] == "ack"

    # A handheld that pairs later is told it voted, never what.
    await k2.close()
    k2, welcome = await hall.kiosk("GM0002")
    assert (welcome["vote"], welcome["voted"]) == (None, True)
    texts.append(json.dumps(welcome))

    feed = await hall.feed()
    assert feed["ballot"]["tally"] is None and feed["ballot"]["voted"] == {"members": 4, "weight": 193}
    chair_view = await hall.ballot(ballot)
    assert chair_view["tally"] is None  # not even the chair while open
    texts += [json.dumps(feed), json.dumps(chair_view)]

    closed = await hall.post(f"/api/ballots/{ballot}/close")
    assert closed.status_code == 200, closed.text
    # GM0001 75 against, GM0002 42 for, GM0003 1 abstain, GM0004 75 for: 117 of 192 cast.
    assert {k: closed.json()["result"][k] for k in ("for", "against", "abstain", "members_voted", "outcome")} == {
        "for": 117, "against": 75, "abstain": 1, "members_voted": 4, "outcome": "adopted",
    }  # fmt: skip
    public = (await hall.feed())["ballot"]
    assert (public["status"], public["tally"], public["outcome"], public["released"]) == (
        "closed",
        None,
        None,
        False,
    )
    assert all(d["ballot"] != ballot for d in (await hall.feed())["decisions"])
    released = await hall.post(f"/api/ballots/{ballot}/release")
    assert released.status_code == 200, released.text
    public = (await hall.feed())["ballot"]
    assert (public["outcome"], public["released"], public["tally"]["for"]) == ("adopted", True, 117)
    again = await hall.post(f"/api/ballots/{ballot}/release")
    assert (again.status_code, again.json()["error"]) == (409, "already_released")

    # The units in the database are the independent computation from the secrets and weights.
    weights = seeded.weights
    choices = {"GM0001": "against", "GM0002": "for", "GM0003": "abstain", "GM0004": "for"}
    expected = sorted(
        (receipt, choices[code])
        for code, secret in secrets.items()
        for receipt in unit_receipts(secret, ballot, weights[code])
    )
    async with database.transaction(readonly=True) as session:
        units = (
            await session.execute(
                select(UnitBallot.receipt, UnitBallot.choice)
                .where(UnitBallot.ballot_id == ballot)
                .order_by(UnitBallot.id)
            )
        ).all()
        assert [tuple(u) for u in units] == expected
        assert await session.scalar(select(func.count()).select_from(SealedVote)) == 0
        assert await session.scalar(select(func.count()).select_from(BallotKey)) == 0
        stored = (await session.execute(select(Vote.choice).where(Vote.ballot_id == ballot))).scalars().all()
        assert sorted(stored) == ["sealed"] * 4
        events = (
            await session.execute(select(VoteEvent.choice).where(VoteEvent.ballot_id == ballot))
        ).scalars()
        assert set(events) == {"sealed"}
    assert Counter(c for _, c in expected) == {"for": 117, "against": 75, "abstain": 1}

    # What went through Redis while the ballot was open: participations, never a choice or secret.
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    fanned = [json.loads(raw) for raw in heard]
    votes = [v for message in fanned if message.get("k") == "v" for v in message["v"]]
    assert len(votes) == 5 and all(v[2] is None for v in votes)
    for text in [raw.decode() for raw in heard] + texts:
        no_secret_in(text, list(secrets.values()), choice_words=False)
    assert all(v[2] is None for v in votes)
    for text in texts[:4]:  # the acks and the welcome: no choice word at all
        no_secret_in(text, list(secrets.values()))

    # The exported log verifies with no problem, and every member finds its own units.
    async with hall.client() as client:
        log = (
            await client.get(f"/api/meetings/{seeded.meeting_id}/audit", headers=bearer(seeded, Role.ADMIN))
        ).text
    no_secret_in(log.split('"ballot_units"')[0], list(secrets.values()), choice_words=False)
    path = tmp_path / "audit.ndjson"
    path.write_text(log, encoding="utf-8")
    own = [f"--secret=VH1:{ballot}:{code}:{secret}" for code, secret in secrets.items()]
    out, err = io.StringIO(), io.StringIO()
    assert (
        verify([str(path), *own, "--committee-key", str(hall.committee.public_path)], out=out, err=err) == 0
    ), out.getvalue() + err.getvalue()
    wrong = f"--secret=VH1:{ballot}:GM0005:{new_secret()}"
    assert verify([str(path), wrong], out=io.StringIO(), err=io.StringIO()) == 1
    for kiosk in (k1, k2, k3, k4):
        await kiosk.close()


async def test_a_restart_keeps_the_votes_and_the_committee_unlocks_the_close(
    secret_hall: SecretHall,  # noqa: F811 - the fixture imported above
    database: Database,
    tmp_path: Path,
) -> None:
    hall, seeded = secret_hall, secret_hall.seeded
    ballot = await hall.secret_ballot()
    secrets = {code: new_secret() for code in ("GM0001", "GM0002", "GM0003", "GM0004")}
    k1, _ = await hall.kiosk("GM0001")
    assert (await vote(k1, ballot, "for", "r-1", secrets["GM0001"]))["type"] == "ack"
    hall.server.kill()  # SIGKILL: the ballot's key is gone with the process
    hall.server.start()
    k2, _ = await hall.kiosk("GM0002")
    assert (await vote(k2, ballot, "against", "r-2", secrets["GM0002"]))["type"] == "ack"
    k1, welcome = await hall.kiosk("GM0001")
    assert (welcome["vote"], welcome["voted"]) == (None, True)
    refused = await hall.post(f"/api/ballots/{ballot}/close")
    assert (refused.status_code, refused.json()["error"]) == (409, "committee_unlock_needed")

    # A graceful restart too: the key lives in memory only.
    assert hall.server.terminate() == 0
    hall.server.start()
    k3, _ = await hall.kiosk("GM0003")
    assert (await vote(k3, ballot, "for", "r-3", secrets["GM0003"]))["type"] == "ack"
    refused = await hall.post(f"/api/ballots/{ballot}/close")
    assert (refused.status_code, refused.json()["error"]) == (409, "committee_unlock_needed")

    # A key that is not the ballot's is refused.
    wrong = await hall.post(f"/api/ballots/{ballot}/unlock", ballot_key="A" * 43 + "=")
    assert (wrong.status_code, wrong.json()["error"]) == (422, "wrong_ballot_key")
    # The committee unlocks from its own machine: only the ballot's key travels.
    unlocked = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable, "-m", "server", "committee", "unlock", "--ballot", str(ballot),
            "--key", str(hall.committee.private_path), "--url", hall.server.base,
            "--token", seeded.tokens[Role.CHAIR],
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert unlocked.returncode == 0, unlocked.stdout + unlocked.stderr
    closed = await hall.post(f"/api/ballots/{ballot}/close")
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    # Every acked vote once: GM0001 75 for, GM0002 42 against, GM0003 1 for.
    assert (result["for"], result["against"], result["members_voted"]) == (76, 42, 3)
    async with hall.client() as client:
        log = (
            await client.get(f"/api/meetings/{seeded.meeting_id}/audit", headers=bearer(seeded, Role.ADMIN))
        ).text
    assert '"ballot_unlocked"' in log
    path = tmp_path / "audit.ndjson"
    path.write_text(log, encoding="utf-8")
    own = [f"--secret=VH1:{ballot}:{code}:{secrets[code]}" for code in ("GM0001", "GM0002", "GM0003")]
    out, err = io.StringIO(), io.StringIO()
    assert verify([str(path), *own], out=out, err=err) == 0, out.getvalue() + err.getvalue()
    for kiosk in (k1, k2, k3):
        await kiosk.close()


async def test_a_void_destroys_the_sealed_votes_unopened(
    secret_hall: SecretHall,  # noqa: F811 - the fixture imported above
    database: Database,
) -> None:
    hall = secret_hall
    ballot = await hall.secret_ballot()
    k1, _ = await hall.kiosk("GM0001")
    assert (await vote(k1, ballot, "for", "v-1", new_secret()))["type"] == "ack"
    async with database.transaction(readonly=True) as session:
        assert await session.scalar(select(func.count()).select_from(SealedVote)) == 1
        assert await session.scalar(select(func.count()).select_from(BallotKey)) == 1
    voided = await hall.post(f"/api/ballots/{ballot}/void", reason="de commissie kan niet komen")
    assert voided.status_code == 200, voided.text
    async with database.transaction(readonly=True) as session:
        assert await session.scalar(select(func.count()).select_from(SealedVote)) == 0
        assert await session.scalar(select(func.count()).select_from(BallotKey)) == 0
        assert await session.scalar(select(func.count()).select_from(UnitBallot)) == 0
    await k1.close()


async def test_the_committee_key_is_refused_when_wrong_or_too_late(
    secret_hall: SecretHall,  # noqa: F811 - the fixture imported above
) -> None:
    hall, meeting = secret_hall, secret_hall.seeded.meeting_id
    url = f"/api/meetings/{meeting}/committee-key"
    private = hall.committee.private_path.read_text()
    as_chair = await hall.post(url, Role.CHAIR, public_key=hall.committee.public_path.read_text())
    assert as_chair.status_code == 403
    leaked = await hall.post(url, Role.ADMIN, public_key=private)
    assert (leaked.status_code, leaked.json()["error"]) == (422, "bad_key")
    assert "PRIVATE" in leaked.json()["detail"]
    garbled = await hall.post(url, Role.ADMIN, public_key="votehall-committee-pub-v1 abc")
    assert (garbled.status_code, garbled.json()["error"]) == (422, "bad_key")
    # Until a secret ballot opens the key may be replaced; from then on not.
    replaced = await hall.post(url, Role.ADMIN, public_key=hall.committee.public_path.read_text())
    assert replaced.status_code == 200
    await hall.secret_ballot()
    late = await hall.post(url, Role.ADMIN, public_key=hall.committee.public_path.read_text())
    assert (late.status_code, late.json()["error"]) == (409, "committee_key_in_use")


async def test_a_secret_election_and_a_secret_single_candidate_vote(
    secret_hall: SecretHall,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    hall, seeded = secret_hall, secret_hall.seeded
    candidates = [{"name": "Anna Alfa"}, {"name": "Bert Beta"}]
    election = await hall.secret_ballot(title="Voorzitter", candidates=candidates)
    anna, bert = (c["id"] for c in (await hall.ballot(election))["candidates"])
    secrets = {code: new_secret() for code in ("GM0001", "GM0002", "GM0003", "GM0004")}
    kiosks = {code: (await hall.kiosk(code))[0] for code in secrets}
    word = await vote(kiosks["GM0001"], election, "for", "e-0", secrets["GM0001"])
    assert (word["type"], word["code"]) == ("error", "bad_message")  # a candidate or abstain
    stranger = await vote(kiosks["GM0001"], election, 99_999, "e-00", secrets["GM0001"])
    assert (stranger["type"], stranger["code"]) == ("error", "bad_message")
    picks = {"GM0001": anna, "GM0002": bert, "GM0003": "abstain", "GM0004": anna}
    for code, pick in picks.items():
        answer = await vote(kiosks[code], election, pick, f"e-{code}", secrets[code])
        assert (answer["type"], answer["choice"]) == ("ack", None)
    closed = await hall.post(f"/api/ballots/{election}/close")
    assert closed.status_code == 200, closed.text
    assert (await hall.ballot(election))["status"] == "closed"

    single = await hall.secret_ballot(title="Penningmeester", candidates=[{"name": "Dirk Delta"}])
    yes_no = {"GM0001": "against", "GM0002": "for", "GM0004": "for"}
    for code, choice in yes_no.items():
        answer = await vote(kiosks[code], single, choice, f"s-{code}", secrets[code])
        assert (answer["type"], answer["choice"]) == ("ack", None)
    closed = await hall.post(f"/api/ballots/{single}/close")
    assert closed.status_code == 200, closed.text
    # A single-candidate vote is a yes/no vote: elected is adopted (117 of 192).
    assert (closed.json()["result"]["outcome"], closed.json()["result"]["for"]) == ("adopted", 117)

    async with hall.client() as client:
        log = (
            await client.get(f"/api/meetings/{seeded.meeting_id}/audit", headers=bearer(seeded, Role.ADMIN))
        ).text
    closes = {
        entry["data"]["ballot"]: entry["data"]["result"]
        for entry in map(json.loads, log.splitlines())
        if entry["type"] == "ballot_closed"
    }
    assert closes[election]["outcome"] == "elected" and closes[election]["elected"] == anna
    assert [(c["id"], c["votes"], c["members"]) for c in closes[election]["candidates"]] == [
        (anna, 150, None), (bert, 42, None),
    ]  # fmt: skip
    assert (closes[single]["outcome"], closes[single]["against"], closes[single]["members_voted"]) == (
        "elected", 75, 3,
    )  # fmt: skip
    path = tmp_path / "audit.ndjson"
    path.write_text(log, encoding="utf-8")
    own = [f"--secret=VH1:{election}:{code}:{secret}" for code, secret in secrets.items()]
    out, err = io.StringIO(), io.StringIO()
    assert verify([str(path), *own], out=out, err=err) == 0, out.getvalue() + err.getvalue()
    for kiosk in kiosks.values():
        await kiosk.close()


@pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)  # several processes
async def test_a_close_on_the_process_without_the_key_is_done_by_the_holder(
    database: Database, tmp_path: Path
) -> None:
    await require_redis()
    seeded, _ = await seed_hall(database)
    env = fan_out_env()
    holder, other = ServerProcess(database.url, env=env), ServerProcess(database.url, env=env)
    holder.start()
    other.start()
    try:
        hall = SecretHall(holder, seeded, write_committee_key(tmp_path / "committee"))
        answer = await hall.post(
            f"/api/meetings/{seeded.meeting_id}/committee-key",
            Role.ADMIN,
            public_key=hall.committee.public_path.read_text(),
        )
        assert answer.status_code == 200, answer.text
        ballot = await hall.secret_ballot()  # opened on `holder`, which keeps the key
        k1, _ = await hall.kiosk("GM0001")
        assert (await vote(k1, ballot, "for", "f-1", new_secret()))["type"] == "ack"
        await asyncio.sleep(0.5)  # the other process has heard of the open ballot
        async with httpx.AsyncClient(base_url=other.base, timeout=30) as client:
            closed = await client.post(f"/api/ballots/{ballot}/close", headers=bearer(seeded, Role.CHAIR))
        assert closed.status_code == 200, closed.text
        assert (closed.json()["status"], closed.json()["result"]["for"]) == ("closed", 75)
        await k1.close()
    finally:
        holder.stop()
        other.stop()
