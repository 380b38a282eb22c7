"""Headroom = capacity - grid_load - ai_demand, from joint sample paths of its components."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import polars as pl

from forecast import schema as S
from forecast.errors import InvalidInputError
from forecast.models.base import ForecastModel, quantiles_from_paths

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


def latest_ends(components: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Per region, the latest hour any component has (`region, end, lag_<name>` in hours)."""
    lasts = [f.group_by(S.REGION).agg(pl.col(S.TS).max().alias(name)) for name, f in components.items()]
    wide = lasts[0]
    for frame in lasts[1:]:
        wide = wide.join(frame, on=S.REGION)  # regions missing a component are left out
    names = list(components)
    return wide.with_columns(pl.max_horizontal(names).alias("end")).select(
        S.REGION,
        "end",
        *[((pl.col("end") - pl.col(n)).dt.total_hours()).alias(f"lag_{n}") for n in names],
    )


def _from_end(paths: pl.DataFrame, ends: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Keep the `horizon` hours after each region's common end."""
    return (
        paths.join(ends.select(S.REGION, "end"), on=S.REGION)
        .filter((pl.col(S.TS) > pl.col("end")) & (pl.col(S.TS) <= pl.col("end") + pl.duration(hours=horizon)))
        .drop("end")
    )


def hold_last_paths(frame: pl.DataFrame, horizon: int, n_samples: int) -> pl.DataFrame:
    """Paths that hold each region's last value (capacity between known changes): no spread."""
    last = frame.sort(S.TS).group_by(S.REGION).agg(pl.col(S.TS).last(), pl.col(S.VALUE).last())
    steps = pl.DataFrame({"h": list(range(1, horizon + 1))})
    samples = pl.DataFrame({S.SAMPLE: list(range(n_samples))}, schema={S.SAMPLE: pl.Int32})
    return (
        last.join(steps, how="cross")
        .join(samples, how="cross")
        .select(
            S.REGION,
            S.SAMPLE,
            (pl.col(S.TS) + pl.duration(hours=pl.col("h"))).alias(S.TS),
            S.VALUE,
        )
    )


def forecast_paths(
    grid_load: pl.DataFrame,
    ai_demand: pl.DataFrame,
    capacity: pl.DataFrame,
    make_model: Callable[[str, int], ForecastModel],
    horizon: int,
    n_samples: int,
    seed: int,
    fitted: Mapping[str, ForecastModel] | None = None,
) -> tuple[dict[str, pl.DataFrame], dict[str, ForecastModel]]:
    """Sample paths `region, sample, ts, value` of grid_load, ai_demand, capacity and headroom by
    target, and the fitted demand models by target (see `forecast_targets`)."""
    parts = {S.GRID_LOAD: grid_load, S.AI_DEMAND: ai_demand, S.CAPACITY: capacity}
    ends = latest_ends(parts)
    parts = {name: frame.join(ends.select(S.REGION), on=S.REGION) for name, frame in parts.items()}
    paths, models = {}, {}
    for target in (S.GRID_LOAD, S.AI_DEMAND):
        extra = int(ends[f"lag_{target}"].max())
        if fitted is not None:
            model = models[target] = fitted[target].update(parts[target])
        else:
            model = models[target] = make_model(target, horizon + extra).fit(parts[target])
        paths[target] = _from_end(model.sample_paths(horizon + extra, n_samples, seed), ends, horizon)
    extra = int(ends[f"lag_{S.CAPACITY}"].max())
    paths[S.CAPACITY] = _from_end(
        hold_last_paths(parts[S.CAPACITY], horizon + extra, n_samples), ends, horizon
    )
    paths[S.HEADROOM] = headroom_paths(paths[S.CAPACITY], paths[S.GRID_LOAD], paths[S.AI_DEMAND])
    return paths, models


def quantiles_by_target(paths: Mapping[str, pl.DataFrame], quantiles: Sequence[float]) -> pl.DataFrame:
    """Quantiles of each target's paths as `target, region, ts, quantile, value`."""
    return pl.concat(
        [
            quantiles_from_paths(frame, quantiles).select(pl.lit(target).alias(S.TARGET), pl.all())
            for target, frame in paths.items()
        ]
    )


def forecast_targets(
    grid_load: pl.DataFrame,
    ai_demand: pl.DataFrame,
    capacity: pl.DataFrame,
    make_model: Callable[[str, int], ForecastModel],
    horizon: int,
    quantiles: Sequence[float],
    n_samples: int,
    seed: int,
    fitted: Mapping[str, ForecastModel] | None = None,
) -> tuple[pl.DataFrame, dict[str, ForecastModel]]:
    """Quantiles of grid_load, ai_demand, capacity and headroom (`target, region, ts, quantile,
    value`), and the fitted demand models by target.

    With `fitted` (models by target, e.g. the serving champions) those models are re-anchored on
    the data (`update`) instead of being made by `make_model` and fitted.

    Every component is forecast from its own last hour up to `horizon` hours past the latest hour
    any component has, so a component that lags (AI demand reported daily, say) still uses all its
    data. The demand components are sampled with one seed, so their error paths share origins;
    headroom is formed path by path, never from quantiles.
    """
    paths, models = forecast_paths(
        grid_load, ai_demand, capacity, make_model, horizon, n_samples, seed, fitted
    )
    return quantiles_by_target(paths, quantiles), models


class ShortfallWindowError(InvalidInputError):
    """A window for P(minimum headroom < X) that the paths cannot answer; names the field (422)."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


def window_minima(
    paths: pl.DataFrame, start: datetime | None = None, end: datetime | None = None
) -> pl.Series:
    """Each sample path's minimum headroom over the hours `start <= ts < end` (one region's paths)."""
    S.require_columns(paths, (S.REGION, S.SAMPLE, S.TS, S.VALUE), "window_minima")
    if paths[S.REGION].n_unique() > 1:
        raise InvalidInputError("window_minima: paths of one region are expected")
    if start is not None and end is not None and start >= end:
        raise ShortfallWindowError("end", f"must be after start ({start.isoformat()}), got {end.isoformat()}")
    rows = paths.lazy()
    if start is not None:
        rows = rows.filter(pl.col(S.TS) >= start)
    if end is not None:
        rows = rows.filter(pl.col(S.TS) < end)
    minima = rows.group_by(S.SAMPLE).agg(pl.col(S.VALUE).min()).sort(S.SAMPLE).collect()
    if minima.height == 0:
        raise ShortfallWindowError("start", "no forecast hour lies in the window")
    return minima[S.VALUE].cast(pl.Float64)


def prob_min_below(
    paths: pl.DataFrame, threshold: float, start: datetime | None = None, end: datetime | None = None
) -> float:
    """P(minimum headroom over `start <= ts < end` < threshold): the share of joint sample paths whose
    lowest hour in the window is strictly below `threshold` MW."""
    return float((window_minima(paths, start, end) < threshold).mean())
