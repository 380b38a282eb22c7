"""Region analysis: the JSON the API serialises, the heatmap table and the seasonal_peak basis."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.flexibility import (
    DEFAULT_LIMITS_PCT,
    clean_load,
    curtailment_calendar,
    flexibility,
    seasonal_peak_capacity,
    seasonal_peak_months,
    thresholds_of,
)
from tests.forecast.flexibility.conftest import TZ

LIMIT_KEYS = {
    "limit_pct", "headroom_mw", "curtailed_hours_per_year", "mean_event_hours", "retained_50",
    "retained_75", "retained_90", "winter_share", "summer_share", "shoulder_share",
}


def test_flexibility__serialises_to_the_issue_json(three_years: pl.DataFrame) -> None:
    body = flexibility(three_years, "r1", TZ, limits_pct=(*DEFAULT_LIMITS_PCT, 2.0)).model_dump(mode="json")
    assert set(body) == {
        "region", "timezone", "years", "thresholds_mw", "filled_hours", "load_factor", "limits"
    }
    assert body["years"] == [2020, 2022] and set(body["thresholds_mw"]) == {"summer", "winter"}
    assert [row["limit_pct"] for row in body["limits"]] == [0.25, 0.5, 1.0, 5.0, 2.0]
    for row in body["limits"]:
        assert set(row) == LIMIT_KEYS
        assert row["headroom_mw"] > 0
        assert row["winter_share"] + row["summer_share"] + row["shoulder_share"] == pytest.approx(1)
    assert 0 < body["load_factor"] < 1


def test_calendar__every_cell_and_counts_add_up(three_years: pl.DataFrame) -> None:
    clean = clean_load(three_years, "r1", TZ)
    table = curtailment_calendar(clean, 1.0)
    assert table.height == 12 * 24
    per_year = flexibility(three_years, "r1", TZ, limits_pct=(1.0,)).limits[0].curtailed_hours_per_year
    assert table["curtailed_hours"].sum() == round(per_year * 3)
    assert abs(table["share"].sum() - 1) < 1e-12
    # The synthetic load peaks at 15:00 local in midsummer and midwinter: the busiest cell is there.
    top = table.sort("curtailed_hours")[-1]
    assert top["month"][0] in (1, 2, 6, 7, 8, 12) and 12 <= top["hour"][0] <= 18


def test_seasonal_peak_capacity__summer_apr_to_oct_winter_nov_to_mar(three_years: pl.DataFrame) -> None:
    t = thresholds_of(clean_load(three_years, "r1", TZ))
    ts = three_years[S.TS].head(24 * 400)
    frame = seasonal_peak_capacity(t, "r1", ts, TZ)
    month = frame[S.TS].dt.convert_time_zone(TZ).dt.month()
    summer = month.is_in([4, 5, 6, 7, 8, 9, 10])
    assert frame.filter(summer)[S.VALUE].unique().to_list() == [t.summer]
    assert frame.filter(~summer)[S.VALUE].unique().to_list() == [t.winter]
    months = [date(2025, m, 1) for m in range(1, 13)]
    assert np.array_equal(seasonal_peak_months(t, months), [t.winter] * 3 + [t.summer] * 7 + [t.winter] * 2)
