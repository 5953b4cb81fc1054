"""VOTEHALL_LOG_FORMAT=json: one JSON object per line, from uvicorn and from the server."""

from __future__ import annotations

import contextlib
import json
import logging
import sys

import httpx
import pytest
import websockets

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


# Issue 13 item 6: a client that puts a secret in a query string must not get it into a log.
SECRETS = {
    "token": "vht_leaked-operator-token-0123456789",
    "access_token": "vht_leaked-access-token-0123456789",
    "pass": "vhp_leaked-pass-token-0123456789",
    "card": "LEAK-CARD-4242",
    "code": "LEAKPAIR42",
}
QUERY = "&".join(f"{name}={value}" for name, value in SECRETS.items())


def test_every_formatter_masks_query_secrets_of_any_logger() -> None:
    """The server's own lines and a traceback too, in both formats: the mask is applied to the
    finished line, not to the fields one logger happens to use."""
    try:
        raise ValueError(f"could not read /api/members?{QUERY}")
    except ValueError:
        failure = record("server.desk", "a request to /api/feed?meeting=1&%s", QUERY)
        failure.exc_info = sys.exc_info()
    for log_format in ("text", "json"):
        config = log_config(log_format)
        for name, spec in config["formatters"].items():
            factory = spec["()"]
            module, _, cls = factory.rpartition(".")
            formatter_class = getattr(__import__(module, fromlist=[cls]), cls)
            options = {key: value for key, value in spec.items() if key != "()"}
            access = record(
                "uvicorn.access", '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET",
                f"/api/feed?meeting=1&{QUERY}", "1.1", 401,
            )  # fmt: skip
            line = formatter_class(**options).format(access if name == "access" else failure)
            failure.exc_text = None  # formatted anew by the next formatter
            for value in SECRETS.values():
                assert value not in line, (log_format, name, line)
            assert "token=<redacted>" in line and "meeting=1" in line, (log_format, name, line)


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_secret_in_a_query_string_never_reaches_the_log(database: Database, log_format: str) -> None:
    """A real `votehall serve`: an operator route with `?token=...` (401), a public route, and a
    kiosk socket opened with `?pass=...`; its whole output (access log and uvicorn's error log)
    holds none of the secrets, and the access lines show where they were masked."""
    server = ServerProcess(database.url, env={"VOTEHALL_LOG_FORMAT": log_format})
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base) as client:
            assert (await client.get(f"/api/members?{QUERY}")).status_code == 401
            assert (await client.get(f"/api/feed?meeting=424242&{QUERY}")).status_code == 404
        async with websockets.connect(f"{server.ws}/ws/kiosk?{QUERY}") as kiosk:
            await kiosk.send(json.dumps({"type": "hello", "pass": "vhp_not-a-pass"}))
            with contextlib.suppress(websockets.ConnectionClosed):
                await kiosk.recv()
    finally:
        assert server.terminate() == 0
        output = server.output()
        server.stop()
    for value in SECRETS.values():
        assert value not in output, output
    assert output.count("token=<redacted>") >= 3, output  # the two requests and the socket
    assert "/api/members?token=<redacted>&access_token=<redacted>&pass=<redacted>" in output, output
    assert "meeting=424242" in output, output
    assert "WebSocket /ws/kiosk?token=<redacted>" in output, output


async def test_the_log_level_setting_lets_debug_lines_through_and_hides_every_frame(
    database: Database,
) -> None:
    frame = '{"type": "hello", "pass": "not-a-pass-but-a-frame"}'
    outputs: dict[str, str] = {}
    for level in ("info", "debug"):
        server = ServerProcess(database.url, env={"VOTEHALL_LOG_LEVEL": level})
        server.start()
        try:
            async with websockets.connect(f"{server.ws}/ws/kiosk") as kiosk:
                await kiosk.send(frame)
                with contextlib.suppress(websockets.ConnectionClosed):  # 4401: no such pass
                    await kiosk.recv()
        finally:
            assert server.terminate() == 0
            outputs[level] = server.output()
            server.stop()  # closes its log file
    assert "DEBUG" not in outputs["info"], outputs["info"]
    debug_lines = [line for line in outputs["debug"].splitlines() if line.startswith("DEBUG")]
    assert any("< TEXT <hidden>" in line for line in debug_lines), outputs["debug"]
    assert "not-a-pass-but-a-frame" not in outputs["debug"]
    assert not [line for line in debug_lines if "TEXT" in line and "bytes]" in line]  # no vote's length
