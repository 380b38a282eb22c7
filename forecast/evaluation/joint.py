"""Headroom scored from its components: joint sample paths, as the service forecasts it.

Headroom = capacity - grid_load - ai_demand. In a backtest of `--target headroom` each demand
component is fitted on its own history up to the cutoff and sampled with one seed (so their error
paths share origins), capacity is held at its last value, and headroom is formed sample by sample
(`forecast.headroom.headroom_paths`), never by subtracting quantiles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from forecast.headroom import headroom_paths, hold_last_paths
from forecast.models.base import ForecastModel, quantiles_from_paths

DEMAND = (S.GRID_LOAD, S.AI_DEMAND)
COMPONENTS = (S.CAPACITY, *DEMAND)
COMPONENT_COLUMNS = (S.SERIES, S.REGION, S.TS, S.VALUE)


class MissingComponentError(UserError, ValueError):
    """Headroom asked for, but a component series is missing for a region."""


def split_components(components: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """`region, ts, value` per component from a long `series, region, ts, value` frame.

    MissingComponentError names the regions that lack a component.
    """
    S.require_columns(components, COMPONENT_COLUMNS, "headroom components")
    out = {
        name: components.filter(pl.col(S.SERIES) == name).select(S.REGION, S.TS, S.VALUE).sort(S.REGION, S.TS)
        for name in COMPONENTS
    }
    regions = set(components[S.REGION].unique().to_list())
    for name, frame in out.items():
        missing = sorted(regions - set(frame[S.REGION].unique().to_list()))
        if missing:
            raise MissingComponentError(f"--target headroom: regions {missing} have no {name} series")
    return out


def headroom_actuals(components: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Observed headroom `region, ts, value` on the hours where all three components are known."""
    key = [S.REGION, S.TS]
    cap, load, ai = (components[n].select(*key, pl.col(S.VALUE).alias(n)) for n in COMPONENTS)
    return (
        cap.join(load, on=key)
        .join(ai, on=key)
        .select(*key, (pl.col(S.CAPACITY) - pl.col(S.GRID_LOAD) - pl.col(S.AI_DEMAND)).alias(S.VALUE))
        .sort(key)
    )


def _lag_hours(train: pl.DataFrame, cutoffs: pl.DataFrame) -> int:
    """Most hours any region's training data ends before its cutoff (a component that lags)."""
    ends = train.group_by(S.REGION).agg(pl.col(S.TS).max().alias("_end")).join(cutoffs, on=S.REGION)
    lag = ends.select((pl.col(S.CUTOFF) - pl.col("_end")).dt.total_hours().max()).item()
    return max(0, int(lag or 0))


def _window(paths: pl.DataFrame, cutoffs: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """The `horizon` hours after each region's cutoff."""
    return (
        paths.join(cutoffs, on=S.REGION)
        .filter(
            (pl.col(S.TS) > pl.col(S.CUTOFF)) & (pl.col(S.TS) <= pl.col(S.CUTOFF) + timedelta(hours=horizon))
        )
        .drop(S.CUTOFF)
        .with_columns(pl.col(S.TS).cast(S.UTC_TS), pl.col(S.SAMPLE).cast(pl.Int32))
    )


def joint_paths(
    models: Mapping[str, ForecastModel],
    trains: Mapping[str, pl.DataFrame],
    cutoffs: pl.DataFrame,
    horizon: int,
    n_samples: int,
    seed: int,
) -> pl.DataFrame:
    """Headroom paths (`region, sample, ts, value`) over the `horizon` hours after each cutoff.

    `models` are the fitted demand models by component, `trains` every component's training rows
    (capacity included), `cutoffs` is `region, cutoff`.
    """
    cut = cutoffs.select(S.REGION, S.CUTOFF)
    paths = {}
    for name in DEMAND:
        lag = _lag_hours(trains[name], cut)
        paths[name] = _window(models[name].sample_paths(horizon + lag, n_samples, seed), cut, horizon)
    lag = _lag_hours(trains[S.CAPACITY], cut)
    capacity = _window(hold_last_paths(trains[S.CAPACITY], horizon + lag, n_samples), cut, horizon)
    return headroom_paths(capacity, paths[S.GRID_LOAD], paths[S.AI_DEMAND])


def joint_quantiles(
    models: Mapping[str, ForecastModel],
    trains: Mapping[str, pl.DataFrame],
    cutoffs: pl.DataFrame,
    horizon: int,
    quantiles: Sequence[float],
    n_samples: int,
    seed: int,
) -> pl.DataFrame:
    """Quantiles (`region, ts, quantile, value`) of headroom over its joint paths."""
    paths = joint_paths(models, trains, cutoffs, horizon, n_samples, seed)
    return quantiles_from_paths(paths, quantiles)
