"""The scheduler's ingest job pulls the live sources configured in settings."""

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from pipelines.jobs.schedule import TransientJobError, ingest
from tests.pipelines.live.conftest import EIA_KEY, ENTSOE_TOKEN

NOW = datetime(2024, 3, 12, 5, 30, tzinfo=UTC)


def _configured(settings, apis, eia_key: str = EIA_KEY):
    return settings.model_copy(
        update={
            "eia_api_key": SecretStr(eia_key),
            "entsoe_token": SecretStr(ENTSOE_TOKEN),
            "eia_base_url": apis.base_url,
            "entsoe_base_url": apis.base_url,
            "live_lookback_hours": 72,
        }
    )


def test_ingest_job__pulls_both_live_sources_from_settings(settings, store, apis):
    figures = ingest(store, _configured(settings, apis), NOW)
    assert figures["batches"] == 2 and figures["accepted"] > 0
    again = ingest(store, _configured(settings, apis), NOW)
    assert again["accepted"] == again["updated"] == 0


def test_ingest_job__a_refused_key_is_a_transient_error_that_never_shows_the_key(settings, store, apis):
    with pytest.raises(TransientJobError) as err:
        ingest(store, _configured(settings, apis, eia_key="wrong-key-123"), NOW)
    assert "wrong-key-123" not in str(err.value) and "HEADROOM_EIA_API_KEY" in str(err.value)


def test_settings__keys_never_show_in_the_settings_repr(settings):
    keyed = settings.model_copy(
        update={"eia_api_key": SecretStr("secret-eia"), "entsoe_token": SecretStr("tok")}
    )
    assert "secret-eia" not in repr(keyed) and "tok'" not in repr(keyed)
