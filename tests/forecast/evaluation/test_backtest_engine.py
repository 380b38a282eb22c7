"""The rolling-origin engine: hand-worked folds, a leaky model caught, refit blocks, short series, seeds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Self

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation import results as R
from forecast.evaluation import rolling
from forecast.evaluation.candidates import ModelSetup, UnknownModelError
from forecast.evaluation.plan import BacktestSpec, NothingToBacktestError, blocks
from forecast.evaluation.rolling import FoldLeakError, backtest
from forecast.models.base import ForecastModel

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def series(hours: int, region: str = "r", seed: int = 0, noise: float = 1.0) -> pl.DataFrame:
    t = np.arange(hours)
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            S.REGION: region,
            S.TS: [T0 + timedelta(hours=int(h)) for h in t],
            S.VALUE: 100 + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, noise, hours),
        }
    ).with_columns(pl.col(S.TS).cast(S.UTC_TS))


class LastValue(ForecastModel):
    """y(T+h) = y(T), intervals +-1 and +-2: simple enough to score by hand."""

    name = "last_value"

    def __init__(self) -> None:
        self.frame: pl.DataFrame | None = None

    @property
    def is_fitted(self) -> bool:
        return self.frame is not None

    def fit(self, frame: pl.DataFrame) -> Self:
        self.frame = frame.sort(S.REGION, S.TS)
        return self

    def _ahead(self, horizon: int) -> pl.DataFrame:
        assert self.frame is not None
        last = self.frame.group_by(S.REGION).agg(pl.col(S.TS).last(), pl.col(S.VALUE).last())
        return (
            last.with_columns(pl.int_ranges(1, horizon + 1).alias("h"))
            .explode("h")
            .with_columns((pl.col(S.TS) + pl.duration(hours=pl.col("h"))).alias(S.TS))
        )

    def predict(self, horizon: int, quantiles: Sequence[float] = (0.5,)) -> pl.DataFrame:
        offsets = {0.025: -2.0, 0.1: -1.0, 0.5: 0.0, 0.9: 1.0, 0.975: 2.0}
        ahead = self._ahead(horizon)
        return pl.concat(
            [
                ahead.select(
                    S.REGION, S.TS, pl.lit(q).alias(S.QUANTILE), (pl.col(S.VALUE) + offsets[q]).alias(S.VALUE)
                )
                for q in quantiles
            ]
        )

    def sample_paths(self, horizon: int, n_samples: int, seed: int) -> pl.DataFrame:
        raise NotImplementedError


class Leaky(LastValue):
    """Also "forecasts" every hour it was fitted on, with the exact value: the answer, if a broken
    split lets the test hours into fit()."""

    name = "leaky"

    def predict(self, horizon: int, quantiles: Sequence[float] = (0.5,)) -> pl.DataFrame:
        assert self.frame is not None
        seen = pl.concat(
            [self.frame.select(S.REGION, S.TS, pl.lit(q).alias(S.QUANTILE), S.VALUE) for q in quantiles]
        )
        return pl.concat([super().predict(horizon, quantiles), seen])


def scores(frame: pl.DataFrame, spec: BacktestSpec, makers: dict) -> pl.DataFrame:
    result, _ = backtest(frame, spec, ModelSetup(spec.horizon, spec.season), makers=makers)
    return R.summary(R.per_fold(result.predictions, result.scales, result.timings))


def test_backtest__metrics_of_a_tiny_series_match_a_hand_computation():
    # y = 0, 1, 2, ... (10 hours); H = 2, K = 2, S = 2, season 1: cutoffs at hours 5 and 7.
    frame = pl.DataFrame(
        {
            S.REGION: "r",
            S.TS: [T0 + timedelta(hours=i) for i in range(10)],
            S.VALUE: [float(i) for i in range(10)],
        }
    ).with_columns(pl.col(S.TS).cast(S.UTC_TS))
    spec = BacktestSpec(horizon=2, folds=2, step=2, season=1, models=())
    result, plan = backtest(frame, spec, ModelSetup(2, 1), makers={"last_value": LastValue})
    assert plan.cutoffs[S.CUTOFF].to_list() == [T0 + timedelta(hours=5), T0 + timedelta(hours=7)]
    # last value 5 forecasts 6, 7 (errors 1, 2); last value 7 forecasts 8, 9 (errors 1, 2)
    assert result.predictions["yhat"].to_list() == [5.0, 5.0, 7.0, 7.0]
    row = (
        R.summary(R.per_fold(result.predictions, result.scales, result.timings))
        .filter(pl.col(S.REGION) == R.ALL)
        .row(0, named=True)
    )
    assert row["mae"] == pytest.approx(1.5)
    assert row["rmse"] == pytest.approx(np.sqrt(2.5))
    assert row["mase"] == pytest.approx(1.5)  # the in-sample one-step naive error is 1
    # 80 %: [y-1, y+1] holds only the one-hour-ahead actual; 95 %: [y-2, y+2] holds both
    assert row["coverage_80"] == pytest.approx(50.0)
    assert row["coverage_95"] == pytest.approx(100.0)
    # Winkler 80: width 2, plus 2/0.2 = 10 times the miss of 1 at step 2
    assert row["winkler_80"] == pytest.approx((2 + 12) / 2)

    # pinball: a plain loop over the five quantiles at errors 1 and 2
    def pin(y, f, q):
        return max(q * (y - f), (q - 1) * (y - f))

    qs = {0.5: 0, 0.1: -1, 0.9: 1, 0.025: -2, 0.975: 2}
    loop = np.mean([np.mean([pin(e, o, q) for q, o in qs.items()]) for e in (1.0, 2.0)])
    assert row["pinball"] == pytest.approx(loop)


def test_backtest__a_leaky_model_scores_like_an_honest_one_when_the_split_holds():
    frame = series(24 * 10)
    spec = BacktestSpec(horizon=24, folds=3, models=())
    table = scores(frame, spec, {"leaky": Leaky, "last_value": LastValue})
    overall = dict(table.filter(pl.col(S.REGION) == R.ALL).select(S.MODEL, "mae").iter_rows())
    assert overall["leaky"] == pytest.approx(overall["last_value"]) and overall["leaky"] > 1


def test_backtest__a_broken_split_is_refused(monkeypatch):
    def leaking_split(frame, cutoffs, horizon, window=None):
        _, test = split_regions(frame, cutoffs, horizon, window)
        return frame.join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION), test

    split_regions = rolling.split_regions
    monkeypatch.setattr(rolling, "split_regions", leaking_split)
    with pytest.raises(FoldLeakError, match="trains on data up to"):
        scores(series(24 * 10), BacktestSpec(horizon=24, folds=3, models=()), {"leaky": Leaky})


def test_backtest__the_leaky_model_scores_impossibly_well_once_split_and_guard_are_broken(monkeypatch):
    split_regions = rolling.split_regions

    def leaking_split(frame, cutoffs, horizon, window=None):
        _, test = split_regions(frame, cutoffs, horizon, window)
        return frame.join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION), test

    monkeypatch.setattr(rolling, "split_regions", leaking_split)
    monkeypatch.setattr(rolling, "check_split", lambda train: None)
    table = scores(series(24 * 10), BacktestSpec(horizon=24, folds=3, models=()), {"leaky": Leaky})
    assert table.filter(pl.col(S.REGION) == R.ALL)["mae"][0] == pytest.approx(0.0)


def test_backtest__train_ends_at_each_cutoff_and_a_sliding_window_keeps_its_length():
    seen: list[pl.DataFrame] = []

    class Recorder(LastValue):
        def fit(self, frame: pl.DataFrame) -> Self:
            seen.append(frame)
            return super().fit(frame)

    frame = series(24 * 10)
    spec = BacktestSpec(horizon=24, folds=3, models=(), window="sliding", train_hours=48)
    result, plan = backtest(frame, spec, ModelSetup(24), makers={"rec": Recorder})
    assert [f.height for f in seen] == [48, 48, 48]
    assert [f[S.TS].max() for f in seen] == plan.cutoffs[S.CUTOFF].to_list()
    assert (result.predictions[S.TS] > result.predictions[S.CUTOFF]).all()


def test_backtest__short_series_are_named_with_rows_had_and_needed_and_the_others_go_on():
    frame = pl.concat([series(24 * 10, "long"), series(60, "short")])
    spec = BacktestSpec(horizon=24, folds=3)
    result, plan = backtest(frame, spec, ModelSetup(24))
    assert [str(s) for s in plan.short] == [
        "region 'short' has 60 hourly rows, seasonal_naive_baseline needs 97"  # 25 + 24 + 2*24
    ]
    assert result.predictions[S.REGION].unique().to_list() == ["long"]


def test_backtest__nothing_long_enough_is_an_error_that_names_each_series():
    with pytest.raises(NothingToBacktestError, match="region 'r' has 30 hourly rows"):
        backtest(series(30), BacktestSpec(horizon=24, folds=2), ModelSetup(24))


def test_backtest__unknown_model_names_are_refused_with_the_choices():
    with pytest.raises(UnknownModelError, match="choose from"):
        BacktestSpec(horizon=24, folds=2, models=("prophet",))


def test_backtest__same_seed_same_numbers_other_seed_other_draws():
    frame = pl.concat([series(24 * 12, "a"), series(24 * 12, "b", seed=1)])

    def run(seed: int) -> pl.DataFrame:
        spec = BacktestSpec(horizon=24, folds=2, seed=seed)
        return backtest(frame, spec, ModelSetup(24, seed=seed))[0].predictions

    first, again, other = run(3), run(3), run(4)
    assert first.equals(again)
    assert not first.select("lo_80").equals(other.select("lo_80"))


def test_blocks__refit_every_n_and_never_group_the_folds():
    assert blocks(BacktestSpec(horizon=1, folds=5, refit=1)) == [[0], [1], [2], [3], [4]]
    assert blocks(BacktestSpec(horizon=1, folds=5, refit=2)) == [[0, 1], [2, 3], [4]]
    assert blocks(BacktestSpec(horizon=1, folds=5, refit=None)) == [[0, 1, 2, 3, 4]]


def test_backtest__refit_never_carries_the_calibrated_model_to_every_cutoff():
    frame = series(24 * 20)  # 384 rows of calibration + 3 folds
    spec = BacktestSpec(horizon=24, folds=3, refit=None, models=("seasonal_naive",))
    never, _ = backtest(frame, spec, ModelSetup(24))
    every, _ = backtest(frame, BacktestSpec(horizon=24, folds=3, models=("seasonal_naive",)), ModelSetup(24))
    assert never.predictions.group_by(S.CUTOFF).len().height == 3
    assert (never.predictions[S.TS] > never.predictions[S.CUTOFF]).all()

    def offsets(preds: pl.DataFrame, which: str) -> list[float]:
        cut = preds[S.CUTOFF].min() if which == "first" else preds[S.CUTOFF].max()
        return (
            preds.filter(pl.col(S.CUTOFF) == cut)
            .select(pl.col("hi_80") - pl.col("yhat"))
            .to_series()
            .to_list()
        )

    # the calibration (interval offsets per step) is fold 0's in every fold, unless refitted
    assert offsets(never.predictions, "first") == pytest.approx(offsets(never.predictions, "last"))
    assert offsets(every.predictions, "first") != pytest.approx(offsets(every.predictions, "last"))


def test_backtest__default_chooses_among_the_candidates_named_beside_it():
    frame = series(24 * 32)  # four weeks of selection history plus the folds
    spec = BacktestSpec(horizon=24, folds=3, models=("default", "seasonal_naive"))
    result, _ = backtest(frame, spec, ModelSetup(24))
    table = R.summary(R.per_fold(result.predictions, result.scales, result.timings))
    rows = {r[S.MODEL]: r for r in table.filter(pl.col(S.REGION) == R.ALL).iter_rows(named=True)}
    assert rows["default"]["mase"] == pytest.approx(rows["seasonal_naive"]["mase"])  # its only choice
    assert rows["seasonal_naive"]["fit_seconds"] is None and rows["default"]["fit_seconds"] > 0


def test_backtest__the_ensemble_combines_the_candidates_fitted_beside_it():
    frame = series(24 * 20)
    spec = BacktestSpec(horizon=24, folds=2, models=("seasonal_naive", "ensemble"))
    result, _ = backtest(frame, spec, ModelSetup(24))
    by_model = result.predictions.partition_by(S.MODEL, as_dict=True)
    assert by_model[("ensemble",)]["yhat"].to_list() == pytest.approx(
        by_model[("seasonal_naive",)]["yhat"].to_list()
    )


@pytest.mark.parametrize("window", ["expanding", "sliding"])
def test_fold_train__regularizing_once_gives_each_folds_own_regular_rows(window):
    rng = np.random.default_rng(11)
    frame = pl.concat([series(24 * 12, "a", 1), series(24 * 10, "b", 2)])
    gappy = frame.filter(pl.Series(rng.random(frame.height) > 0.3))  # missing hours, some at cutoffs
    gappy = gappy.with_columns(pl.when(pl.Series(rng.random(gappy.height) > 0.9)).then(None)
                               .otherwise(pl.col(S.VALUE)).alias(S.VALUE))
    spec = BacktestSpec(horizon=24, folds=4, step=13, window=window, train_hours=24 * 5)
    plan_ = rolling.plan(gappy, spec, ModelSetup(24))
    hourly = rolling.hourly_history(gappy)
    assert hourly is not None
    for fold in range(spec.folds):
        cutoffs = plan_.cutoffs.filter(pl.col("fold") == fold)
        once = rolling._fold_train(gappy, cutoffs, spec, hourly)
        alone = rolling._fold_train(gappy, cutoffs, spec)
        assert once.equals(alone), fold


def test_hourly_history__sub_hourly_rows_are_left_to_each_fold():
    frame = series(48).with_columns(pl.col(S.TS) + timedelta(minutes=30))
    assert rolling.hourly_history(frame) is None
