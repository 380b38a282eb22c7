"""`pull_live_sources`: both sources in one call, skipped sources say why, failures do not stop others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipelines.live import LiveAuthError, LivePullError, pull_live_sources, stored_ends
from tests.pipelines.live.conftest import EIA_KEY, ENTSOE_TOKEN

NOW = datetime(2024, 3, 12, 5, 30, tzinfo=UTC)


def test_pull__a_source_without_a_key_is_skipped_and_says_so(settings, store):
    reports = pull_live_sources(store, settings, NOW)
    assert [(r.source, r.rows_read) for r in reports] == [("eia-api", 0), ("entsoe-api", 0)]
    assert "HEADROOM_EIA_API_KEY" in reports[0].note and "HEADROOM_ENTSOE_TOKEN" in reports[1].note
    assert store.version("observations") is None


def test_pull__both_sources_one_batch_each(settings, store, apis, retry):
    reports = pull_live_sources(
        store, settings, NOW, eia_key=EIA_KEY, entsoe_token=ENTSOE_TOKEN, eia_base_url=apis.base_url,
        entsoe_base_url=apis.base_url, lookback=timedelta(days=3), retry=retry,
    )
    assert [r.source.split(":")[0] for r in reports] == ["eia-api", "entsoe-api"]
    assert all(r.balanced and r.batch_id for r in reports)
    assert set(stored_ends(store)) == {("us-nova", "grid_load"), ("us-nova", "operator_forecast"),
                                       ("us-wtx", "grid_load"), ("us-wtx", "operator_forecast")}


def test_pull__a_failing_source_does_not_stop_the_other(settings, store, apis, retry):
    with pytest.raises(LivePullError, match="eia-api") as err:
        pull_live_sources(
            store, settings, NOW, eia_key="bad", entsoe_token=ENTSOE_TOKEN, eia_base_url=apis.base_url,
            entsoe_base_url=apis.base_url, lookback=timedelta(days=3), retry=retry,
        )
    assert [type(e) for e in err.value.errors] == [LiveAuthError]
    assert [r.source.split(":")[0] for r in err.value.reports] == ["entsoe-api"]
