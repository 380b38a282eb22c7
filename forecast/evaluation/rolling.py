"""The backtest engine: rolling origins over a long frame, models by name, the operator's vintages.

Folds are the last K windows of H hours, moved by S (`forecast.evaluation.folds.region_cutoffs`:
each region from its own last hour). Train is every hour up to the cutoff (`expanding`) or the
last `train_hours` of them (`sliding`), gaps filled inside train only, so no value after the
cutoff can reach a model. Folds run in refit blocks: a model is fitted at the first fold of a
block and carried to the later ones with its parameters kept (`--refit N`: blocks of N folds;
`never`: one block). The pipelines fan groups of regions out to workers. What runs is planned in
`forecast.evaluation.plan`; headroom from its components in `forecast.evaluation.joint`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from forecast import schema as S
from forecast.evaluation.candidates import BASELINE, DEFAULT, ModelSetup, carry, fit_models
from forecast.evaluation.folds import split_regions
from forecast.evaluation.joint import DEMAND, joint_quantiles, split_components
from forecast.evaluation.metrics import quantile_columns, seasonal_naive_scale
from forecast.evaluation.plan import BacktestSpec, Plan, blocks, plan
from forecast.evaluation.vintages import operator_predictions
from forecast.features.history import regularize
from forecast.models.base import ForecastModel
from forecast.schema import SCALE, Y

TIMING_COLUMNS = (S.MODEL, S.REGION, S.CUTOFF, "fit_seconds", "predict_seconds")
TARGET = "target"  # the one fitted series when headroom is not formed from components


class FoldLeakError(RuntimeError):
    """A fold's training rows reach past its cutoff: the split is broken."""

    def __init__(self, region: str, cutoff: object, last: object) -> None:
        super().__init__(f"fold of region {region!r} at cutoff {cutoff} trains on data up to {last}")


def _wide(quantiles: pl.DataFrame, columns: dict[float, str]) -> pl.DataFrame:
    wide = quantiles.with_columns(pl.col(S.QUANTILE).round(6)).pivot(
        on=S.QUANTILE, index=[S.REGION, S.TS], values=S.VALUE
    )
    return wide.rename({c: columns[float(c)] for c in wide.columns if c not in (S.REGION, S.TS)})


def check_split(train: pl.DataFrame) -> None:
    """FoldLeakError when any training row lies after its region's cutoff."""
    late = train.filter(pl.col(S.TS) > pl.col(S.CUTOFF))
    if late.height:
        row = late.row(0, named=True)
        raise FoldLeakError(row[S.REGION], row[S.CUTOFF], late[S.TS].max())


@dataclass(frozen=True)
class BlockResult:
    """Predictions (`model, region, cutoff, ts, y, yhat, lo_*, hi_*`), MASE scales and seconds."""

    predictions: pl.DataFrame
    scales: pl.DataFrame
    timings: pl.DataFrame


Makers = Mapping[str, Callable[[], ForecastModel]]


def _fit_group(
    names: list[str], train: pl.DataFrame, setup: ModelSetup, makers: Makers
) -> tuple[dict[str, ForecastModel], dict[str, float | None]]:
    models, seconds = {}, {}
    for name in names:
        if name in makers:
            t0 = time.perf_counter()
            models[name] = makers[name]().fit(train)
            seconds[name] = time.perf_counter() - t0
    built = [n for n in names if n not in makers]
    if built:
        more, more_seconds = fit_models(built, train, setup)
        models.update(more)
        seconds.update(more_seconds)
    return models, seconds


def _groups(spec: BacktestSpec, plan_: Plan, makers: Makers) -> list[tuple[list[str], list[str]]]:
    """(model names, regions) fitted together: `default` with its candidates, the rest by need."""
    out: dict[tuple[str, ...], list[str]] = {}
    for name in [*spec.fitted, *makers]:
        regions = plan_.regions.get(name, [])
        if DEFAULT in spec.fitted and name != BASELINE and name not in makers:
            regions = plan_.regions[DEFAULT]
        out.setdefault(tuple(regions), []).append(name)
    return [(names, list(regions)) for regions, names in out.items() if regions]


def hourly_history(frame: pl.DataFrame) -> pl.DataFrame | None:
    """The whole frame on a gap-free hourly grid, done once for every fold; None when the rows are
    not all on the hour or carry more than values (then each fold regularizes its own rows).

    Interpolating a gap uses only the observed values either side of it, so the regular rows up to
    a fold's last observed hour are the ones regularizing that fold's training rows alone gives.
    """
    if set(frame.columns) - {S.REGION, S.TS, S.VALUE}:
        return None
    observed = frame.drop_nulls(S.VALUE)
    if (observed[S.TS].dt.truncate("1h") != observed[S.TS]).any():
        return None
    return regularize(observed)[0]


def _fold_train(
    frame: pl.DataFrame, cutoffs: pl.DataFrame, spec: BacktestSpec, hourly: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Training rows of one fold (checked not to pass the cutoff), gaps filled inside them."""
    raw, _ = split_regions(frame, cutoffs, spec.horizon, spec.window_hours)
    check_split(raw)
    raw = raw.drop(S.CUTOFF).drop_nulls(S.VALUE)
    if hourly is None:
        return regularize(raw)[0]
    bounds = raw.group_by(S.REGION).agg(pl.col(S.TS).min().alias("_first"), pl.col(S.TS).max().alias("_last"))
    return (
        hourly.join(bounds, on=S.REGION, maintain_order="left")
        .filter(pl.col(S.TS).is_between(pl.col("_first"), pl.col("_last")))
        .drop("_first", "_last")
    )


def _sum_seconds(parts: Sequence[float | None]) -> float | None:
    return None if any(p is None for p in parts) else float(sum(parts))  # type: ignore[arg-type]


def _timing(
    name: str, regions: pl.Series, fit: float | None, spent: float, cutoffs: pl.DataFrame
) -> pl.DataFrame:
    share = max(1, regions.len())
    return pl.DataFrame(
        {
            S.MODEL: name,
            S.REGION: regions,
            "fit_seconds": None if fit is None else fit / share,
            "predict_seconds": spent / share,
        },
        schema_overrides={"fit_seconds": pl.Float64},
    ).join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)


def _empty_timings() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            S.MODEL: pl.String,
            S.REGION: pl.String,
            S.CUTOFF: S.UTC_TS,
            "fit_seconds": pl.Float64,
            "predict_seconds": pl.Float64,
        }
    )


def run_block(
    frame: pl.DataFrame,
    spec: BacktestSpec,
    setup: ModelSetup,
    plan_: Plan,
    folds: Sequence[int],
    vintages: pl.DataFrame | None = None,
    makers: Makers | None = None,
    on_fold: Callable[[int], None] | None = None,
    components: pl.DataFrame | None = None,
    hourly: pl.DataFrame | None = None,
) -> BlockResult:
    """Fit at the block's first fold, carry to the others; predictions of every model and fold.

    With `components` (`series, region, ts, value` of capacity, grid_load and ai_demand), `frame`
    is the observed headroom and each model is fitted on the two demand components, its headroom
    quantiles taken over their joint sample paths (`forecast.evaluation.joint`). `hourly` is
    `hourly_history(frame)` when the caller runs several blocks of one frame (computed if not given).
    """
    makers = dict(makers or {})
    columns = quantile_columns(spec.levels)
    quantiles = sorted(columns)
    parts = split_components(components) if components is not None else None
    fitted_names = DEMAND if parts is not None else (TARGET,)
    fitted: dict[tuple[str, tuple[str, ...]], dict[str, ForecastModel]] = {}
    preds, scales, timings = [], [], []
    hourly = hourly if hourly is not None else hourly_history(frame)
    hourly_parts = {c: hourly_history(f) for c, f in parts.items()} if parts is not None else {}
    for index in folds:
        cutoffs = plan_.cutoffs.filter(pl.col("fold") == index)
        train = _fold_train(frame, cutoffs, spec, hourly)
        _, test = split_regions(frame, cutoffs, spec.horizon)
        actual = test.drop_nulls(S.VALUE).select(S.REGION, S.CUTOFF, S.TS, pl.col(S.VALUE).alias(Y))
        scale = seasonal_naive_scale(train, spec.season, S.VALUE)
        scales.append(scale.join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION))
        trains = {TARGET: train}
        if parts is not None:
            trains = {c: _fold_train(f, cutoffs, spec, hourly_parts[c]) for c, f in parts.items()}
        for names, regions in _groups(spec, plan_, makers):
            key = tuple(names)
            mine = {c: t.filter(pl.col(S.REGION).is_in(regions)) for c, t in trains.items()}
            seconds: dict[str, list[float | None]] = {n: [] for n in names}
            for part in fitted_names:
                if index == folds[0]:
                    fitted[part, key], spent = _fit_group(names, mine[part], setup, makers)
                    for name, value in spent.items():
                        seconds[name].append(value)
                    continue
                for name, model in fitted[part, key].items():
                    t0 = time.perf_counter()
                    carry(model, mine[part])
                    seconds[name].append(time.perf_counter() - t0)
            for name in names:
                if name not in fitted[fitted_names[0], key]:
                    continue
                t0 = time.perf_counter()
                if parts is None:
                    q = fitted[TARGET, key][name].predict(spec.horizon, quantiles)
                else:
                    models = {c: fitted[c, key][name] for c in DEMAND}
                    q = joint_quantiles(
                        models, mine, cutoffs, spec.horizon, quantiles, spec.samples, setup.seed
                    )
                wide = _wide(q, columns)
                spent = time.perf_counter() - t0
                rows = wide.join(actual, on=[S.REGION, S.TS]).with_columns(pl.lit(name).alias(S.MODEL))
                preds.append(rows.select(S.MODEL, S.REGION, S.CUTOFF, S.TS, Y, *columns.values()))
                fit = _sum_seconds(seconds[name]) if seconds[name] else None
                timings.append(_timing(name, rows[S.REGION].unique().sort(), fit, spent, cutoffs))
        if vintages is not None and vintages.height:
            op = operator_predictions(vintages, frame, actual, spec.levels)
            preds.append(op.select(S.MODEL, S.REGION, S.CUTOFF, S.TS, Y, *columns.values()))
        if on_fold is not None:
            on_fold(index)
    return BlockResult(
        pl.concat(preds, how="vertical_relaxed").sort(S.MODEL, S.REGION, S.CUTOFF, S.TS),
        pl.concat(scales).select(S.REGION, S.CUTOFF, SCALE).sort(S.REGION, S.CUTOFF),
        pl.concat(timings, how="vertical_relaxed").select(TIMING_COLUMNS) if timings else _empty_timings(),
    )


def merge(results: Sequence[BlockResult]) -> BlockResult:
    """One result from the blocks' (in fold order)."""
    return BlockResult(
        pl.concat([r.predictions for r in results], how="vertical_relaxed").sort(
            S.MODEL, S.REGION, S.CUTOFF, S.TS
        ),
        pl.concat([r.scales for r in results]).sort(S.REGION, S.CUTOFF),
        pl.concat([r.timings for r in results], how="vertical_relaxed"),
    )


def backtest(
    frame: pl.DataFrame,
    spec: BacktestSpec,
    setup: ModelSetup,
    vintages: pl.DataFrame | None = None,
    makers: Makers | None = None,
    on_fold: Callable[[int], None] | None = None,
    components: pl.DataFrame | None = None,
) -> tuple[BlockResult, Plan]:
    """The whole backtest in this process: (result, plan with the short series named)."""
    S.require_columns(frame, (S.REGION, S.TS, S.VALUE), "backtest")
    plan_ = plan(frame, spec, setup, extra=list(makers or {}))
    hourly = hourly_history(frame)
    results = [
        run_block(frame, spec, setup, plan_, block, vintages, makers, on_fold, components, hourly)
        for block in blocks(spec)
    ]
    return merge(results), plan_
