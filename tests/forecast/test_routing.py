"""ByRegion: each region served by its own fitted model."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.models import SeasonalNaive
from forecast.models.naive import SeasonalNaiveParams
from forecast.routing import ByRegion

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _hours(region: str, values: list[float], start: datetime = T0) -> pl.DataFrame:
    ts = [start + timedelta(hours=i) for i in range(len(values))]
    return pl.DataFrame({S.REGION: region, S.TS: ts, S.VALUE: values}).with_columns(
        pl.col(S.TS).cast(S.UTC_TS)
    )


def test_by_region__routes_each_region_to_its_own_fitted_model():
    frame = pl.concat([_hours("a", [1.0, 2.0] * 24), _hours("b", [3.0] * 47 + [9.0])])
    daily = SeasonalNaive(SeasonalNaiveParams(season_length=2)).fit(frame)
    flat = SeasonalNaive(SeasonalNaiveParams(season_length=1)).fit(frame)
    routed = ByRegion({"a": daily, "b": flat}).update(frame)
    medians = routed.predict(2, (0.5,)).sort(S.REGION, S.TS)[S.VALUE].to_list()
    assert medians == pytest.approx([1.0, 2.0, 9.0, 9.0])  # b by the last value, not [3, 9]
    with pytest.raises(TypeError, match="update"):
        routed.fit(frame)
