"""Seasonal-naive baseline with bootstrapped historical error paths for its uncertainty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.features.lags import ORIGIN, STEP, design_frame
from forecast.models.base import (
    DEFAULT_QUANTILES,
    FIT_COLUMNS,
    ForecastModel,
    check_horizon,
    paths_frame,
    quantiles_from_paths,
)
from forecast.models.calibrated import YHAT, CalibratedModel, CalibrationParams


@dataclass(frozen=True)
class SeasonalNaiveParams:
    """Hyperparameters of the seasonal-naive baseline."""

    season_length: int = field(default=168, metadata={"description": "Season in hours (168 = weekly)."})
    n_samples: int = field(default=400, metadata={"description": "Paths drawn to form quantiles."})
    seed: int = field(default=0, metadata={"description": "Seed of the path bootstrap in predict()."})
    error_window: int = field(
        default=24 * 7 * 8,
        metadata={"description": "Past origins drawn from the last this-many hours (8 weeks)."},
    )


@dataclass
class _RegionState:
    last_ts: object
    values: np.ndarray


class SeasonalNaive(ForecastModel):
    """y(T+h) = y(T+h-m*ceil(h/m)); uncertainty from the model's own errors at past origins.

    A sample path adds, to the point forecast, the error path the same rule made from a randomly
    drawn past origin, so errors keep their correlation across the horizon.
    """

    name = "seasonal_naive"

    def __init__(self, params: SeasonalNaiveParams | None = None) -> None:
        self.params = params or SeasonalNaiveParams()
        self._state: dict[str, _RegionState] = {}

    @property
    def is_fitted(self) -> bool:
        return bool(self._state)

    def fit(self, frame: pl.DataFrame) -> Self:
        S.require_columns(frame, FIT_COLUMNS, "SeasonalNaive.fit")
        m = self.params.season_length
        self._state = {}
        for (region,), part in frame.sort(S.TS).group_by(S.REGION, maintain_order=True):
            values = part[S.VALUE].to_numpy().astype(float)
            if len(values) < m:
                raise ValueError(
                    f"region {region!r} has {len(values)} hourly rows; seasonal naive needs >= {m}"
                )
            self._state[str(region)] = _RegionState(part[S.TS][-1], values)
        return self

    def _point(self, values: np.ndarray, horizon: int) -> np.ndarray:
        m = self.params.season_length
        h = np.arange(1, horizon + 1)
        return values[len(values) - m + (h - 1) % m]

    def _error_paths(self, values: np.ndarray, horizon: int, n: int, seed: int) -> np.ndarray:
        """Errors of the rule at `n` past origins drawn with `seed`: shape (n, horizon).

        Origins are drawn as offsets back from the end, so series that end at the same hour and
        are sampled with the same seed share their origins (joint paths for headroom).
        """
        m = self.params.season_length
        window = min(self.params.error_window, len(values) - m - horizon + 1)
        if window < 1:
            return np.zeros((n, horizon))
        offsets = np.random.default_rng(seed).integers(0, window, size=n)
        origins = len(values) - horizon - offsets  # scores values[o:o+h] from values[o-m:o]
        steps = np.arange(horizon)
        actual = values[origins[:, None] + steps]
        point = values[origins[:, None] - m + steps % m]
        return actual - point

    def sample_paths(self, horizon: int, n_samples: int, seed: int) -> pl.DataFrame:
        self._check_fitted()
        check_horizon(horizon)
        frames = []
        for region, state in self._state.items():
            point = self._point(state.values, horizon)
            paths = point[None, :] + self._error_paths(state.values, horizon, n_samples, seed)
            frames.append(paths_frame(region, state.last_ts, paths))
        return pl.concat(frames)

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pl.DataFrame:
        paths = self.sample_paths(horizon, self.params.n_samples, self.params.seed)
        return quantiles_from_paths(paths, quantiles)



class SeasonalNaiveRule(CalibratedModel):
    """The seasonal-naive rule with conformal calibration, as a candidate beside the other models.

    Same point forecast as `SeasonalNaive`; its uncertainty comes from the shared calibration
    origins (so it combines jointly with other calibrated models and joins the ensemble).
    """

    name = "seasonal_naive"

    def __init__(self, season_length: int = 168, calibration: CalibrationParams | None = None) -> None:
        super().__init__(calibration)
        self.season_length = season_length

    def _fit_history(self, history: pl.DataFrame, future: pl.DataFrame) -> None:
        """Nothing to estimate: the rule reads the history at forecast time."""

    def _forecast_at(
        self, history: pl.DataFrame, future: pl.DataFrame, origins: pl.DataFrame, horizon: int
    ) -> pl.DataFrame:
        m = self.season_length
        back = m * ((pl.col(STEP) + m - 1) // m)
        return (
            design_frame(origins, horizon)
            .with_columns((pl.col(S.TS) - pl.duration(hours=back)).alias("_src"))
            .join(
                history.select(S.REGION, pl.col(S.TS).alias("_src"), pl.col(S.VALUE).alias(YHAT)),
                on=[S.REGION, "_src"], how="left",
            )
            .select(S.REGION, ORIGIN, STEP, YHAT)
        )
