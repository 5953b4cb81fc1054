"""Appending to the event log in the transaction of the change itself (DESIGN invariant 4).

Services `note` an entry on their session; the entries are hashed onto their chain and inserted
when the transaction commits (a `before_commit` hook), or earlier by an explicit `flush` when
the caller needs the entry's hash (the vote writer's receipts, the hash a closed ballot keeps).

Writing takes each chain's head row with `SELECT ... FOR UPDATE` (SQLite's single writer needs
no lock) after the session's own changes are flushed, and nothing but the log is written while
it is held: every transaction takes the head last, so two writers can never deadlock on it, and
the order of a chain is the order in which transactions committed.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, event, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from server.audit.chain import GENESIS, canonical
from server.audit.models import LogEntry, LogHead
from server.bulk_insert import BulkInsert, Row, driver_value

_KEY = "votehall.audit_pending"
_SPANS = "votehall.audit_spans"
LOG_TABLE: Table = LogEntry.__table__  # type: ignore[assignment]
# Positional tuples straight to the driver (server.bulk_insert): a vote batch writes thousands.
INSERT_ENTRIES = BulkInsert(LOG_TABLE, ("chain", "seq", "at", "type", "body", "prev_hash", "hash"))
BULKY_SLICE = 20  # bulky entries encoded and hashed per trip to the worker thread (~1.5 MB)


@dataclass(frozen=True, slots=True)
class Written:
    chain: int
    seq: int
    hash: str


@dataclass(slots=True)
class Pending:
    chain: int
    type: str
    data: dict[str, Any]
    written: Written | None = field(default=None)
    bulky: bool = False  # a large entry (a ballot's unit ballots): encoded and hashed off the loop


def note(
    session: AsyncSession | Session, chain: int, type_: str, data: dict[str, Any], *, bulky: bool = False
) -> Pending:
    """Add an entry to this transaction's part of the log; it is written before the commit.

    `bulky` marks a large entry (a `ballot_units` part of a thousand units): a `flush` that
    writes one encodes and hashes the batch on a worker thread, a slice at a time, so that the
    event loop (the hall's screens, the votes) is not held for the whole batch."""
    pending = Pending(chain, type_, data, bulky=bulky)
    session.info.setdefault(_KEY, []).append(pending)
    return pending


def spans(session: AsyncSession | Session) -> dict[int, tuple[int, int]]:
    """The seqs this transaction wrote per chain, `{chain: (first, last)}`; read after the commit
    (the live hub labels its feed with them, so that every process labels a state alike)."""
    found: dict[int, tuple[int, int]] = session.info.get(_SPANS, {})
    return dict(found)


async def flush(session: AsyncSession) -> list[Pending]:
    """Write what is noted so far now (the head stays locked until the commit).

    A batch with a bulky entry is encoded and hashed on a worker thread, BULKY_SLICE entries a
    trip, between locking the heads and inserting the rows: the same entries, byte for byte, as
    `write_pending` makes on the loop."""
    pending: list[Pending] = session.info.get(_KEY, [])
    if not any(item.bulky for item in pending):
        return await session.run_sync(write_pending)
    session.info.pop(_KEY)
    heads = await session.run_sync(_lock_heads, pending)
    now = datetime.now(UTC)
    rows: list[Row] = []
    for start in range(0, len(pending), BULKY_SLICE):
        rows += await asyncio.to_thread(_chain, pending[start : start + BULKY_SLICE], heads, now)
    await session.run_sync(_store, rows, heads)
    return pending


def timestamp(moment: datetime) -> str:
    """Entries carry UTC times to the millisecond: `2026-11-26T16:54:54.123Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_pending(session: Session) -> list[Pending]:
    pending: list[Pending] = session.info.pop(_KEY, [])
    if not pending:
        return []
    heads = _lock_heads(session, pending)
    _store(session, _chain(pending, heads, datetime.now(UTC)), heads)
    return pending


def _lock_heads(session: Session, pending: list[Pending]) -> dict[int, tuple[int, str]]:
    """Lock the head of each chain the entries go on: {chain: (seq, hash)} of the head."""
    # The session's own changes first: after the head is locked nothing else may wait for a lock.
    session.flush()
    heads = {chain: _lock_head(session, chain) for chain in sorted({p.chain for p in pending})}
    written: dict[int, tuple[int, int]] = session.info.setdefault(_SPANS, {})
    for chain, (head, _) in heads.items():
        written.setdefault(chain, (head + 1, head))
    return heads


def _chain(pending: list[Pending], heads: dict[int, tuple[int, str]], now: datetime) -> list[Row]:
    """Encode and hash the entries onto their chains' heads (moved along): the rows to insert,
    in INSERT_ENTRIES's columns. No database and no session: `flush` runs it on a worker thread
    for a bulky batch."""
    at = timestamp(now)
    rows: list[Row] = []
    for item in pending:
        seq, prev_hash = heads[item.chain]
        seq += 1
        body = fast_canonical({"seq": seq, "at": at, "type": item.type, "data": item.data})
        digest = hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()
        rows.append((item.chain, seq, now, item.type, body.decode("utf-8"), prev_hash, digest))
        heads[item.chain] = (seq, digest)
        item.written = Written(item.chain, seq, digest)
    return rows


def _store(session: Session, rows: list[Row], heads: dict[int, tuple[int, str]]) -> None:
    """Insert the rows and move the locked heads to their last entries."""
    written: dict[int, tuple[int, int]] = session.info[_SPANS]
    connection = session.connection()
    # Every row of one flush has the same `at`: converted once, as SQLAlchemy would bind it.
    stamps = {at: driver_value(LOG_TABLE.c.at, at, connection.dialect) for at in {row[2] for row in rows}}
    INSERT_ENTRIES.run_sync(connection, [(*row[:2], stamps[row[2]], *row[3:]) for row in rows])
    for chain, (seq, digest) in heads.items():
        session.execute(update(LogHead).where(LogHead.chain == chain).values(seq=seq, hash=digest))
        written[chain] = (written[chain][0], seq)


def fast_canonical(entry: dict[str, Any]) -> bytes:
    """`chain.canonical`, byte for byte, at a tenth of the cost: orjson writes sorted keys, no
    white space and UTF-8 exactly as the standard library does for the values an entry holds
    (`tests/audit/test_journal.py` checks it over every code point). Integers beyond 64 bits,
    which orjson refuses, take the standard library's path."""
    try:
        return orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return canonical(entry)


def _lock_head(session: Session, chain: int) -> tuple[int, str]:
    query = select(LogHead.seq, LogHead.hash).where(LogHead.chain == chain).with_for_update()
    row = session.execute(query).first()
    if row is None:
        # A chain's first entry. Two transactions may race to make the head row: the loser's
        # insert does nothing, and its lock then waits for the winner's commit.
        dialect = session.get_bind().dialect.name
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert_(LogHead).values(chain=chain, seq=0, hash=GENESIS).on_conflict_do_nothing())
        row = session.execute(query).one()
    return int(row.seq), str(row.hash)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_pending(session)
