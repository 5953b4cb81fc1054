"""A ceiling on the size of every HTTP request body, counted as it arrives.

A declared Content-Length over the limit is refused before a byte of the body is read; a body
without one (chunked, or a lying client) is counted chunk by chunk and refused the moment it
passes the limit, so the server never holds more than the limit of one request in memory.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATUS = 413
CODE = "body_too_large"


class _Overflow(Exception):
    """Raised out of `receive` to stop the application reading a body that is too large."""


class BodyLimit:
    """Pure ASGI middleware: answer 413 `{"error": "body_too_large"}` for a body over the limit.

    `limits` gives larger limits to named paths (the imports); every other path gets `default`.
    """

    def __init__(self, app: ASGIApp, default: int, limits: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        overflowed = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    overflowed = True
                    raise _Overflow
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if overflowed:
                return  # whatever the application makes of the interrupted read, the answer is 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not overflowed:
                raise
        if overflowed and not started:
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP server has refused it already
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = orjson.dumps({"error": CODE, "detail": f"the request body is larger than {limit} bytes"})
    await send(
        {
            "type": "http.response.start",
            "status": STATUS,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is never read: the connection cannot carry another request.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
