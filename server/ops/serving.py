"""Run uvicorn with a graceful shutdown that loses no acknowledgement (README "Operations").

On SIGTERM (or Ctrl-C) plain uvicorn closes every WebSocket with 1012 at once and only then
runs the app's shutdown: votes still queued for the writer would commit, but their acks could
no longer reach the kiosks. `GracefulServer` first stops taking connections, then lets the live
hub shut down while the sockets are still open (readiness answers 503, the writer commits what
is queued, each kiosk gets its pending acks and then close 1012, screens get 1012), and only
then hands over to uvicorn's own shutdown. A SIGTERM ends the process with status 0.

`--workers N` runs uvicorn's own supervisor and worker processes: there the hub's shutdown runs
in uvicorn's lifespan step, after uvicorn has closed the sockets with 1012. Nothing that was
acked is lost; a vote committed in that moment is acked when its kiosk resends it after
reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE

from server.live.hub import LiveHub
from server.ops.metrics import clear_multiprocess_dir

log = logging.getLogger(__name__)

DRAIN_TIMEOUT = 10.0  # seconds, unless uvicorn's timeout_graceful_shutdown says otherwise


def live_hub(app: Any) -> LiveHub | None:
    """The live hub of the VoteHall app inside uvicorn's middleware wrappers, once started."""
    while app is not None and not isinstance(app, FastAPI):
        app = getattr(app, "app", None)
    hub = getattr(app.state, "live", None) if app is not None else None
    return hub if isinstance(hub, LiveHub) else None


class GracefulServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        hub = live_hub(self.config.loaded_app) if self.started else None
        if hub is not None and not self.force_exit:
            # Kiosks told to reconnect must not come back to this process.
            for server in self.servers:
                server.close()
            timeout = self.config.timeout_graceful_shutdown or DRAIN_TIMEOUT
            try:
                async with asyncio.timeout(timeout):
                    await hub.stop()
                    await hub.disconnected()
            except TimeoutError:
                log.error("shutdown: the live hub did not finish within %g s", timeout)
        await super().shutdown(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # uvicorn raises a captured signal again once it has shut down, which would end the
        # process with 143; a SIGTERM is the ordinary way to stop a service, so it exits 0.
        captured: list[int] = getattr(self, "_captured_signals", [])
        if sig == signal.SIGTERM and sig in captured:
            captured.remove(sig)


def run(app: Any, **options: Any) -> None:
    """What `uvicorn.run(app, **options)` does, with GracefulServer for a single process."""
    clear_multiprocess_dir()
    config = uvicorn.Config(app, **options)
    if config.workers > 1:
        uvicorn.run(app, **options)
        return
    server = GracefulServer(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
