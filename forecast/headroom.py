"""Headroom = capacity - grid_load - ai_demand, from joint sample paths of its components."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from forecast import schema as S
from forecast.models.base import quantiles_from_paths

PATH_KEY = (S.REGION, S.SAMPLE, S.TS)


def headroom_paths(capacity: pl.DataFrame, grid_load: pl.DataFrame, ai_demand: pl.DataFrame) -> pl.DataFrame:
    """Per-sample headroom paths; a (region, sample, ts) missing from a component is dropped whole.

    Each component frame is `region, sample, ts, value`. Combining sample by sample keeps the
    correlation between components that their shared draw of origins gives them.
    """
    for name, frame in (("capacity", capacity), ("grid_load", grid_load), ("ai_demand", ai_demand)):
        S.require_columns(frame, (*PATH_KEY, S.VALUE), f"headroom_paths({name})")
    key = list(PATH_KEY)
    return (
        capacity.select(*key, pl.col(S.VALUE).alias("cap"))
        .join(grid_load.select(*key, pl.col(S.VALUE).alias("load")), on=key)
        .join(ai_demand.select(*key, pl.col(S.VALUE).alias("ai")), on=key)
        .select(*key, (pl.col("cap") - pl.col("load") - pl.col("ai")).alias(S.VALUE))
        .sort(key)
    )


def headroom_quantiles(paths: pl.DataFrame, quantiles: Sequence[float]) -> pl.DataFrame:
    """Quantiles of headroom over samples, per region and hour."""
    return quantiles_from_paths(paths, quantiles)


def prob_min_below(
    paths: pl.DataFrame, threshold_mw: float, start: datetime | None = None, end: datetime | None = None
) -> pl.DataFrame:
    """P(min headroom over [start, end] < threshold) per region, as `region, probability`."""
    window = paths
    if start is not None:
        window = window.filter(pl.col(S.TS) >= start)
    if end is not None:
        window = window.filter(pl.col(S.TS) <= end)
    return (
        window.group_by(S.REGION, S.SAMPLE)
        .agg(pl.col(S.VALUE).min().alias("min"))
        .group_by(S.REGION)
        .agg((pl.col("min") < threshold_mw).mean().alias("probability"))
        .sort(S.REGION)
    )
