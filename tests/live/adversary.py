"""What an administrator can read of a served meeting, and how two runs of it are compared, for
the adversarial test of secret ballots (test_secret_adversary.py, issue 14's acceptance).

`Reader` gathers every observation: each GET route of the app with each operator token and
without one, the SSE feed, the exports and published files, and the database's rows with their
system columns. `Normalizer` replaces what is fresh in every run by numbered placeholders, so that
two runs that differ only in who chose whom can be compared as they are.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import text

from server.app import create_app
from server.auth.roles import Role
from server.config import Settings
from server.db import Database
from server.models import Base

# GET routes not read, with the reason. Every other GET route of the app is read by `Reader`.
OUT_OF_SCOPE = {
    "/kiosk/{path:path}": "the handheld's static files (JavaScript, CSS): the same bytes in every meeting",
    "/display/{path:path}": "the hall screen's static files: the same bytes in every meeting",
    "/assets/lib/{path:path}": "vendored libraries (the QR code maker): the same bytes in every meeting",
    "/docs/{name}": "the API documentation's static assets: the same bytes in every meeting",
    "/api/feed/stream": "a stream without end: read by `Reader.stream_event`, one event at a time",
}
READERS: dict[str, Role | None] = {
    "admin": Role.ADMIN,
    "chair": Role.CHAIR,
    "desk": Role.DESK,
    "public": None,
}


def get_routes() -> list[str]:
    """Every GET path of the app, walked through its routers (not only the OpenAPI document: the
    pages and the docs are left out of that)."""
    return sorted({path for path, methods in _routes() if "GET" in methods})


def websocket_routes() -> list[str]:
    """Every WebSocket path of the app."""
    return sorted({path for path, methods in _routes() if not methods})


def _routes() -> list[tuple[str, frozenset[str]]]:
    app = create_app(Settings(env="development"))
    found = []
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            original = getattr(context, "original_route", None)
            path = getattr(context, "path", "") or getattr(original, "path", "")
            found.append((path, frozenset(getattr(context, "methods", None) or ())))
    return found


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _document_xml(package: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(package)) as document:
        return document.read("word/document.xml").decode()


def readable(response: httpx.Response) -> Any:
    """A response as an observation: its status, type and body (JSON parsed, PDF and DOCX as
    their text)."""
    kind = response.headers.get("content-type", "").split(";")[0]
    body: Any
    if kind == "application/json":
        body = response.json()
    elif kind == "application/pdf":
        body = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    elif kind == DOCX:
        # The Word document as its text: the package's zip headers are no observation.
        body = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", _document_xml(response.content))
    elif kind == "application/x-ndjson":
        body = [json.loads(line) for line in response.text.splitlines() if line]
    elif response.text.startswith("# HELP"):
        body = [_measured(line) for line in response.text.splitlines() if not line.startswith("#")]
    else:
        body = response.text
    return {"status": response.status_code, "type": kind, "body": body}


# Prometheus samples that measure the run rather than count what happened in it: durations (and
# the counts of their histogram's buckets), the time a metric was created, the interpreter's
# memory, garbage collections and files. Their values vary from run to run; counts stay compared.
_MEASURED = re.compile(r"^(?:process_|python_gc_|\w*_seconds|\w*_created|\w*_bytes)")


def _measured(line: str) -> str:
    name = line.rpartition(" ")[0]
    return f"{name} <measured>" if _MEASURED.match(line) else line


class Reader:
    """Reads everything an administrator can reach over HTTP."""

    def __init__(self, base: str, tokens: dict[Role, str], ids: dict[str, str]) -> None:
        self.base, self.tokens, self.ids = base, tokens, ids

    def headers(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}

    async def every_get(self) -> dict[str, Any]:
        """{path: {reader: observation}} for every GET route in scope, with the path's ids filled."""
        seen: dict[str, Any] = {}
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as client:
            # /metrics last, a moment after the others: each request is counted as its
            # response ends, and the count of the one before must not race the reading.
            paths = sorted(get_routes(), key=lambda path: path == "/metrics")
            for path in paths:
                if path in OUT_OF_SCOPE:
                    continue
                if path == "/metrics":
                    await asyncio.sleep(0.2)
                url = path.format(**self.ids)
                seen[path] = {
                    name: readable(await client.get(url, headers=self.headers(role)))
                    for name, role in READERS.items()
                }
        return seen

    async def stream_event(self) -> str:
        """The first event of the public SSE feed."""
        async with (
            httpx.AsyncClient(base_url=self.base, timeout=30) as client,
            client.stream("GET", "/api/feed/stream") as response,
        ):
            lines: list[str] = []
            async for line in response.aiter_lines():
                if not line and lines:
                    return "\n".join(lines)
                if line:
                    lines.append(line)
        raise AssertionError("the feed stream ended before its first event")


def _cell(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def table_rows(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows in their physical order, with the system columns an SQL user sees:
    SQLite's rowid; PostgreSQL's xmin (the writing transaction) and ctid (the row's place)."""
    postgres = database.dialect == "postgresql"
    system = "xmin::text AS sys_xmin, ctid::text AS sys_ctid" if postgres else "rowid AS sys_rowid"
    order = "ctid" if postgres else "rowid"
    rows: dict[str, list[dict[str, Any]]] = {}
    async with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(text(f"SELECT {system}, * FROM {table.name} ORDER BY {order}"))
            rows[table.name] = [{k: _cell(v) for k, v in row._mapping.items()} for row in result]
    if postgres:
        # A transaction id counts every transaction of the cluster (other databases' too): what it
        # tells is which rows one transaction wrote and in what order, so it becomes its rank.
        ranks = {
            x: f"<tx {i}>"
            for i, x in enumerate(sorted({int(r["sys_xmin"]) for t in rows.values() for r in t}))
        }
        for table_rows_ in rows.values():
            for row in table_rows_:
                row["sys_xmin"] = ranks[int(row["sys_xmin"])]
    return rows


async def sqlite_pages(database: Database, path: Path) -> dict[str, int]:
    """SQLite's page bookkeeping and the file sizes: what a copy of the files shows beside the rows."""
    async with database.engine.connect() as connection:
        pages = {
            name: int((await connection.execute(text(f"PRAGMA {name}"))).scalar_one())
            for name in ("page_count", "freelist_count")
        }
    return {**pages, **await asyncio.to_thread(_file_sizes, path)}


def _file_sizes(path: Path) -> dict[str, int]:
    wal = Path(f"{path}-wal")
    return {"file_bytes": path.stat().st_size, "wal_bytes": wal.stat().st_size if wal.exists() else 0}


# Fresh per run, each replaced by a numbered placeholder in the order of first appearance, so that
# which values repeat where survives the normalization (a hash named again as the next entry's
# `prev`, the receipt of an ack found in the log):
FRESH = [
    # Timestamps (created, voted, logged at): when the run happened. Both worlds vote in the same
    # order, so what timing can say is the same in both; the clock's digits are not. Dropped to
    # one word: time is no per-member secret that two worlds could tell apart by.
    ("time", re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")),
    # The same in the hall's words ("Gepubliceerd op 3 december 2026, 18:15 UTC").
    (
        "time",
        re.compile(
            r"\d{1,2} (?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober"
            r"|november|december) \d{4},? \d\d:\d\d(?::\d\d)?(?: UTC)?"
        ),
    ),
    # A time on the hall's clock in the minutes' words (results.pdf, results.docx: "om 14:32 uur").
    ("time", re.compile(r"(?<!\d)\d\d:\d\d\s+uur\b")),
    # A time on the hall's clock alone, as the record words when a ballot was decided or the
    # meeting opened and closed ("Besloten om 16:32", "geopend 10:02"): when, not who chose whom.
    ("time", re.compile(r"(?<![\d:.])\d\d:\d\d(?![\d:])")),
    # SHA-256 hex: log hashes (of content with timestamps), ack receipts (a participation's hash),
    # token and pairing-code hashes, secret tags, the committee key's fingerprint.
    ("hex", re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")),
    # A server process's id (uuid4 hex) on its fan-out messages: random per process.
    ("process", re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")),
    # Nanosecond clock readings on the fan-out's messages (when a process heard of an entry).
    ("time", re.compile(r"(?<!\d)1[6-9]\d{17}(?!\d)")),
    # Operator and pass tokens (random).
    ("token", re.compile(r"vh[a-z]_[A-Za-z0-9_-]{20,}")),
    # Card codes (random), printed plain or in groups of four.
    ("card", re.compile(r"VHC[0-9A-Z]{28}|VHC[0-9A-Z]?(?: [0-9A-Z]{4}){7}")),
    # Pairing codes (random).
    ("pairing", re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")),
    # Base64 keys and boxes: the ballot's public key (random per open), the committee's key.
    ("base64", re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{42,}={0,2}")),
    # QR codes of the pairing URL (SVG paths), random since the code in them is.
    ("svg", re.compile(r"<svg.*?</svg>", re.S)),
]


class Normalizer:
    """One run's fresh values, each with its placeholder: `fresh[kind]` lists them in order."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.fresh: dict[str, list[str]] = {kind: [] for kind, _ in FRESH}

    def _name(self, kind: str, value: str) -> str:
        if kind == "time":
            self.fresh[kind].append(value)
            return "<time>"
        if value not in self.names:
            self.fresh[kind].append(value)
            self.names[value] = f"<{kind}{len(self.fresh[kind])}>"
        return self.names[value]

    def text(self, value: str) -> str:
        for kind, pattern in FRESH:
            value = pattern.sub(lambda match, kind=kind: self._name(kind, match.group(0)), value)
        return value

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            if set(value) == {"bytes"}:  # a BLOB: its length stays, its bytes are fresh
                return f"<bytes {len(value['bytes']) // 2}: {self._name('hex', value['bytes'])}>"
            return {self.text(str(k)): self(v) for k, v in value.items()}
        if isinstance(value, int) and 1_600_000_000 * 10**9 <= value < 2_000_000_000 * 10**9:
            self.fresh["time"].append(str(value))  # a nanosecond clock reading, as above
            return "<time>"
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value


def comparable_places(value: Any) -> Any:
    """`value` with PostgreSQL's row places (`sys_ctid`) made comparable between two runs: each
    table's rows in the order of their ids (or columns), the place replaced by "<place>"; which
    transaction wrote the row (`sys_xmin`, as its rank) stays compared. PostgreSQL puts a new row on the page that the inserting connection last
    used (its target block) when it has room, and which pooled connection takes a request is
    timing: the same writes land on other pages in another run. The physical order that could
    say something of a choice, that of the unit ballots, is checked on its own (test_secret_
    adversary: it is their receipts' order)."""
    if isinstance(value, dict):
        if "tables" in value and isinstance(value["tables"], dict):
            tables = {
                name: sorted(
                    ({**row, "sys_ctid": "<place>"} if "sys_ctid" in row else row for row in rows),
                    key=_row_order,
                )
                for name, rows in value["tables"].items()
            }
            value = {**value, "tables": tables}
        return {k: comparable_places(v) if k != "tables" else v for k, v in value.items()}
    return value


def _row_order(row: dict[str, Any]) -> tuple[int, str]:
    """A row's order among its table's: its id, else its columns but the system ones and the
    fresh values (BLOBs, hashes), which would order the rows at random."""
    if isinstance(row.get("id"), int):
        return row["id"], ""
    plain = {
        k: v for k, v in row.items()
        if not k.startswith("sys_") and not isinstance(v, dict) and not _is_receipt(v)
    }  # fmt: skip
    return 0, json.dumps(plain, sort_keys=True, default=str)


def _unit_rows(value: list[Any]) -> bool:
    return bool(value) and all(isinstance(row, dict) and {"receipt", "choice"} <= set(row) for row in value)


def units_as_counts(value: Any) -> Any:
    """`value` with every list of unit ballots ([[receipt, choice], ...], a `ballot_units` entry)
    replaced by the count of units per choice. The receipts are hashes of the members' fresh
    secrets, and sorting by them orders the units at random; both are checked on their own
    (test_secret_adversary: receipts sorted, distinct, each member's units scattered)."""
    if isinstance(value, dict):
        return {k: units_as_counts(v) for k, v in value.items()}
    if isinstance(value, list):
        if _unit_rows(value):  # rows of `unit_ballots` (the table, the archive): the same, as rows
            rest = [{k: v for k, v in row.items() if k not in ("receipt", "choice")} for row in value]
            return {
                "rows": rest,
                "units per choice": sorted(Counter(str(r["choice"]) for r in value).items()),
            }
        if value and all(isinstance(u, list) and len(u) == 2 and _is_receipt(u[0]) for u in value):
            return {"units per choice": sorted(Counter(str(u[1]) for u in value).items())}
        return [units_as_counts(v) for v in value]
    if isinstance(value, str) and value.startswith("{") and '"units"' in value:
        return json.dumps(units_as_counts(json.loads(value)), sort_keys=True)  # a JSON column
    return value


def _is_receipt(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def differences(a: Any, b: Any, where: str = "", limit: int = 20) -> list[str]:
    """Where two observations differ (a path and both values), up to `limit` places."""
    found: list[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                found.append(f"{where}/{key}: only in {'B' if key not in a else 'A'}")
            else:
                found += differences(a[key], b[key], f"{where}/{key}", limit - len(found))
            if len(found) >= limit:
                break
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found += differences(x, y, f"{where}[{index}]", limit - len(found))
            if len(found) >= limit:
                break
    elif a != b:
        found.append(f"{where}: A {str(a)[:300]!r} | B {str(b)[:300]!r}")
    return found[:limit]


# What a server log line holds that is fresh in every run, besides `FRESH`: the process id, the
# clients' ports, durations, object addresses, the WebSocket handshake's random key and its
# answer, and the HTTP date header.
_LOG_FRESH = [
    (re.compile(r"process \[\d+\]"), "process [<pid>]"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"\d+(?:\.\d+)?(?:e-\d+)?s\b"), "<duration>"),
    (re.compile(r"0x[0-9a-f]+"), "<address>"),
    (re.compile(r"(?i)(sec-websocket-(?:key|accept): )\S+"), r"\1<handshake>"),
    (re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT"), "<date>"),
]


# aiosqlite's lines for a connection the pool opens or closes (its PRAGMAs, functions, cursors):
# the pool opens one when requests overlap, which depends on timing. They carry no data; the
# lines of every statement stay counted.
_POOL = re.compile(
    r"(?:executing|operation) (?:<function |close\(|create_function\(|cursor\(|fetchall\(|set_iso\("
    r"|execute\('PRAGMA )"
)


def log_lines(log: str) -> Counter[str]:
    """The server's log as a multiset of normalized lines. Lines of concurrent tasks interleave
    differently from run to run, so their order is not compared; placeholders lose their numbers
    for the same reason (numbered by first appearance, they would follow the interleaving)."""
    normalize = Normalizer()
    lines: Counter[str] = Counter()
    for line in log.splitlines():
        if _POOL.search(line):
            continue
        for pattern, placeholder in _LOG_FRESH:
            line = pattern.sub(placeholder, line)
        lines[re.sub(r"<([a-z]+)\d+>", r"<\1>", normalize.text(line))] += 1
    return lines
