"""Log configuration of `votehall serve`: uvicorn's loggers and the server's own, as text or JSON.

`VOTEHALL_LOG_FORMAT=json` writes one JSON object per line: `time` (UTC, ISO 8601), `level`,
`logger`, `message`, then any extra fields of the record (`log.info(..., extra={...})`) and,
for uvicorn's access log, `client`, `method`, `path` and `status`. The dictionary goes to
uvicorn as its `log_config`, so every worker process applies it too.

No secret reaches these lines from the server: its routes never carry one in a path or query
string (SPEC 3), and server.log_redaction filters what libraries would print at DEBUG. A client
may still send one in a query string (`?token=vht_...`); every formatter below masks the values
of secret-sounding query parameters in the finished line (`redact_query`), so neither the access
line, nor uvicorn's WebSocket and error lines, nor the server's own lines, nor a traceback keep it.
"""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter, DefaultFormatter

from server.log_redaction import redact_query

LogFormat = Literal["text", "json"]

# Attributes every LogRecord has; anything else on a record came in through `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's coloured copy of the message
}
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class RedactingDefaultFormatter(DefaultFormatter):
    """uvicorn's text formatter for its own and the server's lines, with query secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_query(super().format(record))


class RedactingAccessFormatter(AccessFormatter):
    """uvicorn's access-line formatter, with query secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_query(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, with query secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_query(self._json(record))

    def _json(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == len(_ACCESS_FIELDS):
            entry.update(zip(_ACCESS_FIELDS, args, strict=True))
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=repr, option=orjson.OPT_NON_STR_KEYS).decode()


def log_config(log_format: LogFormat = "text", level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary: uvicorn's own, plus the server's loggers (`level`
    and up) and everyone else's warnings, in the same format."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        config["formatters"] = {"json": {"()": f"{__name__}.JsonFormatter"}}
        for handler in config["handlers"].values():
            handler["formatter"] = "json"
        config["handlers"]["app"] = {**config["handlers"]["default"]}
    else:
        config["formatters"]["default"]["()"] = f"{__name__}.RedactingDefaultFormatter"
        config["formatters"]["access"]["()"] = f"{__name__}.RedactingAccessFormatter"
        config["formatters"]["app"] = {
            "()": f"{__name__}.RedactingDefaultFormatter",
            "fmt": "%(levelprefix)s %(name)s: %(message)s",
            "use_colors": None,
        }
        config["handlers"]["app"] = {**config["handlers"]["default"], "formatter": "app"}
    config["root"] = {"handlers": ["app"], "level": "WARNING"}
    config["loggers"]["server"] = {"level": level.upper()}
    return config
