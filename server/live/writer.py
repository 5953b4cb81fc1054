"""The vote writer: one task per process owns the write path and commits votes in groups.

Kiosk handlers check what they can from memory, then hand `(vote, future)` to this writer and
await the future. The writer takes everything queued (up to `max_batch`), re-checks in the
transaction what memory may have wrong (the ballot is still open, the pass still active, the
member has not voted yet on a ballot without changes, the vote_id is not stored already - or is
stored for this very ballot and choice, a resend), writes the accepted votes in one transaction,
commits, and only then resolves the futures and updates the read model (DESIGN invariants 1-3).

A vote on a secret ballot reaches the writer sealed (`server.live.sealed`): a tag and a box, no
choice. It is stored in the same group commit as every vote, as a `participation` entry, `votes`
and `vote_events` rows with the choice "sealed", and the box in `sealed_votes`; a change of vote
must carry the same tag, and no two members one tag (one query per batch).
One fsync for a whole group is what makes ten thousand durable votes a second possible.

The writer also says whether it can commit (`failing`): from a group commit that failed for
the database's sake (full disk, locked, away) until the next one that succeeds. `/readyz`
answers 503 meanwhile (server.ops.service), although the database still answers reads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, tuple_
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.ballots.models import Ballot, Vote, VoteEvent
from server.bulk_insert import BulkInsert, Row, driver_value
from server.db import Database
from server.desk.models import Pass
from server.errors import (
    BallotNotOpen,
    ChangeNotAllowed,
    NotEligible,
    Unavailable,
    VoteHallError,
    VoteIdReused,
)
from server.live import sealed as sealed_path
from server.live.repository import current_choices, current_participants
from server.live.state import Ack, LiveMeeting
from server.ops import metrics
from server.rules import VoteChoice
from server.rules import vote_choice as choices

log = logging.getLogger(__name__)

MAX_BATCH = 5000
VOTE_EVENTS: Table = VoteEvent.__table__  # type: ignore[assignment]
VOTES: Table = Vote.__table__  # type: ignore[assignment]
# The batch's rows go to the driver as positional tuples (server.bulk_insert): SQLAlchemy's
# per-row parameter processing was 7% of the server's CPU in a burst.
INSERT_EVENTS = BulkInsert(
    VOTE_EVENTS, ("ballot_id", "member_id", "pass_id", "vote_id", "choice", "receipt", "created_at")
)
# INSERT ... ON CONFLICT (ballot, member) DO UPDATE: at most one current vote (invariant 2).
UPSERT_CURRENT = BulkInsert(
    VOTES,
    ("ballot_id", "member_id", "pass_id", "vote_id", "choice", "cast_at", "log_seq"),
    conflict=("ballot_id", "member_id"),
)

Decided = list[tuple["VoteRequest", Ack | VoteHallError]]
Applied = tuple[int, int, VoteChoice | None, Ack]  # ballot, member, choice (None: sealed), ack
Spans = dict[int, tuple[int, int]]  # chain -> (first, last) seq a commit wrote (journal.spans)


@dataclass(slots=True)
class VoteRequest:
    ballot_id: int
    member_id: int
    pass_id: int
    vote_id: str
    choice: VoteChoice | None  # None for a sealed vote: the writer never holds a secret choice
    future: asyncio.Future[Ack] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    sealed: sealed_path.SealedChoice | None = None  # a vote on a secret ballot: its tag and box


def _unavailable() -> Unavailable:
    return Unavailable("the vote could not be stored; send it again")


class VoteWriter:
    def __init__(
        self,
        database: Database,
        meeting: Callable[[], LiveMeeting | None],
        on_commit: Callable[[list[Applied], Spans], None],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._database = database
        self._meeting = meeting
        self._on_commit = on_commit
        self._max_batch = max_batch
        self._queue: asyncio.Queue[VoteRequest] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Lists that see every vote applied to the read model while a reload of it is under way.
        self.recorders: list[list[Applied]] = []
        self._unsynced: set[int] = set()  # ballots to read again from the database (see _write)
        self.batches = 0
        self.committed = 0
        # Since when (time.monotonic) every group commit has failed; None while they succeed.
        self.failing_since: float | None = None
        self.failure = ""  # the kind of the last failure (an exception's class name)

    @property
    def failing(self) -> bool:
        """The last group commit failed for the database's sake, and none succeeded since."""
        return self.failing_since is not None

    def _failed(self, error: BaseException) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()
        self.failure = type(error).__name__

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="vote-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop (a graceful shutdown loses no pending vote)."""
        self._stopping = True
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    def queue(self, request: VoteRequest) -> asyncio.Future[Ack]:
        """Queue a vote: its future resolves when it is committed (the ack) or refused."""
        if self._stopping:
            raise Unavailable("the server is shutting down; send the vote again in a moment")
        self._queue.put_nowait(request)
        return request.future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            metrics.WRITER_BATCH.observe(len(batch))
            try:
                await self._write(batch)
            except Exception as error:
                log.exception("vote writer: unexpected failure on a batch of %d", len(batch))
                self._failed(error)
                _fail(batch, _unavailable())
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write(
        self, batch: list[VoteRequest], *, look_up: bool = False, reconnect: bool = True
    ) -> None:
        started = time.perf_counter()
        try:
            decided, stale, spans = await self._commit(batch, look_up=look_up)
        except (IntegrityError, DataError) as error:
            # Most often a vote_id that is stored but unknown to memory (a commit whose answer
            # was lost, another process, an earlier meeting): the group is tried once more with
            # the stored vote_ids looked up. Only if that fails too is the group split, so that
            # one bad vote cannot keep the others from committing.
            if not look_up:
                await self._write(batch, look_up=True)
            elif len(batch) > 1:
                log.warning(
                    "vote writer: a batch of %d hit %s; splitting it", len(batch), type(error).__name__
                )
                middle = len(batch) // 2
                await self._write(batch[:middle], look_up=True)
                await self._write(batch[middle:], look_up=True)
            else:
                log.warning("vote writer: a vote could not be stored: %s", error)
                _fail(batch, _unavailable())
            return
        except Exception as error:
            if reconnect and isinstance(error, DBAPIError) and error.connection_invalidated:
                # The connection died under the batch (PostgreSQL restarted): SQLAlchemy has
                # retired it and every connection pooled before it, so the group is tried once
                # more on a new one. Safe even if the lost answer was that of a COMMIT that took
                # place: the stored vote_ids then fail the insert and are looked up (above).
                log.warning("vote writer: lost the database connection (%s); trying again", error)
                await self._write(batch, look_up=look_up, reconnect=False)
                return
            # The database is away (locked too long, not answering): the whole group waits for
            # its kiosks to resend, instead of trying every vote alone against a dead server.
            log.warning("vote writer: a batch of %d could not be committed: %s", len(batch), error)
            self._failed(error)
            _fail(batch, _unavailable())
            return
        metrics.WRITER_COMMIT.observe(time.perf_counter() - started)
        self.failing_since = None
        committed_before = self.committed
        self.batches += 1
        meeting = self._meeting()
        # Every vote this transaction wrote goes to the other processes, also one that memory
        # knew already (a catch-up or a reload may read a commit before the writer applies it):
        # only the local apply depends on what memory holds. A resend answered from the log
        # (an older seq, outside the span) was written before and published then.
        span = spans.get(meeting.id) if meeting is not None else None
        written: list[Applied] = []
        if meeting is not None:
            for request, outcome in decided:
                if not isinstance(outcome, Ack):
                    continue
                fresh = span is not None and span[0] <= outcome.seq <= span[1]
                self._apply(meeting, request, outcome, fresh=fresh)
                if fresh:
                    written.append((outcome.ballot_id, request.member_id, outcome.choice, outcome))
            stale |= self._unsynced
            if stale:
                try:
                    await self._resync(meeting, stale)
                    self._unsynced.clear()
                except Exception as error:
                    # The batch is committed whatever happens here: its votes are acked and
                    # published; the ballots are read again after the next commit.
                    log.warning("vote writer: could not reload ballots %s (%s)", sorted(stale), error)
                    self._unsynced = stale
        for request, outcome in decided:
            if request.future.done():
                continue
            if isinstance(outcome, Ack):
                request.future.set_result(outcome)
            else:
                request.future.set_exception(outcome)
        metrics.VOTES_COMMITTED.inc(self.committed - committed_before)
        self._on_commit(written, spans)

    def _apply(self, meeting: LiveMeeting, request: VoteRequest, ack: Ack, *, fresh: bool = True) -> bool:
        """Apply a committed vote to the read model; False when it was known already: its ack
        is in memory, or it is a resend (not written by this commit) of a vote whose ack memory
        retired when its ballot left OPEN. Such a vote was applied then; applied again its ack
        would come back into memory and, read from the log without its seq, overrule the
        member's later vote (here and in a reload under way)."""
        key = (request.member_id, request.vote_id)
        if key in meeting.acks or (not fresh and meeting.may_have_answered(*key)):
            return False
        meeting.acks[key] = ack
        ballot = meeting.ballots.get(ack.ballot_id)
        if ballot is not None and request.member_id in meeting.seats:
            ballot.apply_committed(
                request.member_id, ack.choice, meeting.seats[request.member_id].weight, ack.seq
            )
        for recorder in self.recorders:
            recorder.append((ack.ballot_id, request.member_id, ack.choice, ack))
        self.committed += 1
        return True

    async def stored_ack(self, member_id: int, vote_id: str) -> Ack | None:
        """The ack stored for a member's vote_id, if any (a resend on a ballot closed since)."""
        async with self._database.transaction(readonly=True) as session:
            return (await _stored_acks(session, {(member_id, vote_id)})).get((member_id, vote_id))

    async def _resync(self, meeting: LiveMeeting, ballot_ids: set[int]) -> None:
        """Votes found stored but unknown to memory (a commit whose answer was lost, another
        process): take the current votes of those ballots from the database again."""
        async with self._database.transaction(readonly=True) as session:
            for ballot_id in ballot_ids:
                ballot = meeting.ballots.get(ballot_id)
                if ballot is not None and ballot.secret:
                    ballot.reset_participation(await current_participants(session, ballot_id), meeting.seats)
                elif ballot is not None:
                    ballot.reset(await current_choices(session, ballot_id), meeting.seats)

    async def _commit(self, batch: list[VoteRequest], *, look_up: bool) -> tuple[Decided, set[int], Spans]:
        meeting = self._meeting()
        now = datetime.now(UTC)
        # The acks memory holds for the batch's vote_ids, taken before any await: a close that
        # reaches memory while the batch reads the database retires its ballot's acks, and a
        # vote_id not looked up because memory knew it must still be answered as a resend.
        remembered: dict[tuple[int, str], Ack] = {}
        if meeting is not None:
            for r in batch:
                ack = meeting.acks.get((r.member_id, r.vote_id))
                if ack is not None:
                    remembered[r.member_id, r.vote_id] = ack
        async with self._database.transaction() as session:
            statuses = await _ballot_rows(session, {r.ballot_id for r in batch})
            active = await _active_passes(session, {r.pass_id for r in batch}, self._database.dialect)
            closed_to_change = {ballot_id for ballot_id, (_, allow, _) in statuses.items() if not allow}
            voted = await _voted(session, closed_to_change, {r.member_id for r in batch})
            # Looked up: every vote_id on the second try, and at once the few that would be
            # refused as a change: memory did not know the member's vote, which may be this very
            # vote_id, stored by a commit whose answer was lost (the database restarted). So are
            # the few on a ballot closed meanwhile: memory lets go of a closed ballot's acks, and
            # a vote sent twice across the close is answered with the first one's ack.
            unknown = {
                (r.member_id, r.vote_id)
                for r in batch
                if (look_up or (r.ballot_id, r.member_id) in voted or _not_open(statuses, r.ballot_id))
                and (r.member_id, r.vote_id) not in remembered
            }
            stored = await _stored_acks(session, unknown)
            tags = await sealed_path.TagBook.read(
                session, [(r.ballot_id, r.member_id, r.sealed.tag) for r in batch if r.sealed is not None]
            )
            boxes: dict[tuple[int, int], Row] = {}
            slots: list[tuple[VoteRequest, Ack | VoteHallError | journal.Pending]] = []
            stale: set[int] = set()
            accepted: dict[tuple[int, str], journal.Pending] = {}
            # The accepted votes with the choice they store, in order; and the last of each
            # (ballot, member), the current vote.
            rows: list[tuple[VoteRequest, str]] = []
            current: dict[tuple[int, int], tuple[VoteRequest, str]] = {}
            for request in batch:
                key = (request.member_id, request.vote_id)
                known = (
                    accepted.get(key)
                    or remembered.get(key)
                    or (meeting.acks.get(key) if meeting else None)
                    or stored.get(key)
                )
                if known is not None:
                    if key in stored:
                        stale.add(stored[key].ballot_id)
                    slots.append((request, known if _resends(request, known) else _reused(request)))
                    continue
                refusal = _refusal(request, statuses, active, voted, current)
                if refusal is None and request.sealed is not None:
                    refusal = tags.refusal(request.ballot_id, request.member_id, request.sealed.tag)
                if refusal is not None:
                    slots.append((request, refusal))
                    continue
                seat = meeting.seats.get(request.member_id) if meeting else None
                if seat is None:
                    slots.append((request, NotEligible("the member is not in the register of this meeting")))
                    continue
                # The log entry, whose hash becomes the receipt (SPEC 4.2 step 5, issue 5).
                entry = journal.note(session, statuses[request.ballot_id][2], *_entry(request, seat.code))
                accepted[key] = entry
                stored_as = choices.text(request.choice) if request.choice is not None else sealed_path.SEALED
                if request.sealed is not None:
                    tags.accept(request.ballot_id, request.member_id, request.sealed.tag)
                    boxes[(request.ballot_id, request.member_id)] = sealed_path.sealed_row(
                        request.ballot_id, request.member_id, request.sealed
                    )
                rows.append((request, stored_as))
                current[(request.ballot_id, request.member_id)] = (request, stored_as)
                slots.append((request, entry))
            decided: Decided = []
            receipts: dict[tuple[int, str], Ack] = {}
            if rows:
                await journal.flush(session)
                for (member_id, vote_id), entry in accepted.items():
                    assert entry.written is not None
                    ballot_id, choice = entry.data["ballot"], _choice_of(entry.data)
                    receipts[member_id, vote_id] = Ack(
                        vote_id, ballot_id, choice, entry.written.hash, entry.written.seq
                    )
                connection = await session.connection()
                # One timestamp for the batch, converted once as SQLAlchemy would bind it.
                created_at = driver_value(VOTE_EVENTS.c.created_at, now, connection.dialect)
                events = [
                    (
                        r.ballot_id, r.member_id, r.pass_id, r.vote_id, choice,
                        receipts[r.member_id, r.vote_id].receipt, created_at,
                    )
                    for r, choice in rows
                ]  # fmt: skip
                await INSERT_EVENTS.run(connection, events)
                cast_at = driver_value(VOTES.c.cast_at, now, connection.dialect)
                # Sorted, so that two processes writing at once take row locks in one order.
                latest = [
                    (r.ballot_id, r.member_id, r.pass_id, r.vote_id, choice, cast_at, receipts[r.member_id, r.vote_id].seq)
                    for r, choice in (current[key] for key in sorted(current))
                ]  # fmt: skip
                await UPSERT_CURRENT.run(connection, latest)
                await sealed_path.upsert_sealed(connection, [boxes[k] for k in sorted(boxes)])
            for request, outcome in slots:
                if isinstance(outcome, journal.Pending):
                    decided.append((request, receipts[request.member_id, request.vote_id]))
                else:
                    decided.append((request, outcome))
        return decided, stale, journal.spans(session)


def _entry(request: VoteRequest, member: str) -> tuple[str, dict[str, Any]]:
    """The log entry of a vote: with its choice, or on a secret ballot a participation without."""
    data: dict[str, Any] = {"ballot": request.ballot_id, "member": member}
    if request.choice is None:
        return entries.PARTICIPATION, data | {"vote_id": request.vote_id, "pass": request.pass_id}
    return entries.VOTE, data | {
        "choice": choices.value(request.choice), "vote_id": request.vote_id, "pass": request.pass_id,
    }  # fmt: skip


def _choice_of(data: dict[str, Any]) -> VoteChoice | None:
    """A logged vote's choice; None for a participation (a vote on a secret ballot)."""
    return choices.from_value(data["choice"]) if "choice" in data else None


def _resends(request: VoteRequest, known: Ack | journal.Pending) -> bool:
    """Whether a request with a known vote_id is that vote sent again (same ballot and choice;
    on a secret ballot the same ballot: the server keeps no choice to compare)."""
    if request.choice is None:
        ballot_id = known.ballot_id if isinstance(known, Ack) else known.data["ballot"]
        return bool(ballot_id == request.ballot_id)
    if isinstance(known, Ack):
        return (known.ballot_id, known.choice) == (request.ballot_id, request.choice)
    return (known.data["ballot"], known.data.get("choice")) == (
        request.ballot_id,
        choices.value(request.choice),
    )


def _reused(request: VoteRequest) -> VoteIdReused:
    return VoteIdReused(f"vote_id {request.vote_id!r} was used for another ballot or choice")


def _not_open(ballots: dict[int, tuple[str, bool, int]], ballot_id: int) -> bool:
    return ballots.get(ballot_id, ("missing", False, 0))[0] != "open"


def _refusal(
    request: VoteRequest,
    ballots: dict[int, tuple[str, bool, int]],
    active: set[int],
    voted: set[tuple[int, int]],
    current: dict[tuple[int, int], tuple[VoteRequest, str]],
) -> VoteHallError | None:
    _, allow_change, _ = ballots.get(request.ballot_id, ("missing", False, 0))
    if _not_open(ballots, request.ballot_id):
        return BallotNotOpen(f"ballot {request.ballot_id} is not open")
    if request.pass_id not in active:
        return NotEligible("this pass is no longer active")
    key = (request.ballot_id, request.member_id)
    if not allow_change and (key in voted or key in current):
        return ChangeNotAllowed("this ballot does not allow changing a vote")
    return None


async def _ballot_rows(session: AsyncSession, ids: set[int]) -> dict[int, tuple[str, bool, int]]:
    """Status, allow_change and meeting of the ballots, share-locked against a concurrent close
    on PostgreSQL (invariant 3)."""
    query = select(Ballot.id, Ballot.status, Ballot.allow_change, Ballot.meeting_id).where(Ballot.id.in_(ids))
    rows = await session.execute(query.with_for_update(read=True))
    return {ballot_id: (status, allow, meeting_id) for ballot_id, status, allow, meeting_id in rows.all()}


async def _active_passes(session: AsyncSession, ids: set[int], dialect: str) -> set[int]:
    """Which of the passes are active, in the transaction (invariant 1).

    PostgreSQL share-locks the active rows against a concurrent revocation. SQLite's write lock
    already keeps every revocation out while this transaction runs, so there the few passes
    that are *not* active are read instead: one small statement, whatever the batch size.
    """
    if dialect == "sqlite":
        ended = select(Pass.id).where(Pass.status != "active")
        return ids - set((await session.scalars(ended)).all())
    query = select(Pass.id).where(Pass.id.in_(ids), Pass.status == "active").with_for_update(read=True)
    return set((await session.scalars(query)).all())


async def _stored_acks(session: AsyncSession, keys: set[tuple[int, str]]) -> dict[tuple[int, str], Ack]:
    """Acks already stored for these (member, vote_id) pairs: a resend that memory did not know."""
    if not keys:
        return {}
    query = select(
        VoteEvent.member_id, VoteEvent.vote_id, VoteEvent.ballot_id, VoteEvent.choice, VoteEvent.receipt
    )
    rows = await session.execute(query.where(tuple_(VoteEvent.member_id, VoteEvent.vote_id).in_(list(keys))))
    return {
        (member_id, vote_id): Ack(vote_id, ballot_id, sealed_path.stored_choice(choice), receipt)
        for member_id, vote_id, ballot_id, choice, receipt in rows.all()
    }


async def _voted(session: AsyncSession, ballot_ids: set[int], member_ids: set[int]) -> set[tuple[int, int]]:
    """Who has a stored vote on the ballots that allow no change (SPEC 2.4), in the transaction."""
    if not ballot_ids:
        return set()
    query = select(Vote.ballot_id, Vote.member_id).where(
        Vote.ballot_id.in_(ballot_ids), Vote.member_id.in_(member_ids)
    )
    return {(ballot_id, member_id) for ballot_id, member_id in (await session.execute(query)).all()}


def _fail(batch: list[VoteRequest], error: VoteHallError) -> None:
    for request in batch:
        if not request.future.done():
            request.future.set_exception(error)
