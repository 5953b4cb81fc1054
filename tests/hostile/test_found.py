"""What the fuzzers in this folder found, each kept as the example that showed it.

Every one of these answered 500 with a traceback in the server's log (or, the first, logged a
traceback for a client's bad frame) before it was fixed.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import sys
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from server.app import create_app
from server.archive.checks import read_log
from server.archive.service import read_document
from server.auth.roles import Role
from server.config import Settings
from server.db import Database
from server.limits.logs import ClientFaultsWithoutTraceback
from server.register.importing import RegisterImportError, parse_register_csv
from server.register.reference import reference_names
from tests.factories import bearer
from tests.hostile.conftest import HOSTILE, HostileHall

KNOWN = reference_names()


# tests/hostile/test_kiosk_fuzz.py: a text frame that is not UTF-8 made uvicorn log an ERROR with
# a traceback, per frame, for anyone to repeat (it closes the connection with 1007 all the same).


async def test_a_text_frame_that_is_not_utf8_is_closed_without_a_traceback(hostile_hall: HostileHall) -> None:
    async with websockets.connect(f"{hostile_hall.server.ws}/ws/kiosk") as kiosk:
        await kiosk.send(json.dumps({"type": "hello", "pass": hostile_hall.seeded.passes[HOSTILE]}))
        assert json.loads(await kiosk.recv())["type"] == "welcome"
        await kiosk.send(b"\xc3\x28", text=True)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(kiosk.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
    output = hostile_hall.server.output()
    assert "WARNING:  Invalid UTF-8 sequence received from client. Closed with 1007." in output
    assert "Traceback" not in output


def test_the_filter_keeps_other_errors_whole() -> None:
    try:
        raise ValueError("a real bug")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n",
                               None, exc_info)  # fmt: skip
    assert ClientFaultsWithoutTraceback().filter(record)
    assert (record.levelno, record.exc_info) == (logging.ERROR, exc_info)


# tests/hostile/test_import_fuzz.py: register rows the database cannot hold (PostgreSQL's INTEGER,
# members.name's 200 characters, NUL in text) were accepted by the parser and failed at the insert.


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("GM0014,Groningen,2147483648", "bad population '2147483648': must be at most 2147483647"),
        ("GM0014," + "0" * 201 + ",669", "the name is longer than 200 characters"),
        ("GM0014,Gron\x00ingen,243768", "the name holds a control character"),
    ],
)
def test_register_rows_the_database_cannot_hold(line: str, problem: str) -> None:
    with pytest.raises(RegisterImportError) as refused:
        parse_register_csv(f"cbs_code,name,population\n{line}\n", KNOWN, allow_new_codes=True)
    assert [(p.line, p.message) for p in refused.value.problems] == [(2, problem)]


async def test_a_name_with_nul_over_http(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await client.post(
        "/api/members/import",
        content="cbs_code,name,population\nGM0014,Gron\x00ingen,243768\n",
        headers=bearer(tokens[Role.ADMIN]) | {"content-type": "text/csv"},
    )
    assert (response.status_code, response.json()["error"]) == (422, "invalid_register")


# tests/hostile/test_import_fuzz.py: a lone surrogate in a log entry of a meeting archive ("\ud800"
# in its JSON) cannot be encoded to hash it; the import failed with UnicodeEncodeError.


def surrogate_in_log(archive: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(archive)
    document["log"][3]["data"]["member"] = "\ud800"
    return document


def test_a_lone_surrogate_in_the_log_is_a_finding(archive: dict[str, Any]) -> None:
    _, found = read_log(read_document(surrogate_in_log(archive)).log)
    assert [(f.where, f.message) for f in found] == [
        ("log[3]", "has text that is not valid Unicode (a lone surrogate), so it cannot be hashed")
    ]


async def test_a_lone_surrogate_over_http(
    client: httpx.AsyncClient, tokens: dict[Role, str], archive: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/meetings/import",
        content=json.dumps(surrogate_in_log(archive)).encode(),  # "\ud800", as a client may send it
        headers=bearer(tokens[Role.ADMIN]) | {"content-type": "application/json"},
    )
    assert (response.status_code, response.json()["error"]) == (422, "invalid_log")


# tests/hostile/test_openapi_fuzz.py: ids past the database's integers (32 bits on PostgreSQL, 64
# on SQLite) and NUL in text (PostgreSQL) reached the database from well-formed requests.


@pytest.mark.parametrize(
    "path",
    [
        "/api/meetings/-153626001374675830361424368231394574336",  # schemathesis's own example
        "/api/meetings/3000000000",
        "/api/ballots/99999999999999999999",
        "/api/feed?meeting=99999999999999999999",  # public: no token needed to reach it
    ],
)
async def test_ids_past_the_databases_integers(
    client: httpx.AsyncClient, tokens: dict[Role, str], path: str
) -> None:
    response = await client.get(path, headers=bearer(tokens[Role.ADMIN]))
    # SQLite holds 3,000,000,000 (and has no such meeting); PostgreSQL's INTEGER does not.
    assert response.status_code in (404, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"] == "unstorable_value"


async def test_nul_in_a_title(
    client: httpx.AsyncClient, tokens: dict[Role, str], database_template: str
) -> None:
    response = await client.post(
        "/api/meetings", json={"title": "ALV\x00", "date": "2025-06-18"}, headers=bearer(tokens[Role.ADMIN])
    )
    if database_template.startswith("postgresql"):
        assert (response.status_code, response.json()["error"]) == (422, "unstorable_value")
    else:  # SQLite stores it as it is
        assert response.status_code == 201, response.text


# tests/hostile/test_kiosk_fuzz.py, now and then, under load: before its hello a kiosk sends a
# frame and right behind it one that uvicorn refuses (not UTF-8, or too big). uvicorn closes the
# socket itself (1007, 1009) and, until the connection is gone, refuses any later send with a
# RuntimeError; the answer to the first frame (a close 4401, an error) met it and escaped as
# "Exception in ASGI application". The race is replayed here with uvicorn's answer.


@pytest.mark.parametrize(
    "first",
    [
        '{"type": "hello", "pass": "vhp_made-up"}',  # answered with close 4401
        "{}",  # answered with an error frame
    ],
)
async def test_an_answer_after_uvicorn_closed_the_socket(
    settings: Settings, database: Database, first: str
) -> None:
    app = create_app(settings, database)
    inbound = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": first},
        {"type": "websocket.disconnect", "code": 1007},
    ]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return inbound.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])
        if message["type"] != "websocket.accept":  # uvicorn has sent its own close meanwhile
            raise RuntimeError(
                f"Unexpected ASGI message '{message['type']}', after sending 'websocket.close'."
            )

    scope = {"type": "websocket", "path": "/ws/kiosk", "raw_path": b"/ws/kiosk", "query_string": b"",
             "headers": [], "client": ("192.0.2.1", 50000), "server": ("127.0.0.1", 8000), "scheme": "ws",
             "root_path": "", "subprotocols": [], "asgi": {"version": "3.0"}}  # fmt: skip
    async with app.router.lifespan_context(app):
        await app(scope, receive, send)  # returns: the kiosk is gone, nothing to report
    assert sent[0] == "websocket.accept" and len(sent) == 2
