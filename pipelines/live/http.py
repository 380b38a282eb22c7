"""One GET with retries: exponential backoff on 429, 5xx and timeouts; clear errors; keys kept secret.

API keys travel in query strings (both APIs require it), so no URL with its query is ever put
in an error message, and a log filter blanks the keys out of httpx's request log lines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from forecast.errors import UserError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403})


class LiveSourceError(UserError, RuntimeError):
    """A live pull failed; the message names the source and what to do, never the key."""

    def __init__(self, source: str, message: str, status: int | None = None) -> None:
        self.source, self.status = source, status
        super().__init__(f"{source}: {message}")


class LiveAuthError(LiveSourceError):
    """The API refused the key (HTTP 401/403 or an invalid-key answer)."""


class LiveRateLimitError(LiveSourceError):
    """Still rate limited (HTTP 429) after the last retry."""


class LiveUnavailableError(LiveSourceError):
    """Server errors or timeouts after the last retry."""


class LiveResponseError(LiveSourceError):
    """An answer that is not what the API documents (other 4xx, unreadable body, error field)."""


@dataclass(frozen=True)
class Retry:
    """How often and how patiently to retry: delay = backoff * 2**(attempt - 1), capped."""

    attempts: int = 4
    backoff: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based); honours a Retry-After in seconds."""
        wait = self.backoff * 2 ** (attempt - 1)
        if retry_after is not None and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after))
        return min(wait, self.max_delay)


class _Redactor(logging.Filter):
    """Replaces registered secrets in log records of the HTTP client."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_REDACTOR = _Redactor()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_REDACTOR)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def keep_secret(secret: str) -> None:
    """Register a key so that the HTTP client's log lines never show it."""
    if secret:
        _REDACTOR.secrets.add(secret)


def get(
    client: httpx.Client, url: str, params: Mapping[str, Any] | list[tuple[str, Any]], *,
    source: str, key_setting: str, secret: str, retry: Retry,
) -> httpx.Response:
    """GET `url` with retries; returns a 2xx response or raises a LiveSourceError subclass."""
    keep_secret(secret)
    last = ""
    for attempt in range(1, retry.attempts + 1):
        try:
            response = client.get(url, params=params)
        except httpx.TimeoutException:
            last, retry_after, status = "timed out", None, None
        except httpx.TransportError as exc:
            last, retry_after, status = f"connection failed ({type(exc).__name__})", None, None
        else:
            status = response.status_code
            if status in AUTH_STATUSES:
                raise LiveAuthError(
                    source, f"the API refused the key (HTTP {status}); set {key_setting} to a valid key",
                    status,
                )
            if status < 400:
                return response
            if status not in RETRY_STATUSES:
                body = redact(response.text[:200].strip(), [secret])
                raise LiveResponseError(source, f"HTTP {status} from the API: {body}", status)
            last, retry_after = f"HTTP {status}", response.headers.get("retry-after")
        if attempt < retry.attempts:
            retry.sleep(retry.delay(attempt, retry_after))
    if last == "HTTP 429":
        raise LiveRateLimitError(
            source, f"rate limited (HTTP 429) after {retry.attempts} attempts; try again later "
            "or run the ingest job less often", 429,
        )
    raise LiveUnavailableError(
        source, f"{last} after {retry.attempts} attempts; the API may be down, try again later",
        status,
    )
