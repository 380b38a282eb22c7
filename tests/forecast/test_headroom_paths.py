"""Headroom is formed sample by sample from joint component paths, keeping their correlation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.headroom import headroom_paths
from forecast.models.calibrated import CalibrationParams
from forecast.models.naive import SeasonalNaiveRule

CAL = CalibrationParams(max_horizon=12, origins=10, stride=4, min_train=100)
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def component(base: float, amp: float, seed: int, hours: int = 360) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    value = base + amp * np.sin(2 * np.pi * t / 24) + rng.normal(0, amp / 5, hours).cumsum() * 0.1
    return pl.DataFrame({
        S.REGION: "r", S.TS: [T0 + timedelta(hours=int(h)) for h in t], S.VALUE: value,
    }).with_columns(pl.col(S.TS).cast(S.UTC_TS))


@pytest.fixture(scope="module")
def paths() -> dict[str, pl.DataFrame]:
    frames = {"capacity": component(5000, 0, 1), "grid_load": component(3500, 400, 2),
              "ai_demand": component(600, 80, 3)}
    return {
        name: SeasonalNaiveRule(24, CAL).fit(frame).sample_paths(12, 200, seed=11)
        for name, frame in frames.items()
    }


def test_headroom__is_capacity_minus_load_minus_ai_demand_sample_by_sample(paths):
    head = headroom_paths(paths["capacity"], paths["grid_load"], paths["ai_demand"])
    key = [S.REGION, S.SAMPLE, S.TS]
    joined = (
        paths["capacity"].rename({S.VALUE: "cap"})
        .join(paths["grid_load"].rename({S.VALUE: "load"}), on=key)
        .join(paths["ai_demand"].rename({S.VALUE: "ai"}), on=key)
        .join(head, on=key)
    )
    assert joined.height == 200 * 12
    np.testing.assert_allclose(joined[S.VALUE], joined["cap"] - joined["load"] - joined["ai"])


def test_headroom_paths__keep_the_cross_hour_correlation_of_the_components(paths):
    # Each load path is the point plus one whole past error path, so hour-to-hour errors correlate.
    load = paths["grid_load"].sort(S.SAMPLE, S.TS)[S.VALUE].to_numpy().reshape(200, 12)
    errors = load - load.mean(axis=0)
    assert np.corrcoef(errors[:, 0], errors[:, 1])[0, 1] > 0.5
