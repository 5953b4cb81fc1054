"""How a request answers when the database refuses or does not answer: one place decides.

- **422 `unstorable_value`**: a value the database cannot store is the client's fault. The
  request schemas check shapes; the database still has limits of its own that a hostile or
  careless client can reach with a well-formed request: an id past 32 bits (PostgreSQL INTEGER)
  or 64 bits (SQLite), a NUL character in text (PostgreSQL), a string longer than its column
  (PostgreSQL). tests/hostile found each as a 500 with a traceback in the log.
- **503 `unavailable`**: the database did not answer (restarting, unreachable, the connection
  cut): nothing was stored and the client may try again, as a vote gets `unavailable`
  (docs/DATABASE_OUTAGE.md).
- Anything else stays a 500: it is the server's fault, and its traceback is logged.

The transaction is rolled back in every case; this only names the cause.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

UNSTORABLE = "unstorable_value"
UNSTORABLE_DETAIL = (
    "a value in the request cannot be stored: a number out of range, text with a NUL character, "
    "or text longer than the field allows"
)
UNAVAILABLE_DETAIL = "the database is not answering; nothing was changed, try again shortly"
DATA_EXCEPTION = "22"  # the SQLSTATE class of every "data exception"
SQLITE_OVERFLOW = "too large to convert to SQLite INTEGER"


def unstorable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(DATA_EXCEPTION)


def away(exc: DBAPIError) -> bool:
    """The database is unreachable or the connection broke, rather than the statement failing.
    A "data exception" is an OperationalError too on some drivers: `unstorable` is asked first."""
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))


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
    return _unavailable(exc)  # the driver could not even connect


async def _overflow(_: Request, exc: Exception) -> JSONResponse:
    if SQLITE_OVERFLOW in str(exc):
        return _refused()
    raise exc


def install(app: FastAPI) -> None:
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(ConnectionError, _connection_error)
    app.add_exception_handler(OverflowError, _overflow)
