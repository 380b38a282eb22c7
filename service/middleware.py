"""One pure-ASGI middleware for every request: request id, body-size limit, latency metrics, a log line.

Pure ASGI rather than `BaseHTTPMiddleware`: it adds microseconds, not a task per request, which
matters for the forecast path's latency goal.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import BodyTooLargeError, error_bytes
from service.logs import request_id_var
from service.metrics import Metrics

log = logging.getLogger("headroom.http")
REQUEST_ID_HEADER = b"x-request-id"
# An incoming id is echoed only when it is short and plain (it ends up in logs and headers).
SAFE_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
# Request headers beyond this (names and values together) are refused with 431: the body limit
# would mean little if a client could send megabytes of headers instead.
MAX_HEADER_BYTES = 32 * 1024


class RequestMiddleware:
    """Tags each request with an id, enforces the body limit, and records its latency and outcome."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body_bytes: int) -> None:
        self.app, self.metrics, self.limit = app, metrics, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id, length, header_bytes = "", None, 0
        for name, value in scope["headers"]:
            header_bytes += len(name) + len(value)
            if name == REQUEST_ID_HEADER and SAFE_ID.match(value):
                request_id = value.decode()
            elif name == b"content-length" and value.isdigit():
                length = int(value)
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        id_header = (REQUEST_ID_HEADER, request_id.encode())
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message["headers"] = [*message.get("headers", []), id_header]
            await send(message)

        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLargeError(self.limit)
            return message

        try:
            if header_bytes > MAX_HEADER_BYTES:
                message = f"request headers exceed {MAX_HEADER_BYTES} bytes; send fewer or shorter headers"
                await _send_error(send_with_id, 431, "headers_too_large", message)
                return
            if length is not None and length > self.limit:
                # Refused before the app runs: the body is never read.
                error = BodyTooLargeError(self.limit)
                await _send_error(send_with_id, 413, "body_too_large", str(error.detail), self.limit)
                return
            await self.app(scope, receive_limited, send_with_id)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not started:
                await _send_error(send_with_id, 500, "internal_error",
                                  f"internal error; quote request id {request_id} when reporting it")
            raise
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", "<unmatched>")
            self.metrics.observe(scope["method"], route, status, elapsed)
            log.info(
                "%s %s %s %.1fms", scope["method"], scope["path"], status, elapsed * 1000,
                extra={"method": scope["method"], "path": scope["path"], "route": route,
                       "status": status, "duration_ms": round(elapsed * 1000, 3)},
            )
            request_id_var.reset(token)


async def _send_error(send: Send, status: int, code: str, message: str, limit: int | None = None) -> None:
    body = error_bytes(code, message, {"limit_bytes": limit} if limit is not None else None)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
