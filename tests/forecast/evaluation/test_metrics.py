"""Metrics against plain-loop oracles and hand-computed values; folds and splits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation import fold_cutoffs, fold_metrics, seasonal_naive_scale, summarize
from forecast.evaluation.metrics import holdout_scores, with_step

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def pred_frame(y, yhat, lo80, hi80, lo95, hi95, region="r", cutoff=T0) -> pl.DataFrame:
    n = len(y)
    return pl.DataFrame({
        S.REGION: region, S.CUTOFF: cutoff, S.TS: [cutoff + timedelta(hours=i + 1) for i in range(n)],
        "y": y, "yhat": yhat, "lo_80": lo80, "hi_80": hi80, "lo_95": lo95, "hi_95": hi95,
    }).with_columns(pl.col(S.CUTOFF).cast(S.UTC_TS), pl.col(S.TS).cast(S.UTC_TS))


def scales_frame(scale: float, region="r", cutoff=T0) -> pl.DataFrame:
    return pl.DataFrame({S.REGION: [region], S.CUTOFF: [cutoff], "scale": [scale]}).with_columns(
        pl.col(S.CUTOFF).cast(S.UTC_TS)
    )


def test_metrics__match_hand_computed_values_on_a_tiny_series():
    pred = pred_frame(
        y=[10.0, 20.0, 30.0], yhat=[12.0, 18.0, 30.0],
        lo80=[11.0, 15.0, 25.0], hi80=[13.0, 25.0, 35.0], lo95=[5.0, 10.0, 20.0], hi95=[15.0, 30.0, 40.0],
    )
    row = fold_metrics(pred, scales_frame(2.0)).row(0, named=True)
    assert row["mae"] == pytest.approx(4 / 3)
    assert row["rmse"] == pytest.approx(np.sqrt(8 / 3))
    assert row["mape"] == pytest.approx((0.2 + 0.1 + 0) / 3 * 100)
    assert row["smape"] == pytest.approx((2 * 2 / 22 + 2 * 2 / 38 + 0) / 3 * 100)
    assert row["mase"] == pytest.approx((4 / 3) / 2.0)
    assert row["coverage_80"] == pytest.approx(200 / 3)  # 10 lies below [11, 13]
    assert row["coverage_95"] == pytest.approx(100.0)
    assert row["width_80"] == pytest.approx((2 + 10 + 10) / 3)
    # Winkler 80: width + 2/0.2 * miss; only the first hour misses, by 1.
    assert row["winkler_80"] == pytest.approx((2 + 10 * 1 + 10 + 10) / 3)


def loop_pinball(y, yhat, lo80, hi80, lo95, hi95) -> float:
    total = 0.0
    for i in range(len(y)):
        parts = []
        for q, v in ((0.5, yhat[i]), (0.1, lo80[i]), (0.9, hi80[i]), (0.025, lo95[i]), (0.975, hi95[i])):
            d = y[i] - v
            parts.append(q * d if d >= 0 else (q - 1) * d)
        total += sum(parts) / len(parts)
    return total / len(y)


def loop_smape(y, yhat) -> float:
    return sum(2 * abs(a - b) / (abs(a) + abs(b)) for a, b in zip(y, yhat, strict=True)) / len(y) * 100


def test_metrics__vectorised_equals_a_plain_loop_on_random_data():
    rng = np.random.default_rng(3)
    y = rng.uniform(50, 100, 48)
    yhat = y + rng.normal(0, 5, 48)
    lo80, hi80 = yhat - 6, yhat + 6
    lo95, hi95 = yhat - 10, yhat + 10
    row = fold_metrics(pred_frame(y, yhat, lo80, hi80, lo95, hi95), scales_frame(3.0)).row(0, named=True)
    assert row["pinball"] == pytest.approx(loop_pinball(y, yhat, lo80, hi80, lo95, hi95))
    assert row["smape"] == pytest.approx(loop_smape(y, yhat))
    inside = sum(lo80[i] <= y[i] <= hi80[i] for i in range(48)) / 48 * 100
    assert row["coverage_80"] == pytest.approx(inside)


def test_seasonal_naive_scale__is_the_in_sample_mae_of_the_seasonal_rule():
    values = [1.0, 2.0, 3.0, 5.0, 4.0, 3.0]
    train = pl.DataFrame({S.REGION: "r", S.TS: [T0 + timedelta(hours=i) for i in range(6)], "y": values})
    scale = seasonal_naive_scale(train, 2)["scale"][0]
    assert scale == pytest.approx(np.mean([abs(values[i] - values[i - 2]) for i in range(2, 6)]))


def test_fold_cutoffs__newest_window_ends_at_the_last_hour_and_folds_step_back():
    last = T0 + timedelta(hours=500)
    folds = fold_cutoffs(last, horizon=24, n_folds=3, step=12)
    assert [f.cutoff for f in folds] == [last - timedelta(hours=h) for h in (48, 36, 24)]


def test_summarize__averages_folds_and_by_step_gives_one_row_per_step():
    a = pred_frame([1.0, 2.0], [1.0, 1.0], [0, 0], [3, 3], [0, 0], [3, 3], cutoff=T0)
    b = pred_frame([1.0, 2.0], [2.0, 2.0], [0, 0], [3, 3], [0, 0], [3, 3], cutoff=T0 + timedelta(hours=2))
    scales = pl.concat([scales_frame(1.0, cutoff=T0), scales_frame(1.0, cutoff=T0 + timedelta(hours=2))])
    per_fold = fold_metrics(pl.concat([a, b]), scales)
    assert summarize(per_fold)["mae"][0] == pytest.approx(0.5)
    by_step = fold_metrics(with_step(pl.concat([a, b])), scales, by=(S.REGION, "step"))
    assert by_step["step"].to_list() == [1, 2]
    assert by_step["mae"].to_list() == pytest.approx([0.5, 0.5])


def test_metrics__any_interval_levels_match_hand_computed_values():
    pred = pl.DataFrame({
        S.REGION: "r", S.CUTOFF: T0, S.TS: [T0 + timedelta(hours=i + 1) for i in range(2)],
        "y": [10.0, 20.0], "yhat": [10.0, 18.0],
        "lo_50": [9.0, 17.0], "hi_50": [11.0, 19.0], "lo_90": [8.0, 15.0], "hi_90": [12.0, 21.0],
    }).with_columns(pl.col(S.CUTOFF).cast(S.UTC_TS), pl.col(S.TS).cast(S.UTC_TS))
    row = fold_metrics(pred, scales_frame(1.0), levels=(50, 90)).row(0, named=True)
    assert "coverage_80" not in row
    assert row["coverage_50"] == pytest.approx(50.0)  # 20 lies above [17, 19]
    assert row["coverage_90"] == pytest.approx(100.0)
    assert row["width_50"] == pytest.approx(2.0) and row["width_90"] == pytest.approx(5.0)
    # Winkler 50: width + 2/0.5 * miss; the second hour misses by 1.
    assert row["winkler_50"] == pytest.approx((2 + (2 + 4 * 1)) / 2)
    assert row["winkler_90"] == pytest.approx(5.0)
    # Pinball over q = 0.5 (yhat), 0.25/0.75 (50 %), 0.05/0.95 (90 %), by hand per hour.
    hour1 = (0 + 0.25 * 1 + 0.25 * 1 + 0.05 * 2 + 0.05 * 2) / 5
    hour2 = (0.5 * 2 + 0.25 * 3 + 0.75 * 1 + 0.05 * 5 + 0.05 * 1) / 5
    assert row["pinball"] == pytest.approx((hour1 + hour2) / 2)


@pytest.mark.parametrize("levels", [(0,), (100,), (80, 80), ()])
def test_check_levels__refuses_levels_outside_1_to_99_repeats_and_none(levels):
    from forecast.evaluation.metrics import LevelError, check_levels

    with pytest.raises(LevelError):
        check_levels(levels)


def hours_frame(region: str, values: list[float], start: datetime = T0) -> pl.DataFrame:
    ts = [start + timedelta(hours=i) for i in range(len(values))]
    return pl.DataFrame({S.REGION: region, S.TS: ts, S.VALUE: values}).with_columns(
        pl.col(S.TS).cast(S.UTC_TS)
    )


def test_seasonal_naive_scale__of_the_value_column_is_the_mean_absolute_seasonal_difference():
    scale = seasonal_naive_scale(hours_frame("a", [1.0, 2.0, 4.0, 2.0, 1.0]), 2, S.VALUE)
    assert scale["scale"][0] == pytest.approx((3 + 0 + 3) / 3)


def loop_scale(values, season: int) -> float:
    diffs = [abs(values[i] - values[i - season]) for i in range(season, len(values))]
    return sum(diffs) / len(diffs)


def test_mase__vectorised_equals_a_plain_loop_over_one_series():
    rng = np.random.default_rng(11)
    history = list(rng.uniform(50, 150, 120))
    y = rng.uniform(50, 150, 24)
    yhat = y + rng.normal(0, 8, 24)
    scale = seasonal_naive_scale(hours_frame("r", history), 24, S.VALUE)
    assert scale["scale"][0] == pytest.approx(loop_scale(history, 24))
    oracle = sum(abs(a - b) for a, b in zip(y, yhat, strict=True)) / len(y) / loop_scale(history, 24)
    row = fold_metrics(
        pred_frame(y, yhat, yhat - 5, yhat + 5, yhat - 9, yhat + 9),
        scale.with_columns(pl.lit(T0).cast(S.UTC_TS).alias(S.CUTOFF)),
    ).row(0, named=True)
    assert row["mase"] == pytest.approx(oracle)


def holdout_frame(k, y, yhat, lo80, hi80, lo95, hi95, region="a") -> pl.DataFrame:
    return pl.DataFrame({
        S.REGION: region, "k": k, "y": y, "yhat": yhat,
        "lo_80": lo80, "hi_80": hi80, "lo_95": lo95, "hi_95": hi95,
    })


def test_holdout_scores__mase_and_coverage_by_hand():
    preds = holdout_frame(
        k=[0, 0, 1, 1], y=[10.0, 12.0, 14.0, 20.0], yhat=[11.0, 12.0, 16.0, 16.0],
        lo80=[9.0, 9.0, 15.0, 15.0], hi80=[13.0] * 2 + [17.0] * 2, lo95=[0.0] * 4, hi95=[99.0] * 4,
    )
    scales = pl.DataFrame({S.REGION: ["a"], "scale": [2.0]})
    row = holdout_scores(preds, scales).row(0, named=True)
    assert row["mae"] == pytest.approx((1 + 0 + 2 + 4) / 4)
    assert row["mase"] == pytest.approx(1.75 / 2)
    assert row["coverage_80"] == pytest.approx(0.5) and row["coverage_95"] == 1.0
    assert row["width_80"] == pytest.approx(3.0) and row["folds"] == 2


def test_holdout_scores__equal_a_plain_loop_per_region():
    rng = np.random.default_rng(5)
    frames, scales, oracles = [], {}, {}
    for region, scale in (("a", 3.0), ("b", 7.5)):
        n = 36
        y = rng.uniform(80, 120, n)
        yhat = y + rng.normal(0, 6, n)
        half80, half95 = rng.uniform(2, 10, n), rng.uniform(8, 16, n)
        k = [i // 12 for i in range(n)]
        bounds = (yhat - half80, yhat + half80, yhat - half95, yhat + half95)
        frames.append(holdout_frame(k, y, yhat, *bounds, region=region))
        scales[region] = scale
        oracles[region] = {
            "mase": sum(abs(y[i] - yhat[i]) / scale for i in range(n)) / n,
            "coverage_80": sum(yhat[i] - half80[i] <= y[i] <= yhat[i] + half80[i] for i in range(n)) / n,
            "coverage_95": sum(yhat[i] - half95[i] <= y[i] <= yhat[i] + half95[i] for i in range(n)) / n,
            "width_80": sum(2 * h for h in half80) / n,
            "folds": 3,
        }
    got = holdout_scores(
        pl.concat(frames), pl.DataFrame({S.REGION: list(scales), "scale": list(scales.values())})
    )
    for row in got.iter_rows(named=True):
        for name, value in oracles[row[S.REGION]].items():
            assert row[name] == pytest.approx(value), (row[S.REGION], name)


def test_holdout_scores__name_the_missing_columns():
    with pytest.raises(S.MissingColumnsError, match="lo_95"):
        holdout_scores(
            pl.DataFrame({S.REGION: ["a"], "k": [0], "y": [1.0], "yhat": [1.0]}),
            pl.DataFrame({S.REGION: ["a"], "scale": [1.0]}),
        )
