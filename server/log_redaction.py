"""Keep secrets out of the log lines that libraries write (SPEC 3; SECURITY.md, threat 8).

The server's own messages name no secret. Two libraries under it, though, print what passes
through them once their loggers are at DEBUG (tests/security/test_log_scan.py found both):

- websockets, on uvicorn's "uvicorn.error" logger, prints every frame with its payload: a kiosk's
  hello shows its pass token, the chair's hello its operator token. It also prints the
  handshake's headers, where a client may have put an Authorization header or a cookie.
- aiosqlite prints every call it hands to its thread with the call's arguments: the SQL
  parameters, among them the voting card code that the desk looks up.

The filters below keep those lines, useful as they are for finding a problem, and leave out the
payloads, the secret headers and the parameters. SQLAlchemy's own statement log leaves its
parameters out too (`hide_parameters` in server.db).
"""

from __future__ import annotations

import functools
import logging

from websockets.frames import DATA_OPCODES, Frame

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
HEADER_LINES = ("< %s: %s", "> %s: %s")
HIDDEN = "<hidden>"


class HideWebSocketPayloads(logging.Filter):
    """websockets' `< %s` / `> %s` frame lines and `< %s: %s` header lines, without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple):
            return True
        if len(args) == 1 and isinstance(args[0], Frame) and args[0].opcode in DATA_OPCODES:
            frame = args[0]
            record.args = (f"{frame.opcode.name} {HIDDEN} [{len(frame.data)} bytes]",)
        elif len(args) == 2 and record.msg in HEADER_LINES and str(args[0]).lower() in SECRET_HEADERS:
            record.args = (args[0], HIDDEN)
        return True


class HideDriverParameters(logging.Filter):
    """aiosqlite's `executing %s`: the function and its SQL, not the parameters bound to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_call(arg) for arg in record.args)
        return True


def _call(value: object) -> object:
    if not isinstance(value, functools.partial):
        return value
    name = getattr(value.func, "__name__", type(value.func).__name__)
    statement = value.args[0] if value.args and isinstance(value.args[0], str) else None
    return f"{name}({statement!r}, {HIDDEN})" if statement is not None else f"{name}({HIDDEN})"


_FILTERS: dict[str, logging.Filter] = {
    "uvicorn.error": HideWebSocketPayloads(),
    "websockets": HideWebSocketPayloads(),
    "aiosqlite": HideDriverParameters(),
}


def install() -> None:
    """Add the filters to their loggers; again is harmless (a logger keeps one of each).

    A logger's filters outlive `logging.config.dictConfig`, which uvicorn runs after the app
    is made, so installing them when the app is made is enough."""
    for name, log_filter in _FILTERS.items():
        logging.getLogger(name).addFilter(log_filter)
