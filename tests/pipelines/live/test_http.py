"""Retries, backoff and errors of a live GET; keys never appear in messages or logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest

from pipelines.live import (
    LiveAuthError,
    LivePullError,
    LiveRateLimitError,
    LiveUnavailableError,
    Retry,
    pull_live_sources,
)
from pipelines.live.http import get
from tests.pipelines.live.conftest import EIA_KEY, ENTSOE_TOKEN, Answer
from tests.pipelines.live.test_eia import NOW


def test_retry__delay_doubles_is_capped_and_honours_retry_after():
    retry = Retry(backoff=0.5, max_delay=3.0)
    assert [retry.delay(a) for a in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert retry.delay(1, "2") == 2.0 and retry.delay(1, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.5


def test_get__rate_limit_after_the_last_retry_is_a_clear_error(apis, retry, waits):
    apis.failures = [Answer(429, b'{"error": {"code": "OVER_RATE_LIMIT"}}', headers={"Retry-After": "7"})] * 3
    expected = r"rate limited .* 3 attempts"
    with httpx.Client() as client, pytest.raises(LiveRateLimitError, match=expected) as err:
        get(client, apis.base_url + "/v2/x", {"api_key": EIA_KEY}, source="eia-api",
            key_setting="HEADROOM_EIA_API_KEY", secret=EIA_KEY, retry=retry)
    assert waits == [7.0, 7.0] and EIA_KEY not in str(err.value)


def test_get__timeouts_are_retried_then_reported(apis, waits):
    apis.stall = 2
    retry = Retry(attempts=2, sleep=waits.append)
    with httpx.Client(timeout=0.05) as client, pytest.raises(LiveUnavailableError, match="timed out"):
        get(client, apis.base_url + "/api", {}, source="entsoe-api", key_setting="X", secret="", retry=retry)
    assert waits == [1.0]


def test_pull__bad_eia_key_names_the_setting_never_the_key(settings, store, apis, retry, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LivePullError) as err:
        pull_live_sources(store, settings, NOW, eia_key="not-the-key-8d1f", eia_base_url=apis.base_url,
                          retry=retry, lookback=timedelta(days=1))
    (error,) = err.value.errors
    assert isinstance(error, LiveAuthError) and error.status == 403
    assert "HEADROOM_EIA_API_KEY" in str(error)
    assert "not-the-key-8d1f" not in str(err.value) and "not-the-key-8d1f" not in caplog.text
    assert "api_key=***" in caplog.text  # httpx's request log line, key blanked
    assert len(apis.requests) == 1  # a refused key is not retried


def test_pull__bad_entsoe_token_is_an_auth_error(settings, store, apis, retry, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LivePullError) as err:
        pull_live_sources(store, settings, NOW, entsoe_token="wrong-token-77aa",
                          entsoe_base_url=apis.base_url, retry=retry, lookback=timedelta(days=1))
    assert isinstance(err.value.errors[0], LiveAuthError) and err.value.errors[0].status == 401
    assert "HEADROOM_ENTSOE_TOKEN" in str(err.value)
    assert "wrong-token-77aa" not in str(err.value) and "wrong-token-77aa" not in caplog.text
    assert ENTSOE_TOKEN not in caplog.text
