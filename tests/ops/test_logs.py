"""VOTEHALL_LOG_FORMAT=json: one JSON object per line, from uvicorn and from the server."""

from __future__ import annotations

import json
import logging
import sys

import httpx

from server.db import Database
from server.ops.logs import JsonFormatter, log_config
from tests.servers import ServerProcess


def record(name: str, message: str, *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord(name, logging.WARNING, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_a_record_is_one_line_of_json_with_its_extra_fields() -> None:
    line = JsonFormatter().format(
        record("server.live.writer", "a batch of %d", 12, batch=12, ballot={1: "x"})
    )
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "server.live.writer"
    assert entry["message"] == "a batch of 12"
    assert entry["time"].endswith("+00:00")
    assert (entry["batch"], entry["ballot"]) == (12, {"1": "x"})
    assert "args" not in entry and "msg" not in entry


def test_an_exception_goes_into_the_same_line() -> None:
    try:
        raise ValueError("kapot")
    except ValueError:
        entry = record("server", "failed")
        entry.exc_info = sys.exc_info()
    parsed = json.loads(JsonFormatter().format(entry))
    assert "ValueError: kapot" in parsed["exception"]


def test_uvicorn_access_lines_have_their_fields() -> None:
    access = record(
        "uvicorn.access", '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET", "/api/feed", "1.1", 200
    )
    entry = json.loads(JsonFormatter().format(access))
    assert (entry["client"], entry["method"], entry["path"], entry["status"]) == (
        "10.0.0.1:5000", "GET", "/api/feed", 200,
    )  # fmt: skip


def test_both_formats_configure_uvicorn_and_the_server() -> None:
    for log_format in ("text", "json"):
        config = log_config(log_format)
        assert {"uvicorn", "uvicorn.error", "uvicorn.access", "server"} <= config["loggers"].keys()
        assert config["root"]["handlers"] == ["app"]
    assert log_config("json")["formatters"] == {"json": {"()": "server.ops.logs.JsonFormatter"}}


async def test_a_server_writes_json_lines(database: Database) -> None:
    server = ServerProcess(database.url, env={"VOTEHALL_LOG_FORMAT": "json"})
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base) as client:
            assert (await client.get("/api/feed?meeting=424242")).status_code == 404
    finally:
        assert server.terminate() == 0
        output = server.output()
        server.stop()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in lines)
    loggers = {entry["logger"] for entry in lines}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers, loggers
    access = [entry for entry in lines if entry["logger"] == "uvicorn.access"]
    assert any(entry["path"] == "/api/feed?meeting=424242" and entry["status"] == 404 for entry in access)
