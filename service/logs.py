"""Structured logs: JSON lines when configured, each carrying the request id of the request at hand."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
LOGGER = "headroom"
# Extra attributes that a record may carry and that the JSON line keeps.
FIELDS = ("method", "path", "route", "status", "duration_ms", "key_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
        }
        line.update({k: getattr(record, k) for k in FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        base = super().format(record)
        return f"{base} [{request_id}]" if request_id else base


def configure_logging(fmt: str, level: str) -> None:
    """Send the `headroom` loggers to stderr as text or JSON (idempotent: replaces our handler)."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if getattr(h, "_headroom", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._headroom = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
