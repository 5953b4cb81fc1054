"""How a request answers when the database refuses or does not answer: one place decides.

- **422 `unstorable_value`**: a value the database cannot store is the client's fault. The
  request schemas check shapes; the database still has limits of its own that a hostile or
  careless client can reach with a well-formed request: an id past 32 bits (PostgreSQL INTEGER)
  or 64 bits (SQLite), a NUL character in text (PostgreSQL), a string longer than its column
  (PostgreSQL). tests/hostile found each as a 500 with a traceback in the log.
- **503 `unavailable`**: the database did not answer (restarting, unreachable, the connection
  cut): nothing was stored and the client may try again, as a vote gets `unavailable`
  (docs/DATABASE_OUTAGE.md).
  It is decided on the SQLSTATE where the driver gives one (PostgreSQL), on SQLite's words
  otherwise; an OperationalError is not enough (SQLite raises one for a missing column too).
- Anything else stays a 500: it is the server's fault, and its traceback is logged.

The transaction is rolled back in every case; this only names the cause.
"""

from __future__ import annotations

import logging
import socket

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)

UNSTORABLE = "unstorable_value"
UNSTORABLE_DETAIL = (
    "a value in the request cannot be stored: a number out of range, text with a NUL character, "
    "or text longer than the field allows"
)
UNAVAILABLE_DETAIL = "the database is not answering; nothing was changed, try again shortly"
DATA_EXCEPTION = "22"  # the SQLSTATE class of every "data exception" ...
NOT_THE_CLIENTS = {"22012"}  # ... but a division by zero is the server's own
# SQLSTATE classes and codes of a database that is away, busy or restarting: the client may try
# again. 08 connection exception, 40 transaction rollback (deadlock, serialization), 53
# insufficient resources, 57 operator intervention (shutting down, starting up, statement
# timeout), 58 system error; 55P03 lock not available.
AWAY_CLASSES = ("08", "40", "53", "57", "58")
AWAY_CODES = {"55P03"}
# SQLite says the same in words: a lock held too long, a file it cannot reach.
SQLITE_AWAY = ("database is locked", "unable to open database", "disk i/o error", "database or disk is full")
SQLITE_OVERFLOW = "too large to convert to SQLite INTEGER"


def _sqlstate(exc: DBAPIError) -> str | None:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else None


def unstorable(exc: DBAPIError) -> bool:
    sqlstate = _sqlstate(exc)
    return sqlstate is not None and sqlstate.startswith(DATA_EXCEPTION) and sqlstate not in NOT_THE_CLIENTS


def away(exc: DBAPIError) -> bool:
    """The database is unreachable, restarting or too busy, or the connection broke, rather
    than the statement being wrong (a server bug, which stays a 500 with its traceback)."""
    if exc.connection_invalidated:
        return True
    sqlstate = _sqlstate(exc)
    if sqlstate is not None:
        return sqlstate.startswith(AWAY_CLASSES) or sqlstate in AWAY_CODES
    transient = (OSError, TimeoutError)
    if isinstance(exc.orig, transient) or isinstance(getattr(exc.orig, "__cause__", None), transient):
        return True
    message = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and any(words in message for words in SQLITE_AWAY)


def _refused() -> JSONResponse:
    return JSONResponse({"error": UNSTORABLE, "detail": UNSTORABLE_DETAIL}, status_code=422)


def _unavailable(exc: Exception) -> JSONResponse:
    log.warning("the database did not answer: %s: %s", type(exc).__name__, exc)
    return JSONResponse({"error": "unavailable", "detail": UNAVAILABLE_DETAIL}, status_code=503)


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if unstorable(exc):
        return _refused()
    if away(exc):
        return _unavailable(exc)
    raise exc


async def _connection_error(_: Request, exc: Exception) -> JSONResponse:
    # The driver could not even connect: refused, reset, timed out, or a host name that does
    # not resolve (socket.gaierror, compose's `postgres` before its network is up).
    return _unavailable(exc)


async def _overflow(_: Request, exc: Exception) -> JSONResponse:
    if SQLITE_OVERFLOW in str(exc):
        return _refused()
    raise exc


def install(app: FastAPI) -> None:
    app.add_exception_handler(DBAPIError, _database_error)
    for error in (ConnectionError, TimeoutError, socket.gaierror):
        app.add_exception_handler(error, _connection_error)
    app.add_exception_handler(OverflowError, _overflow)
