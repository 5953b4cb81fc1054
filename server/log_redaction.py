"""Keep secrets out of the log lines that libraries write (SPEC 3; SECURITY.md, threat 8).

The server's own messages name no secret. Two libraries under it, though, print what passes
through them once their loggers are at DEBUG (tests/security/test_log_scan.py found both):

- websockets, on uvicorn's "uvicorn.error" logger, prints every frame with its payload: a kiosk's
  hello shows its pass token, the chair's hello its operator token, and the length of a vote on
  a secret ballot says something of its choice. It also prints the
  handshake's headers, where a client may have put an Authorization header or a cookie.
- aiosqlite prints every call it hands to its thread with the call's arguments: the SQL
  parameters, among them the voting card code that the desk looks up.

The filters below keep those lines, useful as they are for finding a problem, and leave out the
payloads, the secret headers and the parameters. SQLAlchemy's own statement log leaves its
parameters out too (`hide_parameters` in server.db).

A client may also put a secret where the server never asks for one: in a query string
(`/api/members?token=vht_...`, `/ws/kiosk?pass=...`). uvicorn's access line and its WebSocket
line quote the request target as sent, so `redact_query` masks the value of every query
parameter whose name sounds secret; `votehall serve`'s formatters (server.ops.logs) apply it to
every line they write, text or JSON, after the line is formatted, whatever logger wrote it.
"""

from __future__ import annotations

import functools
import logging
import re
from urllib.parse import unquote

from websockets.frames import DATA_OPCODES, Frame

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
HEADER_LINES = ("< %s: %s", "> %s: %s")
HIDDEN = "<hidden>"
# A query parameter is secret when its name (decoded, any case) contains one of these words:
# token, access_token, pass, pass_token, card, code, pairing_code, password, secret, api_key...
SECRET_QUERY_WORDS = ("token", "pass", "card", "code", "secret", "key", "auth", "session", "signature")
REDACTED = "<redacted>"
# `name=value` right after `?`, `&` or `;`; the value runs to the next separator, space or quote.
_QUERY_PARAMETER = re.compile(r"(?<=[?&;])([^=&;?#\s\"\\]+)=([^&;#\s\"\\]*)")


def _masked(match: re.Match[str]) -> str:
    name, value = match.group(1), match.group(2)
    secret = any(word in unquote(name).lower() for word in SECRET_QUERY_WORDS)
    return f"{name}={REDACTED}" if secret and value else match.group(0)


def redact_query(text: str) -> str:
    """`text` with the values of secret-sounding query parameters replaced by `<redacted>`."""
    if "=" not in text:
        return text
    return _QUERY_PARAMETER.sub(_masked, text)


class HideWebSocketPayloads(logging.Filter):
    """websockets' `< %s` / `> %s` frame lines and `< %s: %s` header lines, without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple):
            return True
        if len(args) == 1 and isinstance(args[0], Frame) and args[0].opcode in DATA_OPCODES:
            # Not its length either: a vote's frame is longer for "abstain" than for a candidate's
            # id (or for id 10 than id 9), and the line follows the member's connection
            # (tests/live/test_secret_adversary.py found it).
            record.args = (f"{args[0].opcode.name} {HIDDEN}",)
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
