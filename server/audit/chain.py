"""The hash chain of the event log, byte for byte. Pure: no I/O, no database.

An entry is a JSON object `{"seq": n, "at": "<ISO 8601 UTC>", "type": "<kind>", "data": {...}}`.
Its canonical form is UTF-8 JSON with the keys sorted at every level, no insignificant white
space, and non-ASCII characters written as themselves (`json.dumps(entry, sort_keys=True,
separators=(",", ":"), ensure_ascii=False).encode()`). Its hash is

    sha256(prev_hash_hex_ascii + canonical_bytes).hexdigest()

where `prev_hash_hex_ascii` is the previous entry's hash as 64 lowercase hex characters (the
first entry uses 64 zeros). Sequence numbers start at 1 and have no gaps. Anyone can check a
log with these three lines of rules; `votehall verify` is one such checker.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(entry: Mapping[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(entry)).hexdigest()


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of an exported log: the entry and the hashes the server stored with it."""

    entry: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def seq(self) -> Any:
        return self.entry.get("seq")


@dataclass(frozen=True, slots=True)
class ChainProblem:
    line: int  # 1-based line of the export
    seq: Any
    message: str


def check_chain(lines: Iterable[LogLine]) -> list[ChainProblem]:
    """Every break in the chain, each naming its line and entry.

    An altered entry no longer matches its own hash; a missing, inserted or reordered entry
    breaks the sequence and the link to the previous hash. After a break the check continues
    from the line as given, so that one problem is reported once, not on every later line.
    """
    problems: list[ChainProblem] = []
    expected_seq, expected_prev = 1, GENESIS
    for number, line in enumerate(lines, start=1):
        seq = line.seq
        if line.prev_hash != expected_prev:
            message = (
                f"entry {seq} does not follow the entry before it "
                f"(its previous hash is {line.prev_hash[:12]}…, expected {expected_prev[:12]}…)"
            )
            problems.append(ChainProblem(number, seq, message))
        if seq != expected_seq:
            kind = (
                "missing entries before it" if isinstance(seq, int) and seq > expected_seq else "out of order"
            )
            problems.append(ChainProblem(number, seq, f"entry {seq} where {expected_seq} was due: {kind}"))
        actual = entry_hash(line.prev_hash, line.entry)
        if actual != line.hash:
            problems.append(
                ChainProblem(number, seq, f"entry {seq} was altered: its content does not match its hash")
            )
        expected_seq = seq + 1 if isinstance(seq, int) else expected_seq + 1
        expected_prev = line.hash
    return problems


def build_chain(entries: Iterable[Mapping[str, Any]], prev_hash: str = GENESIS) -> list[LogLine]:
    """Hash entries into a chain (what the server does when it appends; used by tests and export)."""
    chain: list[LogLine] = []
    for entry in entries:
        digest = entry_hash(prev_hash, entry)
        chain.append(LogLine(entry=dict(entry), prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    return chain


HASH_FIELDS = ("prev_hash", "hash")


def parse_line(text: str) -> LogLine:
    """One line of an export: the entry's fields plus `prev_hash` and `hash`. Every field but
    those two belongs to the entry, so a field added by hand changes the entry and its hash."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a log line must be a JSON object")
    prev_hash, digest = value.pop("prev_hash", None), value.pop("hash", None)
    if not isinstance(prev_hash, str) or not isinstance(digest, str):
        raise ValueError("a log line needs the strings prev_hash and hash")
    return LogLine(entry=value, prev_hash=prev_hash, hash=digest)
