"""Client faults that uvicorn logs as if they were the server's.

uvicorn's WebSocket protocol logs a text frame that is not UTF-8 with `logger.exception`: an
ERROR with a traceback for every such frame any client sends, which reads like a crash, buries
real ones and lets anyone fill the log. The client is answered with close 1007 all the same; the
filter below keeps the line and drops the traceback, at WARNING.
"""

from __future__ import annotations

import logging

CLIENT_FAULTS = frozenset({"Invalid UTF-8 sequence received from client."})


class ClientFaultsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in CLIENT_FAULTS and record.exc_info:
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
            record.msg = f"{record.msg} Closed with 1007."
        return True


def install() -> None:
    """Once per process, on the logger uvicorn's protocols write to."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, ClientFaultsWithoutTraceback) for f in logger.filters):
        logger.addFilter(ClientFaultsWithoutTraceback())
