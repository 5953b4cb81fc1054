"""Reading the event log back: a chain's entries as export lines (one JSON object a line)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import LogEntry, LogHead

EXPORT_BATCH = 2000


def export_line(body: str, prev_hash: str, hash_: str) -> bytes:
    """`{"at", "data", "seq", "type", "prev_hash", "hash"}` and a newline: the entry's canonical
    bytes as they were hashed with the two hashes added last, the canonical form of a line that
    `votehall verify` requires (server.audit.chain.export_form, docs/AUDIT.md)."""
    # Spliced, not parsed and written again: a parser would read an integer beyond 64 bits as a
    # float and write other bytes than were hashed (tests/audit/test_verify_strict.py).
    encoded = body.encode("utf-8")
    if encoded == b"{}":
        return b'{"prev_hash":"%s","hash":"%s"}\n' % (prev_hash.encode("ascii"), hash_.encode("ascii"))
    return b'%s,"prev_hash":"%s","hash":"%s"}\n' % (
        encoded[:-1],
        prev_hash.encode("ascii"),
        hash_.encode("ascii"),
    )


async def export_chain(session: AsyncSession, chain: int) -> AsyncIterator[bytes]:
    """Every entry of a chain in order, in pages, so a long log never sits in memory whole."""
    after = 0
    while True:
        query = (
            select(LogEntry.seq, LogEntry.body, LogEntry.prev_hash, LogEntry.hash)
            .where(LogEntry.chain == chain, LogEntry.seq > after)
            .order_by(LogEntry.seq)
            .limit(EXPORT_BATCH)
        )
        rows = (await session.execute(query)).all()
        for row in rows:
            yield export_line(row.body, row.prev_hash, row.hash)
        if len(rows) < EXPORT_BATCH:
            return
        after = rows[-1].seq


async def head_of(session: AsyncSession, chain: int) -> tuple[int, str] | None:
    row = (await session.execute(select(LogHead.seq, LogHead.hash).where(LogHead.chain == chain))).first()
    return (int(row.seq), str(row.hash)) if row else None


async def last_entry_of_type(session: AsyncSession, chain: int, type_: str) -> tuple[int, str] | None:
    """(seq, hash) of the chain's last entry of a type: the meeting's closing entry is the one the
    vote-counting committee signs (publication adds entries after it)."""
    query = (
        select(LogEntry.seq, LogEntry.hash)
        .where(LogEntry.chain == chain, LogEntry.type == type_)
        .order_by(LogEntry.seq.desc())
        .limit(1)
    )
    row = (await session.execute(query)).first()
    return (int(row.seq), str(row.hash)) if row else None
