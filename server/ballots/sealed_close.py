"""The ballot side of secret ballots (SPEC 2.9, docs/SECRET_BALLOTS.md "Keys" and "Close"): the
ballot key made at the open, the close that turns sealed votes into unit ballots, the void that
destroys them unopened, the release of a result to the public screens, and the committee's
unlock after a restart.

A close needs the ballot's private key, which lives only in the memory of the process that
opened the ballot (or the one the committee unlocked it in): `SealedKeys` (server.live.sealed).
Without it the close answers 409 `committee_unlock_needed`. The close unseals every box in
memory, in chunks on a worker thread, where it also makes, sorts and counts the units, and the
log encodes and hashes their entries there too (`bulky`): the event loop keeps the hall's screens
live (bench/secret_close.py). It writes the units sorted by receipt, deletes the sealed rows and
the wrapped key, and decides from the unit counts, all in the transaction of the close; the key
is forgotten after the commit.
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.auth.service import Operator
from server.ballots import repository, rounds
from server.ballots.models import Ballot, SealedVote, Vote
from server.ballots.models import BallotKey as BallotKeyRow
from server.errors import Conflict, InvalidInput, NotFound
from server.live.events import BallotChanged, record, take
from server.live.sealed import SealedKeys, forget_after_commit, keep_after_commit, scrub, settle
from server.meetings.models import Meeting, MeetingMember
from server.rules import (
    ABSTAIN,
    BallotAction,
    BallotStatus,
    ElectionTally,
    Majority,
    Tally,
    decide,
    decide_single,
    secret_result_data,
)
from server.secret.keys import BallotKey, read_committee_public
from server.secret.sealing import unseal
from server.secret.units import Unit, chunks, make_units
from server.secret.values import SecretChoice

if TYPE_CHECKING:
    from server.live.hub import LiveHub

OPEN_CHUNK = 500  # boxes opened per trip to the worker thread
INSERT_CHUNK = 10_000  # unit ballots per insert


class CommitteeUnlockNeeded(Conflict):
    code = "committee_unlock_needed"


def open_secret(session: AsyncSession, ballot: Ballot, meeting: Meeting, data: dict[str, object]) -> None:
    """At the open of a secret ballot: make its key pair, store the public half on the ballot and
    in `ballot_opened` (`data`), a copy of the private half sealed to the committee's key in
    `ballot_keys`; the private key itself goes into this process's memory after the commit."""
    assert meeting.committee_public_key is not None  # checked before: 409 committee_key_missing
    committee = read_committee_public(meeting.committee_public_key)
    key = BallotKey.generate()
    ballot.sealing_key = key.public_b64
    session.add(BallotKeyRow(ballot_id=ballot.id, wrapped=key.wrap(committee)))
    data["sealing_key"] = key.public_b64
    keep_after_commit(session, ballot.id, key)


def _open_chunk(
    key: BallotKey, rows: list[tuple[int, bytes]], weights: dict[int, int]
) -> list[tuple[int, SecretChoice, str]]:
    """(weight, choice, secret) of each box: on the worker thread."""
    opened = []
    for member_id, box in rows:
        choice, secret = unseal(key, box)
        opened.append((weights[member_id], choice, secret))
    return opened


async def _units(
    key: BallotKey, rows: list[tuple[int, bytes]], weights: dict[int, int], ballot_id: int
) -> list[Unit]:
    opened: list[tuple[int, SecretChoice, str]] = []
    for start in range(0, len(rows), OPEN_CHUNK):
        opened += await asyncio.to_thread(_open_chunk, key, rows[start : start + OPEN_CHUNK], weights)
    return await asyncio.to_thread(make_units, opened, ballot_id)


async def close_secret(session: AsyncSession, ballot: Ballot, keys: SealedKeys | None) -> dict[str, Any]:
    """Count a secret ballot at its close (SECRET_BALLOTS.md "Close", steps 1-5): the result as
    `ballot_closed` logs it. The ballot row is locked by the caller."""
    key = keys.get(ballot.id) if keys is not None else None
    if key is None:
        raise CommitteeUnlockNeeded(
            "this process does not hold the ballot's key (the server restarted since it opened): "
            "the vote-counting committee unlocks it with `votehall committee unlock`, or the chair voids it"
        )
    boxes = (
        await session.execute(
            select(SealedVote.member_id, SealedVote.box).where(SealedVote.ballot_id == ballot.id)
        )
    ).all()
    weights = dict(
        (
            await session.execute(
                select(MeetingMember.member_id, MeetingMember.weight).where(
                    MeetingMember.meeting_id == ballot.meeting_id
                )
            )
        ).all()
    )
    voters = await session.scalar(select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot.id))
    if voters != len(boxes):  # every participation has its box: the writer stores both at once
        raise Conflict(
            f"{voters} members voted but {len(boxes)} sealed votes are stored", code="sealed_votes_missing"
        )
    try:
        units = await _units(key, [(m, bytes(b)) for m, b in boxes], weights, ballot.id)
    except ValueError as error:  # UnsealError, DuplicateReceipt: never naming a choice or secret
        raise Conflict(f"the sealed votes cannot be counted: {error}", code="sealed_votes_damaged") from None
    for part, units_part in enumerate(chunks(units), start=1):
        # The (receipt, choice) tuples as they are (JSON arrays in the entry): no copy per unit.
        # Bulky: the flush encodes and hashes these entries on a worker thread (journal.flush).
        journal.note(session, ballot.meeting_id, entries.BALLOT_UNITS, {
            "ballot": ballot.id, "part": part, "units": units_part,
        }, bulky=True)  # fmt: skip
    await _insert_units(session, ballot.id, units)
    await _destroy(session, ballot.id)
    counts = await asyncio.to_thread(_count, units)
    return await _decide(session, ballot, counts, len(boxes))


def _count(units: list[Unit]) -> Counter[SecretChoice]:
    return Counter(map(itemgetter(1), units))


async def _insert_units(session: AsyncSession, ballot_id: int, units: list[Unit]) -> None:
    """Insert the units in receipt order through the driver's bulk path, in the transaction of
    the close: PostgreSQL's COPY, SQLite's executemany (on aiosqlite's thread). SQLAlchemy's
    per-row parameter handling would cost ten times as much, on the event loop."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    columns = ["ballot_id", "receipt", "choice"]
    for start in range(0, len(units), INSERT_CHUNK):  # chunks: the loop breathes between them
        records = [
            (ballot_id, receipt, str(choice)) for receipt, choice in units[start : start + INSERT_CHUNK]
        ]
        if connection.dialect.name == "postgresql":
            await driver.copy_records_to_table("unit_ballots", records=records, columns=columns)
        else:
            await driver.executemany(
                "INSERT INTO unit_ballots (ballot_id, receipt, choice) VALUES (?, ?, ?)", records
            )


async def _destroy(session: AsyncSession, ballot_id: int) -> None:
    """Delete the ballot's sealed votes and wrapped key; its key is forgotten after the commit."""
    await session.execute(delete(SealedVote).where(SealedVote.ballot_id == ballot_id))
    await session.execute(delete(BallotKeyRow).where(BallotKeyRow.ballot_id == ballot_id))
    forget_after_commit(session, ballot_id)


async def _decide(
    session: AsyncSession, ballot: Ballot, counts: Counter[SecretChoice], members_voted: int
) -> dict[str, Any]:
    """Decide from the unit counts as `votehall verify` replays it (replay_secret.yes_no_decision,
    replay_elections.decide_round), store the result, answer it as `ballot_closed` logs it."""
    standing = list(await repository.candidates_of(session, ballot.id))
    ids = [c.id for c in standing]
    tally = Tally(counts["for"], counts["against"], counts[ABSTAIN], 0, 0, 0)
    if len(ids) <= 1:  # a slate or a single-candidate vote: yes/no, and so its figures and outcome
        decision = decide(tally, Majority(ballot.majority), abstain_is_cast=ballot.abstain_is_cast)
        decision = replace(decision, members_voted=members_voted)
        ballot.outcome = decision.outcome.value
        ballot.for_weight, ballot.against_weight, ballot.abstain_weight = (
            decision.for_, decision.against, decision.abstain,
        )  # fmt: skip
        ballot.cast_weight, ballot.members_voted = decision.cast, decision.members_voted
        ballot.percent_for = decision.percent_for
        if ids:
            single = decide_single(ids[0], tally)
            ballot.election_result = secret_result_data(single, members_voted)
            return ballot.election_result
        return {
            "for": ballot.for_weight, "against": ballot.against_weight, "abstain": ballot.abstain_weight,
            "cast": ballot.cast_weight, "members_voted": ballot.members_voted,
            "percent_for": ballot.percent_for, "outcome": ballot.outcome,
        }  # fmt: skip
    # An election round, decided as a public one is (an intermediate vote with the seeded
    # candidates and open places of the round it follows), from the units' weights.
    votes = ElectionTally({c: counts[c] for c in ids}, dict.fromkeys(ids, 0), counts[ABSTAIN], 0)
    result = await rounds.decide_counted(session, ballot, standing, votes)
    ballot.election_result = secret_result_data(result, members_voted)
    ballot.outcome = result.outcome.value
    ballot.cast_weight, ballot.members_voted, ballot.abstain_weight = (
        result.cast,
        members_voted,
        result.abstain,
    )
    return ballot.election_result


async def void_secret(session: AsyncSession, ballot: Ballot) -> None:
    """A voided secret ballot: its sealed votes and wrapped key are deleted unopened (SPEC 2.9)."""
    await _destroy(session, ballot.id)


async def release(session: AsyncSession, ballot_id: int, operator: Operator) -> Ballot:
    """Let a closed secret ballot's result onto the public screens (the committee announced it)."""
    ballot = await _ballot(session, ballot_id, for_update=True)
    if not ballot.secret or ballot.status != BallotStatus.CLOSED or ballot.counted_by_hand:
        raise Conflict("only a closed secret ballot's result is released", code="not_a_closed_secret_ballot")
    if ballot.released_at is not None:
        raise Conflict("this result is released already", code="already_released")
    ballot.released_at = datetime.now(UTC)
    await session.flush()
    journal.note(
        session,
        ballot.meeting_id,
        entries.BALLOT_RELEASED,
        {"ballot": ballot.id, "operator": operator.log_data()},
    )
    record(session, BallotChanged(ballot.id))
    return ballot


async def wrapped_key(session: AsyncSession, ballot_id: int) -> dict[str, str]:
    """What the committee unwraps on its own machine: the wrapped key and the ballot's public key."""
    ballot = await _ballot(session, ballot_id)
    row = await session.get(BallotKeyRow, ballot_id)
    if row is None or ballot.sealing_key is None:
        raise NotFound("this ballot has no wrapped key (not an open secret ballot)", code="no_ballot_key")
    return {"wrapped": base64.b64encode(row.wrapped).decode("ascii"), "sealing_key": ballot.sealing_key}


async def unlock(
    session: AsyncSession, ballot_id: int, ballot_key: str, operator: Operator, keys: SealedKeys | None
) -> Ballot:
    """Hold the key the committee unwrapped (checked against the ballot's public key, 422 else)."""
    ballot = await _ballot(session, ballot_id, for_update=True)
    if not ballot.secret or ballot.status != BallotStatus.OPEN or ballot.sealing_key is None:
        raise Conflict("only an open secret ballot is unlocked", code="ballot_not_open")
    try:
        key = BallotKey.from_private_b64(ballot_key, ballot.sealing_key)
    except InvalidInput:
        raise InvalidInput("this key is not the key of this ballot", code="wrong_ballot_key") from None
    if keys is None:
        raise Conflict("this process holds no keys", code="committee_unlock_needed")
    journal.note(
        session,
        ballot.meeting_id,
        entries.BALLOT_UNLOCKED,
        {"ballot": ballot.id, "operator": operator.log_data()},
    )
    keep_after_commit(session, ballot.id, key)
    record(session, BallotChanged(ballot.id))
    return ballot


async def _ballot(session: AsyncSession, ballot_id: int, *, for_update: bool = False) -> Ballot:
    ballot = await repository.get(session, ballot_id, for_update=for_update)
    if ballot is None:
        raise NotFound(f"there is no ballot {ballot_id}", code="unknown_ballot")
    return ballot


# Several processes (SPEC 4.2, DESIGN "Several processes"): a chair's close may land on a process
# that does not hold the ballot's key. It asks the holder through the fan-out and waits for the
# close to reach its own read model; without an answer the chair sees 409 committee_unlock_needed.
FORWARD_WAIT = 5.0  # seconds


async def close_elsewhere(hub: LiveHub, ballot_id: int) -> bool:
    """Ask the process holding an open secret ballot's key to close it; True once it is closed
    here too. False at once when this process holds the key itself (or there is no fan-out)."""
    meeting = hub.meeting
    ballot = meeting.ballots.get(ballot_id) if meeting is not None else None
    if ballot is None or not ballot.secret or ballot.status is not BallotStatus.OPEN:
        return False
    if ballot_id in hub.sealed or hub.fanout is None:
        return False
    hub.fanout.publish("c", b=ballot_id)
    deadline = asyncio.get_running_loop().time() + FORWARD_WAIT
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        meeting = hub.meeting
        current = meeting.ballots.get(ballot_id) if meeting is not None else None
        if current is None or current.status is not BallotStatus.OPEN:
            return True
    return False


async def close_held(hub: LiveHub, ballot_id: int) -> None:
    """Close a secret ballot whose key this process holds, as another process asked: its own
    transaction, then the key forgotten, the rows scrubbed and the change passed on."""
    from server.ballots.lifecycle import act  # the lifecycle imports this module

    async with hub.database.transaction() as session:
        await act(session, ballot_id, BallotAction.CLOSE, keys=hub.sealed)
        events = take(session)
    if settle(session, hub.sealed):
        await scrub(hub.database)
    await hub.after_commit(events, spans=journal.spans(session))
