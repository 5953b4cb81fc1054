"""A value the database cannot store is the client's fault: 422, not 500.

The request schemas check shapes; the database still has limits of its own that a hostile or
careless client can reach with a well-formed request: an id past 32 bits (PostgreSQL INTEGER)
or 64 bits (SQLite), a NUL character in text (PostgreSQL), a string longer than its column
(PostgreSQL). Each used to answer 500 with a traceback in the log (tests/hostile found them).
The transaction is rolled back either way; this only names the cause and keeps the log clean.
Other database errors stay 500: they are the server's.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

CODE = "unstorable_value"
DETAIL = (
    "a value in the request cannot be stored: a number out of range, text with a NUL character, "
    "or text longer than the field allows"
)
DATA_EXCEPTION = "22"  # the SQLSTATE class of every "data exception"
SQLITE_OVERFLOW = "too large to convert to SQLite INTEGER"


def _refused() -> JSONResponse:
    return JSONResponse({"error": CODE, "detail": DETAIL}, status_code=422)


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(DATA_EXCEPTION):
        return _refused()
    raise exc


async def _overflow(_: Request, exc: Exception) -> JSONResponse:
    if SQLITE_OVERFLOW in str(exc):
        return _refused()
    raise exc


def install(app: FastAPI) -> None:
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(OverflowError, _overflow)
