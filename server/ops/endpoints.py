"""`/healthz`, `/readyz` and `/metrics`: for load balancers, orchestrators and Prometheus.

Public, outside `/api`: probes carry no token. `/metrics` needs `Authorization: Bearer
<VOTEHALL_METRICS_TOKEN>` when that setting is made (the figures tell how many kiosks are
connected and how fast votes come in, which an association may not want to publish).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from server.errors import Unauthorized
from server.ops.metrics import exposition
from server.ops.service import readiness_problem
from server.security import same_secret

router = APIRouter(tags=["operations"])

_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"description": "not ready: starting, shutting down, or the database does not answer"}
}


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive: answers as long as its event loop does."""
    return {"status": "ok"}


@router.get("/readyz", responses=_NOT_READY)
async def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the live hub runs and the database answers `SELECT 1` in time."""
    state = request.app.state
    problem = await readiness_problem(getattr(state, "database", None), getattr(state, "live", None))
    if problem is not None:
        return JSONResponse({"error": "not_ready", "detail": problem}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics(request: Request) -> Response:
    """Prometheus metrics of this process (of all processes with PROMETHEUS_MULTIPROC_DIR)."""
    token = request.app.state.settings.metrics_token
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise Unauthorized("send 'Authorization: Bearer <VOTEHALL_METRICS_TOKEN>'", code="missing_token")
        if not same_secret(given.strip(), token.get_secret_value()):
            raise Unauthorized("that is not the metrics token", code="invalid_token")
    # Collecting reads every metric under its lock; off the event loop with many processes' files.
    body, content_type = await asyncio.to_thread(exposition)
    return Response(body, media_type=content_type)
