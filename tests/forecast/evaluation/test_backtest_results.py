"""Result rows: per model and region, ALL as the mean over region-folds, per step, the best model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation import results as R

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def preds(model: str, region: str, cutoff: datetime, errors: list[float]) -> pl.DataFrame:
    n = len(errors)
    return pl.DataFrame(
        {
            S.MODEL: model,
            S.REGION: region,
            S.CUTOFF: cutoff,
            S.TS: [cutoff + timedelta(hours=i + 1) for i in range(n)],
            "y": [10.0] * n,
            "yhat": [10.0 - e for e in errors],
            "lo_80": [0.0] * n,
            "hi_80": [20.0] * n,
            "lo_95": [0.0] * n,
            "hi_95": [20.0] * n,
        }
    ).with_columns(pl.col(S.CUTOFF).cast(S.UTC_TS), pl.col(S.TS).cast(S.UTC_TS))


def frames():
    c1, c2 = T0, T0 + timedelta(hours=2)
    p = pl.concat(
        [
            preds("a", "x", c1, [1, 1]),
            preds("a", "x", c2, [3, 3]),
            preds("a", "y", c1, [2, 2]),
            preds("a", "y", c2, [2, 2]),
            preds("b", "x", c1, [0, 2]),
            preds("b", "x", c2, [0, 2]),
            preds("b", "y", c1, [0, 2]),
            preds("b", "y", c2, [0, 2]),
        ]
    )
    scales = pl.DataFrame(
        {S.REGION: ["x", "x", "y", "y"], S.CUTOFF: [c1, c2, c1, c2], "scale": [1.0, 1.0, 2.0, 2.0]}
    ).with_columns(pl.col(S.CUTOFF).cast(S.UTC_TS))
    timings = pl.DataFrame(
        {
            S.MODEL: ["a"] * 4,
            S.REGION: ["x", "x", "y", "y"],
            S.CUTOFF: [c1, c2, c1, c2],
            "fit_seconds": [1.0, 3.0, 1.0, 3.0],
            "predict_seconds": [0.5] * 4,
        }
    ).with_columns(pl.col(S.CUTOFF).cast(S.UTC_TS))
    return p, scales, timings


def test_summary__rows_per_model_and_region_plus_all_as_the_mean_over_region_folds():
    p, scales, timings = frames()
    table = R.summary(R.per_fold(p, scales, timings))
    assert table.select(S.MODEL, S.REGION).rows() == [
        ("a", "x"),
        ("a", "y"),
        ("a", "ALL"),
        ("b", "x"),
        ("b", "y"),
        ("b", "ALL"),
    ]
    a = {r[S.REGION]: r for r in table.filter(pl.col(S.MODEL) == "a").iter_rows(named=True)}
    assert a["x"]["mae"] == pytest.approx(2.0) and a["y"]["mae"] == pytest.approx(2.0)
    assert a["x"]["mase"] == pytest.approx(2.0) and a["y"]["mase"] == pytest.approx(1.0)
    assert a["ALL"]["mase"] == pytest.approx(1.5) and a["ALL"]["folds"] == 4
    assert a["ALL"]["fit_seconds"] == pytest.approx(2.0)
    assert R.best_model(table) == "b"  # MASE (1 + 0.5) / 2 = 0.75


def test_by_step__one_row_per_model_region_and_step():
    p, scales, _ = frames()
    steps = R.by_step(p, scales)
    b_all = steps.filter((pl.col(S.MODEL) == "b") & (pl.col(S.REGION) == R.ALL))
    assert b_all["step"].to_list() == [1, 2] and b_all["mae"].to_list() == pytest.approx([0.0, 2.0])
    rows = R.result_rows(steps, with_step_column=True)
    assert list(rows[0]) == [S.MODEL, S.REGION, "step", *R.result_fields()]


def test_best_model__ignores_a_model_scored_on_fewer_region_folds():
    p, scales, timings = frames()
    partial = preds("op", "x", T0, [0, 0])
    table = R.summary(R.per_fold(pl.concat([p, partial]), scales, timings))
    assert R.best_model(table) == "b"
