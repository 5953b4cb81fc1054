"""The ASGI application: routers, error mapping, and the database's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send

from server.api_docs import router as docs_router
from server.archive.endpoints import router as archive_router
from server.auth.endpoints import router as tokens_router
from server.ballots.endpoints import router as ballots_router
from server.cards.endpoints import router as cards_router
from server.config import Settings, get_settings
from server.database_errors import install as install_database_errors
from server.db import Database
from server.desk.endpoints import kiosk_router as pairing_router
from server.desk.endpoints import router as passes_router
from server.desk.throttle import DeskGuard
from server.errors import VoteHallError
from server.limits import install as install_limits
from server.live.feed_endpoints import router as feed_router
from server.live.hub import LiveHub
from server.live.kiosk_ws import KIOSK_PATH, kiosk_socket
from server.log_redaction import install as keep_secrets_out_of_library_logs
from server.meetings.endpoints import router as meetings_router
from server.ops.endpoints import router as ops_router
from server.ops.metrics import HttpMetrics
from server.ops.serving_lock import ServingLock
from server.pages import router as pages_router
from server.record.endpoints import router as record_router
from server.record.listing_endpoints import router as records_router
from server.register.endpoints import router as members_router


def _error(status: int, code: str, detail: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail, **extra}, status_code=status)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VoteHallError)
    return JSONResponse(exc.to_body(), status_code=exc.status)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
        for error in exc.errors()
    ]
    summary = "; ".join(f"{p['where']}: {p['message']}" for p in problems[:5])
    return _error(422, "invalid_request", summary or "the request is not valid", errors=problems)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    return JSONResponse(
        {"error": code, "detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
    )


class VoteHallApp(FastAPI):
    """FastAPI, with the kiosk socket answered before routing and the middleware stack.

    A kiosk socket lives all day and ten thousand are open at once: through the stack, each
    would hold a dozen frames of routing, exception wrappers and middleware for its whole life
    (6 KB a socket), and every frame it sends would pass through Starlette's WebSocket (a sixth
    of the server's time in a burst; bench/README.md, issue 16). The middleware's only work for
    it, the connections per address, is done by the socket itself (`kiosk_socket`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == KIOSK_PATH:
            scope["app"] = self
            await kiosk_socket(self, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class _KioskRoute:
    """The same socket as a route, so that the route table lists it (VoteHallApp answers it first)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await kiosk_socket(scope["app"], scope, receive, send)


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    keep_secrets_out_of_library_logs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        # A process that owns its database (`votehall serve`) makes sure it may serve it.
        lock = (
            await ServingLock.acquire(settings.database_url, redis=bool(settings.redis_url))
            if owned
            else None
        )
        live: LiveHub | None = None
        try:  # a start that fails (the database away) still lets go of the lock and the engine
            app.state.database = database or Database(
                settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
            )
            app.state.live = live = LiveHub(app.state.database)
            if settings.redis_url:
                live.fan_out(settings.redis_url, settings.redis_channel)
            await live.start()
            yield
        finally:
            if live is not None:
                await live.stop()
            if owned and getattr(app.state, "database", None) is not None:
                await app.state.database.dispose()
            if lock is not None:
                await lock.release()

    app = VoteHallApp(
        title="VoteHall",
        summary="Live weighted voting for general assemblies",
        version="0.1.0",
        lifespan=lifespan,
        # /docs is served from VoteHall's own copy of Swagger UI (server/api_docs.py); no ReDoc.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.desk_guard = DeskGuard(per_minute=settings.desk_checkins_per_minute)
    if database is not None:
        app.state.database = database
    app.add_exception_handler(VoteHallError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    install_database_errors(app)
    app.add_middleware(HttpMetrics)
    routers = (
        members_router,
        meetings_router,
        archive_router,
        record_router,
        records_router,
        ballots_router,
        passes_router,
        cards_router,
        pairing_router,
        tokens_router,
        feed_router,
        pages_router,
        docs_router,
        ops_router,
    )
    for router in routers:
        app.include_router(router)
    app.router.routes.append(WebSocketRoute(KIOSK_PATH, _KioskRoute()))
    install_limits(app, settings)
    return app
