"""The one interface every forecast model follows, and the error for using a model too early."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Self

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.errors import InvalidInputError

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
FIT_COLUMNS = (S.REGION, S.TS, S.VALUE)


class NotFittedError(RuntimeError):
    """predict() or sample_paths() was called before fit()."""

    def __init__(self, model: str) -> None:
        super().__init__(f"{model} is not fitted: call fit(frame) first")


class ForecastModel(ABC):
    """Fit on a long hourly frame `region, ts, value`; predict `region, ts, quantile, value`.

    `sample_paths` returns joint sample paths `region, sample, ts, value`: errors stay correlated
    across the horizon, and two models fitted on equally long histories and sampled with the same
    seed draw the same historical origins, so their paths can be combined (headroom).
    """

    name: str = "model"

    @property
    @abstractmethod
    def is_fitted(self) -> bool:
        """True once fit() has run."""

    @abstractmethod
    def fit(self, frame: pl.DataFrame) -> Self:
        """Fit (always from scratch) on a long frame with columns region, ts, value."""

    @abstractmethod
    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pl.DataFrame:
        """Quantile forecasts for `horizon` hours after each region's last observation."""

    @abstractmethod
    def sample_paths(self, horizon: int, n_samples: int, seed: int) -> pl.DataFrame:
        """Joint sample paths for `horizon` hours: `region, sample, ts, value`."""

    def update(self, frame: pl.DataFrame) -> Self:
        """Forecast from the end of `frame` from now on, keeping what was estimated.

        Models with nothing estimated beyond the data itself (seasonal naive) simply refit.
        """
        return self.fit(frame)

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(self.name)


def check_quantiles(quantiles: Sequence[float]) -> list[float]:
    """Sorted unique quantiles, each strictly inside (0, 1)."""
    bad = [q for q in quantiles if not 0.0 < q < 1.0]
    if bad:
        raise InvalidInputError(f"quantiles must lie strictly between 0 and 1, got {bad}")
    return sorted(set(quantiles))


def check_horizon(horizon: int) -> int:
    """A horizon of at least one step."""
    if horizon < 1:
        raise InvalidInputError(f"horizon must be at least 1 hour, got {horizon}")
    return horizon


def quantiles_from_paths(paths: pl.DataFrame, quantiles: Sequence[float]) -> pl.DataFrame:
    """Empirical quantiles over samples of a path frame; ordered by construction (never cross)."""
    qs = check_quantiles(quantiles)
    return (
        paths.group_by(S.REGION, S.TS)
        .agg([pl.col(S.VALUE).quantile(q, interpolation="linear").alias(str(q)) for q in qs])
        .unpivot(index=[S.REGION, S.TS], variable_name=S.QUANTILE, value_name=S.VALUE)
        .with_columns(pl.col(S.QUANTILE).cast(pl.Float64))
        .sort(S.REGION, S.TS, S.QUANTILE)
    )


def paths_frame(region: str, last_ts: datetime, paths: np.ndarray) -> pl.DataFrame:
    """A (samples, horizon) array of one region as a long path frame `region, sample, ts, value`."""
    n, horizon = paths.shape
    ts = pl.datetime_range(
        last_ts + timedelta(hours=1), last_ts + timedelta(hours=horizon), "1h",
        time_zone="UTC", eager=True,
    )
    return pl.DataFrame({
        S.REGION: pl.Series([region] * (n * horizon), dtype=pl.String),
        S.SAMPLE: np.repeat(np.arange(n, dtype=np.int32), horizon),
        S.TS: pl.concat([ts] * n),
        S.VALUE: paths.reshape(-1),
    })
