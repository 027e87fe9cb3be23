"""Structured logs and Prometheus metrics.

Logs: one JSON object per line through the standard ``logging`` module (``JsonFormatter``).
Every request writes one line to the ``graph_service.access`` logger with its request id, method,
route template, status, duration and the caller's principal id and role - never the token.
As a second line of defence the formatter masks anything that looks like a bearer token (ours or
a JWT) in any message or traceback it writes.

Metrics: ``graph_service/metrics.py`` (served at ``/metrics`` by ``api/middleware.py``).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

ACCESS_LOGGER = "graph_service.access"

# dbp_<principal id>_<secret>, a JWT (three base64url parts, the first a JSON object), or
# whatever follows "Bearer ".
_SECRETS = re.compile(
    r"dbp_[A-Za-z0-9]+_[A-Za-z0-9_\-]{8,}"
    r"|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"
    r"|(?i:bearer)\s+[^\s\"',;]+"
)


def redact(text: str) -> str:
    return _SECRETS.sub("[redacted]", text)


# Attributes every LogRecord has; anything else on a record came in through ``extra``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "color_message", "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ms), level, logger, message and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """``logging.config.dictConfig`` settings: JSON lines on stderr for our loggers and the
    server's (pass as uvicorn's ``log_config``)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["json"], "level": level, "propagate": False},
            # uvicorn's own access log repeats ours without ids; it is switched off by `dbp serve`
            "uvicorn.access": {"handlers": ["json"], "level": "WARNING", "propagate": False},
        },
    }
