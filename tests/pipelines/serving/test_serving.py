"""Served forecasts: the latest issue, quantiles interpolated between published neighbours."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from pipelines.serving.published import (
    InvalidQuantilesError,
    NotPublishedError,
    PublishedForecasts,
    QuantileOutOfRangeError,
    interpolate_quantiles,
    parse_quantiles,
)
from pipelines.store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _published(values: dict[float, float], hours: int = 2) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {S.TS: T0 + timedelta(hours=h), S.QUANTILE: q, S.VALUE: v + h}
            for h in range(hours)
            for q, v in values.items()
        ]
    )


def test_interpolate_quantiles__matches_hand_worked_values():
    frame = _published({0.1: 10.0, 0.5: 50.0, 0.9: 70.0})
    out = interpolate_quantiles(frame, [0.3, 0.5, 0.7])
    first = out.filter(pl.col(S.TS) == T0)[S.VALUE].to_list()
    assert first == pytest.approx([30.0, 50.0, 60.0])
    assert out.filter(pl.col(S.TS) == T0 + timedelta(hours=1))[S.VALUE].to_list() == pytest.approx(
        [31.0, 51.0, 61.0]
    )


def test_interpolate_quantiles__outside_published_range_is_refused():
    with pytest.raises(QuantileOutOfRangeError, match=r"\[0.1, 0.9\]"):
        interpolate_quantiles(_published({0.1: 1.0, 0.9: 2.0}), [0.05])


@pytest.mark.parametrize("text", ["", "a,b", "0.5,1.0", "0", "-0.1", "0.2,,0.3"])
def test_parse_quantiles__rejects_anything_but_numbers_in_the_open_interval(text):
    with pytest.raises(InvalidQuantilesError, match="strictly between 0 and 1"):
        parse_quantiles(text)


def test_parse_quantiles__sorts_and_deduplicates():
    assert parse_quantiles("0.9, 0.1,0.5,0.1") == [0.1, 0.5, 0.9]


def test_published_forecasts__unpublished_region_is_a_clear_error(store):
    published = PublishedForecasts(store)
    published.refresh()
    with pytest.raises(NotPublishedError, match="headroom train"):
        published.get("us-nova", "headroom", 24, [0.5])


def test_published_forecasts__serve_horizon_and_as_of(demo_settings):
    published = PublishedForecasts(Store(demo_settings.tables))
    published.refresh()
    served = published.get("de-fra", "headroom", 48, [0.1, 0.5, 0.9])
    assert served.frame.height == 48 * 3
    assert served.frame[S.TS].min() == served.data_as_of + timedelta(hours=1)
