"""Published forecasts as served: the latest issue per region and target, cached until a new one."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.catalog import Region, UnknownRegionError
from forecast.errors import UserError
from forecast.models.base import check_quantiles
from pipelines.flexibility.basis import issue_bases
from pipelines.store import Store


class NotPublishedError(UserError, LookupError):
    """No forecast has been published for a region and target yet."""

    def __init__(self, region: str, target: str) -> None:
        super().__init__(f"no {target} forecast has been published for {region!r} yet; run `headroom train`")


class QuantileOutOfRangeError(UserError, ValueError):
    """A requested quantile lies outside the published range (it cannot be interpolated)."""

    def __init__(self, bad: Sequence[float], lo: float, hi: float) -> None:
        super().__init__(f"quantiles {list(bad)} are outside the published range [{lo}, {hi}]")


@dataclass(frozen=True)
class ServedForecast:
    """One region's forecast of one target, with what it came from."""

    region: str
    target: str
    issued_at: datetime
    model_version: str
    data_as_of: datetime  # the last hour of data the forecast was made from
    frame: pl.DataFrame  # ts, quantile, value
    basis: str | None = None  # capacity basis of headroom and capacity: capacity_series | seasonal_peak


def latest_issues(store: Store) -> pl.DataFrame:
    """The rows of the latest issue per (region, target) in the forecasts table."""
    lazy = store.scan("forecasts")
    latest = lazy.group_by(S.REGION, S.TARGET).agg(pl.col(S.ISSUED_AT).max())
    return lazy.join(latest, on=[S.REGION, S.TARGET, S.ISSUED_AT], how="semi").collect()


def interpolate_quantiles(frame: pl.DataFrame, quantiles: Sequence[float]) -> pl.DataFrame:
    """Values at `quantiles` per ts, linear between published neighbours (monotone, never cross)."""
    wanted = check_quantiles(quantiles)
    grid = sorted(frame[S.QUANTILE].unique().to_list())
    bad = [q for q in wanted if q < grid[0] - 1e-12 or q > grid[-1] + 1e-12]
    if bad:
        raise QuantileOutOfRangeError(bad, grid[0], grid[-1])
    wide = frame.pivot(on=S.QUANTILE, index=S.TS, values=S.VALUE, sort_columns=False).sort(S.TS)
    values = wide.select([str(q) for q in grid]).to_numpy()
    out = {S.TS: wide[S.TS]}
    for q in wanted:
        hi = min(int(np.searchsorted(grid, q)), len(grid) - 1)
        lo = max(hi - 1, 0) if grid[hi] > q else hi
        weight = 0.0 if hi == lo else (q - grid[lo]) / (grid[hi] - grid[lo])
        out[str(q)] = values[:, lo] * (1 - weight) + values[:, hi] * weight
    return (
        pl.DataFrame(out)
        .unpivot(index=S.TS, variable_name=S.QUANTILE, value_name=S.VALUE)
        .with_columns(pl.col(S.QUANTILE).cast(pl.Float64))
        .sort(S.TS, S.QUANTILE)
    )


BASED_TARGETS = (S.HEADROOM, S.CAPACITY)


def _bases(store: Store, rows: pl.DataFrame) -> dict[str, str]:
    """Capacity basis per region of the served headroom issues."""
    headroom = rows.filter(pl.col(S.TARGET) == S.HEADROOM)
    return issue_bases(store, headroom) if headroom.height else {}


class PublishedForecasts:
    """In-memory copy of the latest published forecasts; reloaded when the table version changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version: int | None = -1
        self._rows = S.empty(S.FORECASTS)
        self._bases: dict[str, str] = {}
        self._lock = threading.Lock()

    def refresh(self) -> int | None:
        """Reload if a new version was published; returns the version held."""
        version = self.store.version("forecasts")
        if version != self._version:
            with self._lock:
                if version != self._version:
                    self._rows = latest_issues(self.store) if version is not None else S.empty(S.FORECASTS)
                    self._bases = _bases(self.store, self._rows)
                    self._version = version
        return self._version

    @property
    def rows(self) -> pl.DataFrame:
        """Every served row (latest issue per region and target)."""
        return self._rows

    def basis(self, region: str) -> str | None:
        """Capacity basis of the region's served headroom (None when none is published)."""
        return self._bases.get(region)

    def get(self, region: str, target: str, horizon: int, quantiles: Sequence[float]) -> ServedForecast:
        """The first `horizon` hours of the latest issue, at the requested quantiles."""
        rows = self._rows.filter((pl.col(S.REGION) == region) & (pl.col(S.TARGET) == target))
        if rows.is_empty():
            raise NotPublishedError(region, target)
        first = rows.row(0, named=True)
        hours = rows[S.TS].unique().sort()
        frame = interpolate_quantiles(
            rows.filter(pl.col(S.TS).is_in(hours.head(horizon).implode())), quantiles
        )
        return ServedForecast(
            region,
            target,
            first[S.ISSUED_AT],
            first[S.MODEL_VERSION],
            hours[0] - timedelta(hours=1),
            frame,
            self._bases.get(region) if target in BASED_TARGETS else None,
        )


def serve_forecast(
    catalog: Mapping[str, Region],
    published: PublishedForecasts,
    region: str,
    target: str,
    horizon: int,
    quantiles: Sequence[float],
) -> ServedForecast:
    """The served forecast of a known region; unknown regions name the known ones."""
    if region not in catalog:
        raise UnknownRegionError(region, catalog)
    published.refresh()
    return published.get(region, target, horizon, quantiles)


class InvalidQuantilesError(UserError, ValueError):
    """A quantile list that does not parse, or a quantile outside (0, 1)."""

    def __init__(self, text: str) -> None:
        super().__init__(f"quantiles must be comma-separated numbers strictly between 0 and 1, got {text!r}")


def parse_quantiles(text: str) -> list[float]:
    """'0.1,0.5,0.9' -> [0.1, 0.5, 0.9]; anything else raises InvalidQuantilesError."""
    try:
        values = [float(part) for part in text.split(",")]
        return check_quantiles(values)
    except ValueError:
        raise InvalidQuantilesError(text) from None
