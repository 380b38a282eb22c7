"""Live pulls from grid operators' APIs (EIA API v2, ENTSO-E), incremental, through the one validation."""

from pipelines.live.http import (
    LiveAuthError,
    LiveRateLimitError,
    LiveResponseError,
    LiveSourceError,
    LiveUnavailableError,
    Retry,
)
from pipelines.live.pull import LivePullError, pull_live_sources, stored_ends

__all__ = [
    "LiveAuthError", "LivePullError", "LiveRateLimitError", "LiveResponseError", "LiveSourceError",
    "LiveUnavailableError", "Retry", "pull_live_sources", "stored_ends",
]
