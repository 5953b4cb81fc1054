"""The vote writer: one task per process owns the write path and commits votes in groups.

Kiosk handlers check what they can from memory, then hand `(vote, future)` to this writer and
await the future. The writer takes everything queued (up to `max_batch`), re-checks in the
transaction what memory may have wrong (the ballot is still open, the pass still active), writes
the accepted votes in one transaction, commits, and only then resolves the futures and updates
the read model (DESIGN invariants 1-3). One fsync for a whole group is what makes ten thousand
durable votes a second possible.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.models import Ballot, Vote, VoteEvent
from server.db import Database
from server.desk.models import Pass
from server.errors import BallotNotOpen, ChangeNotAllowed, NotEligible, Unavailable, VoteHallError
from server.live.state import Ack, LiveMeeting
from server.rules import Choice

log = logging.getLogger(__name__)

MAX_BATCH = 5000


@dataclass(slots=True)
class VoteRequest:
    ballot_id: int
    member_id: int
    pass_id: int
    vote_id: str
    choice: Choice
    future: asyncio.Future[Ack] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


def receipt_for(ballot_id: int, member_code: str, vote_id: str, choice: Choice, at: datetime) -> str:
    entry = {
        "ballot": ballot_id,
        "member": member_code,
        "vote_id": vote_id,
        "choice": choice.value,
        "at": at.isoformat(),
    }
    return hashlib.sha256(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)).hexdigest()


class VoteWriter:
    def __init__(
        self,
        database: Database,
        meeting: Callable[[], LiveMeeting | None],
        on_commit: Callable[[], None],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._database = database
        self._meeting = meeting
        self._on_commit = on_commit
        self._max_batch = max_batch
        self._queue: asyncio.Queue[VoteRequest] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.committed = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="vote-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop (a graceful shutdown loses no pending vote)."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def submit(self, request: VoteRequest) -> Ack:
        """Queue a vote and wait until it is committed (the ack) or refused (a domain error)."""
        self._queue.put_nowait(request)
        return await request.future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            except Exception:
                log.exception("vote writer: unexpected failure on a batch of %d", len(batch))
                _fail(batch, Unavailable("the vote could not be stored; send it again"))
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write(self, batch: list[VoteRequest]) -> None:
        try:
            decided = await self._commit(batch)
        except Exception as error:
            if len(batch) == 1:
                log.warning("vote writer: a vote could not be stored: %s", error)
                _fail(batch, Unavailable("the vote could not be stored; send it again"))
                return
            # One bad vote must not sink the others: retry them one by one.
            log.warning("vote writer: batch of %d failed (%s); retrying one by one", len(batch), error)
            for request in batch:
                await self._write([request])
            return
        self.batches += 1
        meeting = self._meeting()
        for request, outcome in decided:
            if isinstance(outcome, Ack) and meeting is not None:
                self._apply(meeting, request, outcome)
        for request, outcome in decided:
            if request.future.done():
                continue
            if isinstance(outcome, Ack):
                request.future.set_result(outcome)
            else:
                request.future.set_exception(outcome)
        self._on_commit()

    def _apply(self, meeting: LiveMeeting, request: VoteRequest, ack: Ack) -> None:
        key = (request.member_id, request.vote_id)
        if key in meeting.acks:
            return
        meeting.acks[key] = ack
        ballot = meeting.ballots.get(request.ballot_id)
        if ballot is not None:
            ballot.apply_vote(request.member_id, request.choice, meeting.seats[request.member_id].weight)
        self.committed += 1

    async def _commit(self, batch: list[VoteRequest]) -> list[tuple[VoteRequest, Ack | VoteHallError]]:
        meeting = self._meeting()
        now = datetime.now(UTC)
        async with self._database.transaction() as session:
            statuses = await _ballot_rows(session, {r.ballot_id for r in batch})
            active = await _active_passes(session, {r.pass_id for r in batch})
            decided: list[tuple[VoteRequest, Ack | VoteHallError]] = []
            pending: dict[tuple[int, str], Ack] = {}
            current: dict[tuple[int, int], dict[str, Any]] = {}
            events: list[dict[str, Any]] = []
            for request in batch:
                key = (request.member_id, request.vote_id)
                known = pending.get(key) or (meeting.acks.get(key) if meeting else None)
                if known is not None:
                    decided.append((request, known))
                    continue
                refusal = _refusal(request, statuses, active, meeting, current)
                if refusal is not None:
                    decided.append((request, refusal))
                    continue
                code = meeting.seats[request.member_id].code if meeting else str(request.member_id)
                ack = Ack(
                    request.vote_id,
                    request.ballot_id,
                    request.choice,
                    receipt_for(request.ballot_id, code, request.vote_id, request.choice, now),
                )
                pending[key] = ack
                row = {
                    "ballot_id": request.ballot_id,
                    "member_id": request.member_id,
                    "pass_id": request.pass_id,
                    "vote_id": request.vote_id,
                    "choice": request.choice.value,
                }
                events.append(row | {"receipt": ack.receipt, "created_at": now})
                current[(request.ballot_id, request.member_id)] = row | {"cast_at": now}
                decided.append((request, ack))
            if events:
                await session.execute(insert(VoteEvent), events)
                await session.execute(_upsert_current(self._database.dialect), list(current.values()))
        return decided


def _refusal(
    request: VoteRequest,
    ballots: dict[int, tuple[str, bool]],
    active: set[int],
    meeting: LiveMeeting | None,
    current: dict[tuple[int, int], dict[str, Any]],
) -> VoteHallError | None:
    status, allow_change = ballots.get(request.ballot_id, ("missing", False))
    if status != "open":
        return BallotNotOpen(f"ballot {request.ballot_id} is not open")
    if request.pass_id not in active:
        return NotEligible("this pass is no longer active")
    if not allow_change:
        live = meeting.ballots.get(request.ballot_id) if meeting else None
        voted = (request.ballot_id, request.member_id) in current or (
            live is not None and request.member_id in live.choices
        )
        if voted:
            return ChangeNotAllowed("this ballot does not allow changing a vote")
    return None


async def _ballot_rows(session: AsyncSession, ids: set[int]) -> dict[int, tuple[str, bool]]:
    """Status of the ballots, share-locked against a concurrent close on PostgreSQL (invariant 3)."""
    query = select(Ballot.id, Ballot.status, Ballot.allow_change).where(Ballot.id.in_(ids))
    rows = await session.execute(query.with_for_update(read=True))
    return {ballot_id: (status, allow_change) for ballot_id, status, allow_change in rows.all()}


async def _active_passes(session: AsyncSession, ids: set[int]) -> set[int]:
    query = select(Pass.id).where(Pass.id.in_(ids), Pass.status == "active").with_for_update(read=True)
    return set((await session.scalars(query)).all())


def _upsert_current(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (ballot, member) DO UPDATE: at most one current vote (invariant 2)."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Vote)
    return statement.on_conflict_do_update(
        index_elements=[Vote.ballot_id, Vote.member_id],
        set_={
            "choice": statement.excluded.choice,
            "vote_id": statement.excluded.vote_id,
            "pass_id": statement.excluded.pass_id,
            "cast_at": statement.excluded.cast_at,
        },
    )


def _fail(batch: list[VoteRequest], error: VoteHallError) -> None:
    for request in batch:
        if not request.future.done():
            request.future.set_exception(error)
