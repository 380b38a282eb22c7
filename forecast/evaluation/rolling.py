"""The backtest engine: rolling origins over a long frame, models by name, the operator's vintages.

Folds are the last K windows of H hours, moved by S (`forecast.evaluation.folds.region_cutoffs`:
each region from its own last hour). Train is every hour up to the cutoff (`expanding`) or the
last `train_hours` of them (`sliding`), gaps filled inside train only, so no value after the
cutoff can reach a model. Folds run in refit blocks: a model is fitted at the first fold of a
block and carried to the later ones with its parameters kept (`--refit N`: blocks of N folds;
`never`: one block). Blocks are independent, so they fan out to workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from forecast import schema as S
from forecast.evaluation.candidates import (
    BASELINE,
    DEFAULT,
    ModelSetup,
    carry,
    check_names,
    fit_models,
    min_train_rows,
)
from forecast.evaluation.folds import region_cutoffs, split_regions
from forecast.evaluation.metrics import LEVELS, SCALE, YHAT, Y, hi, level_quantiles, lo
from forecast.evaluation.vintages import OPERATOR, operator_predictions
from forecast.features.history import regularize
from forecast.models.base import ForecastModel

WINDOWS = ("expanding", "sliding")
TIMING_COLUMNS = (S.MODEL, S.REGION, S.CUTOFF, "fit_seconds", "predict_seconds")


class FoldLeakError(RuntimeError):
    """A fold's training rows reach past its cutoff: the split is broken."""

    def __init__(self, region: str, cutoff: object, last: object) -> None:
        super().__init__(f"fold of region {region!r} at cutoff {cutoff} trains on data up to {last}")


class NothingToBacktestError(ValueError):
    """No region is long enough for any model and fold."""


@dataclass(frozen=True)
class BacktestSpec:
    """How a backtest is run (the CLI options, validated)."""

    horizon: int
    folds: int
    step: int | None = None
    season: int = 24
    window: str = "expanding"
    train_hours: int = 24 * 365
    refit: int | None = 1
    models: tuple[str, ...] = (BASELINE,)
    levels: tuple[int, ...] = LEVELS
    seed: int = 0

    def __post_init__(self) -> None:
        if self.horizon < 1 or self.folds < 1 or self.fold_step < 1 or self.season < 1:
            raise ValueError("horizon, folds, step and season must all be at least 1")
        if self.window not in WINDOWS:
            raise ValueError(f"window must be one of {WINDOWS}, not {self.window!r}")
        if self.refit is not None and self.refit < 1:
            raise ValueError(f"refit must be every, never or a number of folds >= 1, not {self.refit}")
        check_names([m for m in self.models if m != OPERATOR])

    @property
    def fold_step(self) -> int:
        return self.step or self.horizon

    @property
    def fitted(self) -> list[str]:
        return [m for m in self.models if m != OPERATOR]

    @property
    def window_hours(self) -> int | None:
        return self.train_hours if self.window == "sliding" else None


def parse_refit(text: str) -> int | None:
    """`every` -> 1, `never` -> None, `N` -> N."""
    if text == "every":
        return 1
    if text == "never":
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ValueError(f"--refit takes every, never or a number of folds >= 1, not {text!r}")


def blocks(spec: BacktestSpec) -> list[list[int]]:
    """Fold indices (oldest 0) grouped by the fit they share."""
    size = spec.refit or spec.folds
    return [list(range(i, min(i + size, spec.folds))) for i in range(0, spec.folds, size)]


@dataclass(frozen=True)
class ShortSeries:
    """A region too short for a model on these folds."""

    region: str
    model: str
    rows: int
    needed: int

    def __str__(self) -> str:
        return f"region {self.region!r} has {self.rows} hourly rows, {self.model} needs {self.needed}"


@dataclass(frozen=True)
class Plan:
    """Each region's folds and the models each region is long enough for."""

    cutoffs: pl.DataFrame  # region, fold, cutoff
    regions: dict[str, list[str]]  # model -> regions
    short: list[ShortSeries] = field(default_factory=list)


def plan(frame: pl.DataFrame, spec: BacktestSpec, setup: ModelSetup, extra: Sequence[str] = ()) -> Plan:
    """Cutoffs per region and, per model, the regions with rows enough for its oldest fold."""
    observed = frame.drop_nulls(S.VALUE)
    rows = dict(observed.group_by(S.REGION).len().iter_rows())
    span = spec.horizon + spec.fold_step * (spec.folds - 1)
    regions: dict[str, list[str]] = {}
    short: list[ShortSeries] = []
    for name in [*spec.fitted, *extra]:
        train = setup.season + 1 if name in extra else min_train_rows(name, setup, DEFAULT in spec.fitted)
        if spec.window_hours is not None and spec.window_hours < train:
            raise ValueError(f"--train-hours {spec.window_hours} is under the {train} rows {name} needs")
        needed = train + span
        regions[name] = sorted(r for r, n in rows.items() if n >= needed)
        short += [ShortSeries(r, name, n, needed) for r, n in sorted(rows.items()) if n < needed]
    if not any(regions.values()):
        raise NothingToBacktestError("no region is long enough: " + "; ".join(map(str, short)))
    long_enough = sorted({r for rs in regions.values() for r in rs})
    cutoffs = region_cutoffs(
        observed.filter(pl.col(S.REGION).is_in(long_enough)), spec.horizon, spec.folds, spec.fold_step
    )
    return Plan(cutoffs, regions, short)


def quantile_columns(levels: Sequence[int]) -> dict[float, str]:
    """Quantile -> prediction column: 0.5 -> yhat, 0.1 -> lo_80, 0.9 -> hi_80, ..."""
    out = {0.5: YHAT}
    for level in levels:
        q_lo, q_hi = level_quantiles(level)
        out[round(q_lo, 6)], out[round(q_hi, 6)] = lo(level), hi(level)
    return out


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


def run_block(
    frame: pl.DataFrame,
    spec: BacktestSpec,
    setup: ModelSetup,
    plan_: Plan,
    folds: Sequence[int],
    vintages: pl.DataFrame | None = None,
    makers: Makers | None = None,
    on_fold: Callable[[int], None] | None = None,
) -> BlockResult:
    """Fit at the block's first fold, carry to the others; predictions of every model and fold."""
    makers = dict(makers or {})
    columns = quantile_columns(spec.levels)
    quantiles = sorted(columns)
    fitted: dict[tuple[str, ...], dict[str, ForecastModel]] = {}
    preds, scales, timings = [], [], []
    for index in folds:
        cutoffs = plan_.cutoffs.filter(pl.col("fold") == index)
        raw_train, test = split_regions(frame, cutoffs, spec.horizon, spec.window_hours)
        check_split(raw_train)
        train, _ = regularize(raw_train.drop(S.CUTOFF).drop_nulls(S.VALUE))
        actual = test.drop_nulls(S.VALUE).select(S.REGION, S.CUTOFF, S.TS, pl.col(S.VALUE).alias(Y))
        scales.append(
            train.group_by(S.REGION, maintain_order=True)
            .agg((pl.col(S.VALUE) - pl.col(S.VALUE).shift(spec.season)).abs().mean().alias(SCALE))
            .join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)
        )
        for names, regions in _groups(spec, plan_, makers):
            part = train.filter(pl.col(S.REGION).is_in(regions))
            key = tuple(names)
            if index == folds[0]:
                fitted[key], seconds = _fit_group(names, part, setup, makers)
            else:
                seconds = {}
                for name, model in fitted[key].items():
                    t0 = time.perf_counter()
                    carry(model, part)
                    seconds[name] = time.perf_counter() - t0
            for name in names:
                model = fitted[key].get(name)
                if model is None:
                    continue
                t0 = time.perf_counter()
                wide = _wide(model.predict(spec.horizon, quantiles), columns)
                spent = time.perf_counter() - t0
                rows = wide.join(actual, on=[S.REGION, S.TS]).with_columns(pl.lit(name).alias(S.MODEL))
                preds.append(rows.select(S.MODEL, S.REGION, S.CUTOFF, S.TS, Y, *columns.values()))
                scored = rows[S.REGION].unique().sort()
                share = max(1, scored.len())
                timings.append(
                    pl.DataFrame(
                        {
                            S.MODEL: name,
                            S.REGION: scored,
                            "fit_seconds": None if seconds.get(name) is None else seconds[name] / share,
                            "predict_seconds": spent / share,
                        },
                        schema_overrides={"fit_seconds": pl.Float64},
                    ).join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)
                )
        if vintages is not None and vintages.height:
            op = operator_predictions(vintages, frame, actual, spec.levels)
            preds.append(op.select(S.MODEL, S.REGION, S.CUTOFF, S.TS, Y, *columns.values()))
        if on_fold is not None:
            on_fold(index)
    return BlockResult(
        pl.concat(preds, how="vertical_relaxed").sort(S.MODEL, S.REGION, S.CUTOFF, S.TS),
        pl.concat(scales).select(S.REGION, S.CUTOFF, SCALE).sort(S.REGION, S.CUTOFF),
        pl.concat(timings, how="vertical_relaxed").select(TIMING_COLUMNS)
        if timings
        else pl.DataFrame(
            schema={
                S.MODEL: pl.String,
                S.REGION: pl.String,
                S.CUTOFF: S.UTC_TS,
                "fit_seconds": pl.Float64,
                "predict_seconds": pl.Float64,
            }
        ),
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
) -> tuple[BlockResult, Plan]:
    """The whole backtest in this process: (result, plan with the short series named)."""
    S.require_columns(frame, (S.REGION, S.TS, S.VALUE), "backtest")
    plan_ = plan(frame, spec, setup, extra=list(makers or {}))
    results = [
        run_block(frame, spec, setup, plan_, block, vintages, makers, on_fold) for block in blocks(spec)
    ]
    return merge(results), plan_
