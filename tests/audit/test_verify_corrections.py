"""`votehall verify` replays the corrections of SPEC 2.7 and 2.11 (voids, re-votes, counts by hand,
noted dissent, out of order, edited and deleted drafts, undecided ballots at the close) from the
log alone, and catches a forged correction even when every hash was recomputed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from server.auth.roles import Role
from server.auth.service import Operator
from server.ballots.corrections import count_by_hand, note_dissent, void
from server.ballots.drafts import create_ballot, delete_ballot, update_ballot
from server.ballots.schemas import BallotCreate, BallotUpdate, HandCountIn
from server.db import Database
from server.live.state import Ack
from server.meetings.service import close_meeting
from server.rules import BallotAction, BallotKind, Choice
from tests.audit.test_verify import dump, entries_of, find, rehash, run
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import Live, pass_of, start_hubs

CHAIR = Operator(role=Role.CHAIR, token_id=7, label="voorzitter")


@dataclass
class Corrected:
    live: Live
    ballots: dict[str, int] = field(default_factory=dict)
    acks: dict[str, Ack] = field(default_factory=dict)

    async def log(self) -> str:
        from server.audit.service import export_chain

        async with self.live.database.transaction(readonly=True) as session:
            chunks = [line async for line in export_chain(session, self.live.seeded.meeting_id)]
        return b"".join(chunks).decode()

    async def vote(self, code: str, ballot: int, choice: Choice, vote_id: str) -> None:
        hub = self.live.hub
        self.acks[vote_id] = await hub.vote(pass_of(hub, code), ballot, choice, vote_id)

    async def create(self, name: str, **fields: object) -> int:
        meeting = self.live.seeded.meeting_id
        data = BallotCreate.model_validate({"agenda": "1", "title": name, "kind": "voorstel", **fields})
        ballot = await self.live.operate(lambda session: create_ballot(session, meeting, data))
        self.ballots[name] = ballot.id
        return ballot.id


async def correct(live: Live) -> Corrected:
    """Weights: GM0001 75, GM0002 42, GM0003 1, GM0004 75 present; GM0005 (12) absent."""
    c = Corrected(live)
    first, motion, _test = live.seeded.ballot_ids
    meeting = live.seeded.meeting_id
    c.ballots.update(first=first, motion=motion)

    edited = await c.create("Tikfout")
    await live.operate(lambda s: update_ballot(s, edited, BallotUpdate(title="Begroting 2026"), CHAIR))
    gone = await c.create("Dubbel")
    await live.operate(lambda s: delete_ballot(s, gone, CHAIR))

    # Opened too early: voided while open, then voted again.
    await live.act(first, BallotAction.OPEN)
    await c.vote("GM0001", first, Choice.FOR, "f1")
    await live.operate(lambda s: void(s, first, "storing in de zaal", CHAIR))
    revote = await c.create("Jaarverslag", revote_of=first)
    await live.act(revote, BallotAction.OPEN)
    await c.vote("GM0001", revote, Choice.AGAINST, "r1")
    await c.vote("GM0002", revote, Choice.FOR, "r2")
    await live.act(revote, BallotAction.CLOSE)
    # Its result was shown, then found wrong: voided while it is the last, voted a third time.
    await live.operate(lambda s: void(s, revote, "verkeerde meerderheid", CHAIR))
    third = await c.create("Jaarverslag (derde)", revote_of=revote, majority="two_thirds")
    await live.act(third, BallotAction.OPEN)
    await c.vote("GM0001", third, Choice.FOR, "t1")
    await c.vote("GM0004", third, Choice.FOR, "t2")
    await c.vote("GM0002", third, Choice.AGAINST, "t3")
    await live.act(third, BallotAction.CLOSE)

    by_hand = await c.create("Met de hand", agenda="2")
    count = HandCountIn.model_validate(
        {"for": 117, "against": 76, "abstain": 0, "confirmed_by": "J. de Vries"}
    )
    await live.operate(lambda s: count_by_hand(s, by_hand, count, CHAIR))

    await live.act(motion, BallotAction.ACCLAMATION)
    await live.operate(lambda s: note_dissent(s, motion, ["GM0003"], CHAIR))
    stray = await c.create("Motie vreemd", agenda="2", kind="motie", off_agenda=True)
    await live.operate(lambda s: _act(s, stray, BallotAction.OUT_OF_ORDER))
    await c.create("Nooit behandeld", agenda="2", kind=BallotKind.RESOLUTIE.value)
    await live.operate(lambda s: close_meeting(s, meeting, confirm=True, operator=CHAIR))
    return c


async def _act(session, ballot_id: int, action: BallotAction):  # type: ignore[no-untyped-def]
    from server.ballots.lifecycle import act

    return await act(session, ballot_id, action, operator=CHAIR)


@pytest.fixture
async def corrected(database: Database) -> AsyncIterator[Corrected]:
    seeded, other = await seed_hall(database)
    hubs = await start_hubs([database])
    try:
        yield await correct(Live(database, seeded, other, hubs))
    finally:
        for hub in hubs:
            await hub.stop()


async def test_a_corrected_meeting_verifies_and_says_each_correction(
    corrected: Corrected, tmp_path: Path
) -> None:
    code, output = run(await corrected.log(), tmp_path, "--lang", "nl")  # the minutes' words
    assert code == 0, output
    b = corrected.ballots
    assert "Begroting 2026" in output and "Tikfout" not in output.split("\n", 1)[1]
    assert "Dubbel" not in output
    assert "ongeldig verklaard: storing in de zaal" in output
    assert "ongeldig verklaard: verkeerde meerderheid" in output
    assert f"herstemming van stemming {b['first']}" in output
    assert f"herstemming van stemming {b['Jaarverslag']}" in output
    # The third vote: 150 for, 42 against under two thirds: 78,13%.
    assert "aangenomen met 78,13% van de stemmen" in output
    assert "met de hand geteld: voor 117, tegen 76, onthouding 0, uitgebracht 193" in output
    assert "bevestigd door J. de Vries" in output
    assert "aangenomen met 60,62% van de stemmen (met de hand geteld)" in output
    assert "bij acclamatie aangenomen; Kleindorp wenst geacht te worden tegen te hebben gestemd" in output
    assert "buiten de orde verklaard" in output
    assert "niet in stemming gebracht" in output


async def test_a_void_moved_past_the_next_ballot_is_caught(corrected: Corrected, tmp_path: Path) -> None:
    """A forger voids the first re-vote's result only after the third vote had opened."""
    lines = entries_of(await corrected.log())
    b = corrected.ballots
    voided = lines.pop(find(lines, "ballot_voided", ballot=b["Jaarverslag"]))
    lines.insert(find(lines, "ballot_closed", ballot=b["Jaarverslag (derde)"]) + 1, voided)
    for seq, line in enumerate(lines, start=1):
        line["seq"] = seq
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert "was altered" not in output
    assert (
        f"voids ballot {b['Jaarverslag']} after ballot {b['Jaarverslag (derde)']} was opened or decided"
        in output
    )
    assert (
        f"creates ballot {b['Jaarverslag (derde)']} as a re-vote of ballot {b['Jaarverslag']}, which is not voided"
        in output
    )


async def test_a_void_without_its_reason_or_of_a_draft_is_caught(
    corrected: Corrected, tmp_path: Path
) -> None:
    lines = entries_of(await corrected.log())
    b = corrected.ballots
    lines[find(lines, "ballot_voided", ballot=b["first"])]["data"]["reason"] = " "
    code, output = run(rehash(lines), tmp_path)
    assert code == 1 and f"voids ballot {b['first']} without a reason" in output

    lines = entries_of(await corrected.log())
    lines[find(lines, "ballot_voided", ballot=b["first"])]["data"]["ballot"] = b["Tikfout"]  # still a draft
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert f"voids ballot {b['Tikfout']}, which is draft" in output


async def test_a_dropped_void_leaves_two_ballots_open(corrected: Corrected, tmp_path: Path) -> None:
    lines = entries_of(await corrected.log())
    b = corrected.ballots
    lines.pop(find(lines, "ballot_voided", ballot=b["first"]))
    for seq, line in enumerate(lines, start=1):
        line["seq"] = seq
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert f"opens ballot {b['Jaarverslag']} while ballot {b['first']} is open" in output


async def test_a_vote_after_the_void_is_caught(corrected: Corrected, tmp_path: Path) -> None:
    lines = entries_of(await corrected.log())
    b = corrected.ballots
    forged = json.loads(json.dumps(lines[find(lines, "vote", vote_id="f1")]))
    forged["data"].update(vote_id="late", member="GM0002", pass_=None)
    forged["data"]["pass"] = lines[find(lines, "vote", vote_id="r2")]["data"]["pass"]
    del forged["data"]["pass_"]
    lines.insert(find(lines, "ballot_voided", ballot=b["first"]) + 1, forged)
    for seq, line in enumerate(lines, start=1):
        line["seq"] = seq
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert f"is a vote on ballot {b['first']}, which is voided, not open" in output


async def test_a_count_by_hand_that_does_not_add_up_is_caught(corrected: Corrected, tmp_path: Path) -> None:
    lines = entries_of(await corrected.log())
    b = corrected.ballots
    lines[find(lines, "ballot_counted_by_hand", ballot=b["Met de hand"])]["data"]["result"]["against"] = 120
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert f"states a count by hand of ballot {b['Met de hand']} that does not add up" in output


async def test_an_undecided_ballot_left_out_of_the_close_is_caught(
    corrected: Corrected, tmp_path: Path
) -> None:
    lines = entries_of(await corrected.log())
    lines[find(lines, "meeting_closed")]["data"]["not_decided"] = []
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    undecided = sorted([corrected.ballots["Tikfout"], corrected.ballots["Nooit behandeld"]])
    assert f"naming [] as not decided, but the undecided ballots are {undecided}" in output


async def test_an_edit_after_the_open_is_caught(corrected: Corrected, tmp_path: Path) -> None:
    lines = entries_of(await corrected.log())
    b = corrected.ballots
    edit = json.loads(json.dumps(lines[find(lines, "ballot_edited")]))
    edit["data"]["ballot"] = {**edit["data"]["ballot"], "id": b["Jaarverslag (derde)"], "majority": "simple"}
    lines.insert(find(lines, "ballot_closed", ballot=b["Jaarverslag (derde)"]), edit)
    for seq, line in enumerate(lines, start=1):
        line["seq"] = seq
    code, output = run(dump(lines), tmp_path)  # without rehashing: the chain says it too
    assert code == 1
    assert f"edits ballot {b['Jaarverslag (derde)']}, which is open; only a draft can be edited" in output


async def test_a_count_by_hand_beyond_those_present_is_caught(corrected: Corrected, tmp_path: Path) -> None:
    from server.rules import percent_for

    lines = entries_of(await corrected.log())
    result = lines[find(lines, "ballot_counted_by_hand", ballot=corrected.ballots["Met de hand"])]["data"][
        "result"
    ]
    result.update({"for": 200, "cast": 276, "percent_for": percent_for(200, 276)})  # adds up, but 276 > 193
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert "counts 276 votes by hand" in output and "those present hold 193" in output


async def test_dissent_of_an_absent_member_is_caught(corrected: Corrected, tmp_path: Path) -> None:
    lines = entries_of(await corrected.log())
    lines[find(lines, "ballot_dissent")]["data"]["members"] = ["GM0005"]  # never checked in
    code, output = run(rehash(lines), tmp_path)
    assert code == 1 and "notes the dissent of GM0005, which has no active pass" in output


async def test_a_second_revote_of_one_voided_ballot_is_caught(corrected: Corrected, tmp_path: Path) -> None:
    lines = entries_of(await corrected.log())
    b = corrected.ballots
    created = next(
        line
        for line in lines
        if line["type"] == "ballot_created" and line["data"]["ballot"]["id"] == b["Jaarverslag (derde)"]
    )
    created["data"]["ballot"]["revote_of"] = b["first"]  # the first was voted again already
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert f"creates ballot {b['Jaarverslag (derde)']} as a second re-vote of ballot {b['first']}" in output
