"""Every log line a `votehall serve` process can print, for the log-scan test (test_log_scan.py).

Python imports `sitecustomize` at start-up from the path (as bench/sitecustomize.py does); the
test puts this folder on the server process's PYTHONPATH. The server then runs as it always
does, except that uvicorn logs at DEBUG with access logs on, the root logger takes DEBUG too (the
server's own modules, aiosqlite, asyncpg, websockets), and SQLAlchemy logs every statement
(INFO, what `echo=True` shows): whatever an operator who turned logging up to hunt a problem sees.

The options are set where every way of serving passes through, `uvicorn.Config`, so that this
holds however `votehall serve` starts uvicorn.
"""

from __future__ import annotations

import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

_init = uvicorn.Config.__init__


def _loud_init(self: uvicorn.Config, app: Any, **options: Any) -> None:
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["root"] = {"handlers": ["default"], "level": "DEBUG"}
    config["loggers"]["sqlalchemy.engine"] = {"level": "INFO"}
    options.update(log_level="debug", access_log=True, log_config=config)
    _init(self, app, **options)


uvicorn.Config.__init__ = _loud_init  # type: ignore[method-assign]
