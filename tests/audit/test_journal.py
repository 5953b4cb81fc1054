"""The journal's fast canonical form is the documented one, byte for byte; a bulky flush (encoded
and hashed on a worker thread) writes the chain the loop's path writes."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from server.audit import journal
from server.audit.chain import LogLine, canonical, check_chain
from server.audit.journal import fast_canonical, timestamp
from server.audit.models import LogEntry
from server.db import Database

TEXT = st.text(st.characters(exclude_categories=["Cs"]))  # no lone surrogates: not UTF-8
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def test_every_code_point_is_written_as_the_standard_library_writes_it() -> None:
    for start in range(0, 0x110000, 0x1000):
        text = "".join(chr(c) for c in range(start, start + 0x1000) if not 0xD800 <= c <= 0xDFFF)
        entry: dict[str, Any] = {"data": {text: text, "k": [text]}, "seq": 1}
        assert fast_canonical(entry) == canonical(entry), hex(start)


@given(st.dictionaries(TEXT, VALUES, max_size=6))
def test_any_entry_is_written_as_the_standard_library_writes_it(entry: dict[str, Any]) -> None:
    assert fast_canonical(entry) == canonical(entry)


def test_integers_beyond_64_bits_take_the_standard_path() -> None:
    entry = {"data": {"n": 2**70}}
    assert fast_canonical(entry) == canonical(entry) == b'{"data":{"n":1180591620717411303424}}'


def test_times_are_utc_to_the_millisecond() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2026, 11, 26, 17, 54, 54, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert timestamp(moment) == "2026-11-26T16:54:54.123Z"
    assert timestamp(moment.astimezone(UTC)) == "2026-11-26T16:54:54.123Z"


CHAIN = 4242


async def test_a_bulky_flush_writes_the_chain_the_loop_writes(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "BULKY_SLICE", 2)  # several trips to the worker thread
    threads: list[str] = []
    chain_entries = journal._chain

    def watched(pending: list[journal.Pending], *args: Any) -> list[tuple[Any, ...]]:
        threads.append(threading.current_thread().name)
        return chain_entries(pending, *args)

    monkeypatch.setattr(journal, "_chain", watched)
    units = [(f"{i:064x}", "for" if i % 3 else "against") for i in range(2_500)]
    async with database.transaction() as session:
        first = journal.note(session, CHAIN, "ballot_opened", {"ballot": 1})
        parts = [
            journal.note(session, CHAIN, "ballot_units", {"ballot": 1, "part": n + 1, "units": units[n * 1000 : n * 1000 + 1000]}, bulky=True)
            for n in range(3)
        ]  # fmt: skip
        written = await journal.flush(session)
        last = journal.note(session, CHAIN, "ballot_closed", {"ballot": 1})  # on the commit hook
    assert written == [first, *parts]
    main = threading.main_thread().name
    assert (
        len(threads) == 3 and main not in threads[:2] and threads[2] == main
    )  # 2 + 2 off the loop, 1 on commit
    assert [p.written.seq for p in written if p.written] == [1, 2, 3, 4]
    assert last.written is not None and last.written.seq == 5
    assert journal.spans(session) == {CHAIN: (1, 5)}
    async with database.transaction(readonly=True) as session:
        rows = (
            await session.scalars(select(LogEntry).where(LogEntry.chain == CHAIN).order_by(LogEntry.seq))
        ).all()
    lines = [LogLine(orjson.loads(row.body), row.prev_hash, row.hash) for row in rows]
    assert check_chain(lines) == []
    for row, line in zip(rows, lines, strict=True):
        assert row.body.encode() == canonical(line.entry)  # the documented bytes
        assert row.hash == hashlib.sha256(row.prev_hash.encode() + row.body.encode()).hexdigest()
    assert [line.entry["type"] for line in lines] == ["ballot_opened", *["ballot_units"] * 3, "ballot_closed"]
    assert [u for line in lines[1:4] for u in line.entry["data"]["units"]] == [list(u) for u in units]
    assert parts[-1].written is not None and parts[-1].written.hash == rows[3].hash
