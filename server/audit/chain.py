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

from server.audit.wording import Said, say

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
    said: Said

    @property
    def message(self) -> str:
        return self.said.text("en")


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
            message = say(
                "entry {seq} does not follow the entry before it (its previous hash is {got}…, expected {expected}…)",
                seq=seq,
                got=line.prev_hash[:12],
                expected=expected_prev[:12],
            )
            problems.append(ChainProblem(number, seq, message))
        if seq != expected_seq:
            kind = (
                "entry {seq} where {due} was due: missing entries before it"
                if isinstance(seq, int) and seq > expected_seq
                else "entry {seq} where {due} was due: out of order"
            )
            problems.append(ChainProblem(number, seq, say(kind, seq=seq, due=expected_seq)))
        actual = entry_hash(line.prev_hash, line.entry)
        if actual != line.hash:
            problems.append(
                ChainProblem(
                    number, seq, say("entry {seq} was altered: its content does not match its hash", seq=seq)
                )
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


def export_form(line: LogLine) -> bytes:
    """The bytes the server exports for a line, without its newline: the entry's canonical bytes
    with `prev_hash` and `hash` added as the last two keys (`server.audit.service.export_line`).
    Raises UnicodeEncodeError for text that has no UTF-8 bytes (a lone surrogate)."""
    body = canonical(line.entry)
    tail = json.dumps(
        {"prev_hash": line.prev_hash, "hash": line.hash}, separators=(",", ":"), ensure_ascii=False
    )
    return (body[:-1] + b"," if line.entry else b"{") + tail[1:].encode("utf-8")


class LineError(ValueError):
    """A line that is not a log line in canonical form; `said` says why, in either language."""

    def __init__(self, said: Said, line: LogLine | None = None) -> None:
        super().__init__(said.text("en"))
        self.said = said
        self.line = line  # what the line parses to, when it parses to one object at all


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise LineError(say("the key {key!r} appears twice in one object", key=key))
        value[key] = item
    return value


def _no_constant(constant: str) -> Any:
    raise LineError(say("{constant} is not a JSON value", constant=constant))


def parse_canonical_line(text: str) -> LogLine:
    """One line of an export, refused (LineError) unless it is exactly the bytes the server
    writes for the object it parses to: one reading only, whatever parser reads it (no key twice,
    no NaN, no other key order, spacing or escaping). `text` is the line without its newline."""
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except LineError:
        raise
    except json.JSONDecodeError as error:
        raise LineError(
            say("the line is not JSON (from character {column} on)", column=error.pos + 1)
        ) from None
    line = _line_of(value)
    try:
        written = export_form(line)
    except UnicodeEncodeError:
        raise LineError(
            say("it has text that is not valid Unicode (a lone surrogate), so it cannot be hashed")
        ) from None
    given = text.encode("utf-8", "surrogatepass")
    if written != given:
        column = next(
            (i for i, (a, b) in enumerate(zip(written, given, strict=False)) if a != b),
            min(len(written), len(given)),
        )
        raise LineError(
            say(
                "it is not in canonical form (the bytes the server writes for this entry: keys sorted, "
                "prev_hash and hash last, no spaces, characters unescaped; see docs/AUDIT.md); it differs "
                "from character {column} on",
                column=len(given[:column].decode("utf-8", "replace")) + 1,
            ),
            line,
        )
    return line


def _line_of(value: Any) -> LogLine:
    if not isinstance(value, dict):
        raise LineError(say("a log line must be a JSON object"))
    prev_hash, digest = value.pop("prev_hash", None), value.pop("hash", None)
    if not isinstance(prev_hash, str) or not isinstance(digest, str):
        raise LineError(say("a log line needs the strings prev_hash and hash"))
    return LogLine(entry=value, prev_hash=prev_hash, hash=digest)


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
