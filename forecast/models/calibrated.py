"""Base of the point-forecast models whose uncertainty comes from their own backtest residuals.

`fit` holds out the newest stretch of each series: it fits on the history before K rolling origins
(newest first, `stride` hours apart, the newest `max_horizon` hours before the end), forecasts from
each origin, keeps the residual paths, then refits on everything. Quantiles are conformal per
horizon step; sample paths have those quantiles and the residual rows' correlation (see
`forecast.conformal`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import polars as pl

from forecast import conformal
from forecast import schema as S
from forecast.errors import UserError
from forecast.features.history import regularize
from forecast.features.lags import ORIGIN, STEP
from forecast.models.base import (
    DEFAULT_QUANTILES,
    FIT_COLUMNS,
    ForecastModel,
    check_horizon,
    check_quantiles,
)

YHAT, Y, K = S.YHAT, S.Y, S.K  # re-exported: the calibrated models import them from here


@dataclass(frozen=True)
class CalibrationParams:
    """How a model measures its own errors before the final fit."""

    max_horizon: int = field(default=168, metadata={"description": "Longest horizon calibrated, hours."})
    origins: int = field(default=28, metadata={"description": "Past origins K whose errors calibrate."})
    stride: int = field(
        default=24, metadata={"description": "Hours between origins (24: same hour of day as the forecast)."}
    )
    min_train: int = field(
        default=288,
        metadata={"description": "Hours the calibration fit needs at least (12 days)."},
    )
    neighbours: int = field(default=2, metadata={"description": "Steps either side pooled per step."})
    centre: bool = field(
        default=True,
        metadata={"description": "Centre each step's residuals on their median: the median is the point."},
    )
    tail_widen: float = field(
        default=1.1,
        metadata={"description": "Quantiles beyond the 80 % interval lie this much further out."},
    )
    lead_widen: float = field(
        default=0.1,
        metadata={"description": "Intervals widen by this fraction per week of lead."},
    )
    reference_origins: int = field(
        default=28,
        metadata={"description": "Fewer origins than this (a short history) widen the intervals."},
    )
    refit: bool = field(default=True, metadata={"description": "Refit on all history after calibrating."})
    n_samples: int = field(default=400, metadata={"description": "Paths drawn when predict() needs them."})
    seed: int = field(default=0, metadata={"description": "Seed of sample paths drawn by predict()."})

    def interval_shape(self) -> dict[str, float | int]:
        """How residuals become intervals, as `conformal.conformal_offsets` and
        `conformal.calibrated_paths` take it: pooled neighbours, tail and lead widening, and the
        origins those widenings hold for."""
        return {
            "neighbours": self.neighbours, "tail_widen": self.tail_widen, "lead_widen": self.lead_widen,
            "reference_origins": self.reference_origins,
        }


class InsufficientHistoryError(UserError, ValueError):
    """A region is too short for the calibration origins plus a minimal training window."""

    def __init__(self, model: str, region: str, rows: int, needed: int) -> None:
        self.region, self.rows, self.needed = region, rows, needed
        super().__init__(
            f"{model}: region {region!r} has {rows} hourly rows, needs >= {needed}; "
            "use the seasonal-naive baseline (forecast.selection does) or supply more history"
        )


def origins_frame(last: pl.DataFrame, offsets: Sequence[int]) -> pl.DataFrame:
    """`region, origin, k`: origin k lies offsets[k] hours before each region's `last` ts."""
    ks = pl.DataFrame({K: list(range(len(offsets))), "_off": list(offsets)})
    return last.join(ks, how="cross").select(
        S.REGION, (pl.col("last") - pl.duration(hours=pl.col("_off"))).alias(ORIGIN), K
    )


class CalibratedModel(ForecastModel):
    """A point model plus conformal calibration; subclasses fit and forecast from given origins."""

    sees_holidays = False  # True where the model's features flag each region's public holidays

    def __init__(self, calibration: CalibrationParams | None = None) -> None:
        self.calibration_params = calibration or CalibrationParams()
        self.history: pl.DataFrame | None = None
        self.future = pl.DataFrame()
        self.calibration = pl.DataFrame()  # region, k, origin, step, y, yhat
        self._residuals: dict[str, np.ndarray] = {}
        self._points: dict[int, pl.DataFrame] = {}

    @abstractmethod
    def _fit_history(self, history: pl.DataFrame, future: pl.DataFrame) -> None:
        """Fit on a regular hourly history `region, ts, value[, temperature]`."""

    @abstractmethod
    def _forecast_at(
        self, history: pl.DataFrame, future: pl.DataFrame, origins: pl.DataFrame, horizon: int
    ) -> pl.DataFrame:
        """Point forecasts `region, origin, step, yhat` using only values at or before each origin.

        Exogenous values (temperature) at target hours are read from `history` or `future`.
        """

    @property
    def is_fitted(self) -> bool:
        return self.history is not None

    @property
    def max_horizon(self) -> int:
        return self.calibration_params.max_horizon

    def calibration_offsets(self, rows: int) -> list[int]:
        """Hours before the end of each calibration origin (k = 0 newest) for series of `rows` hours.

        Fewer than `origins` when the series is short, but never fewer than four.
        """
        p = self.calibration_params
        first = -(-p.max_horizon // p.stride) * p.stride  # a whole number of strides before the end
        usable = (rows - first - p.min_train) // p.stride + 1
        return [first + k * p.stride for k in range(min(p.origins, usable))]

    def min_rows(self) -> int:
        p = self.calibration_params
        first = -(-p.max_horizon // p.stride) * p.stride
        return first + p.min_train + (min(p.origins, 4) - 1) * p.stride

    def fit(self, frame: pl.DataFrame) -> Self:
        S.require_columns(frame, FIT_COLUMNS, f"{self.name}.fit")
        history, future = regularize(frame)
        last = history.group_by(S.REGION).agg(pl.col(S.TS).max().alias("last"), pl.len().alias("n"))
        shortest = last.sort("n").row(0, named=True)
        if shortest["n"] < self.min_rows():
            raise InsufficientHistoryError(self.name, shortest[S.REGION], shortest["n"], self.min_rows())
        # One origin grid for every region (set by the shortest), so that components of the same
        # length share origins and a seed draws the same calendar origins in each (joint paths).
        offsets = self.calibration_offsets(shortest["n"])
        origins = origins_frame(last, offsets)
        oldest = origins.group_by(S.REGION).agg(pl.col(ORIGIN).min().alias("_cut"))
        train = history.join(oldest, on=S.REGION).filter(pl.col(S.TS) <= pl.col("_cut")).drop("_cut")
        self._fit_history(train, future)
        points = self._forecast_at(
            history, future, origins.sort(S.REGION, ORIGIN), self.max_horizon
        )
        actual = history.select(S.REGION, S.TS, pl.col(S.VALUE).alias(Y))
        self.calibration = (
            points.join(origins, on=[S.REGION, ORIGIN])
            .with_columns((pl.col(ORIGIN) + pl.duration(hours=pl.col(STEP))).alias(S.TS))
            .join(actual, on=[S.REGION, S.TS], how="left")
            .select(S.REGION, K, ORIGIN, STEP, S.TS, Y, YHAT)
            .sort(S.REGION, K, STEP)
        )
        self._residuals = residual_arrays(self.calibration, len(offsets), self.max_horizon)
        if self.calibration_params.refit:
            self._fit_history(history, future)
        self.history, self.future, self._points = history, future, {}
        return self

    def update(self, frame: pl.DataFrame) -> Self:
        """Forecast from the end of `frame` from now on, keeping parameters and calibration (no refit)."""
        self._check_fitted()
        S.require_columns(frame, FIT_COLUMNS, f"{self.name}.update")
        self.history, self.future = regularize(frame)
        self._points = {}
        return self

    def point(self, horizon: int) -> pl.DataFrame:
        """Point forecasts `region, step, ts, yhat` for `horizon` hours after each region's end."""
        self._check_fitted()
        check_horizon(horizon)
        if horizon > self.max_horizon:
            raise ValueError(
                f"{self.name} is calibrated up to {self.max_horizon} h, asked for {horizon}: "
                "refit with CalibrationParams(max_horizon=...) at least that long"
            )
        if horizon not in self._points:
            assert self.history is not None
            last = self.history.group_by(S.REGION).agg(pl.col(S.TS).max().alias(ORIGIN)).sort(S.REGION)
            points = self._forecast_at(self.history, self.future, last, horizon)
            self._points[horizon] = (
                points.with_columns((pl.col(ORIGIN) + pl.duration(hours=pl.col(STEP))).alias(S.TS))
                .select(S.REGION, STEP, S.TS, YHAT)
                .sort(S.REGION, STEP)
            )
        return self._points[horizon]

    def residuals(self, region: str) -> np.ndarray:
        """Residual paths (K origins newest first, max_horizon steps) of one region."""
        return self._residuals[region]

    def aligned_residuals(self, points: pl.DataFrame) -> dict[str, np.ndarray]:
        """Per region of `points` (`region, step, ts`), residual paths (K, steps) at the same hours
        of day as its forecast (see `conformal.lead_columns`).

        With a stride of whole days every calibration origin has the hour of day of the fit's end;
        a forecast re-anchored since (`update`) starts at another hour, and each of its steps
        takes the errors made for its own hour of day.
        """
        horizon = int(points[STEP].max())
        fitted = {}
        if self.calibration_params.stride % 24 == 0 and self.calibration.height:
            newest = self.calibration.filter(pl.col(K) == 0).group_by(S.REGION).agg(pl.col(ORIGIN).first())
            fitted = dict(zip(newest[S.REGION], newest[ORIGIN].dt.hour(), strict=True))
        first = points.filter(pl.col(STEP) == 1).select(
            S.REGION, (pl.col(S.TS) - pl.duration(hours=1)).dt.hour().alias("hour")
        )
        out = {}
        for region, hour in first.iter_rows():
            residuals = self._residuals[region]
            shift = (hour - fitted[region]) % 24 if region in fitted else 0
            aligned = residuals[:, conformal.lead_columns(shift, horizon, residuals.shape[1])]
            if self.calibration_params.centre:
                aligned = aligned - np.nan_to_num(np.nanmedian(aligned, axis=0))
            out[region] = aligned
        return out

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pl.DataFrame:
        qs = check_quantiles(quantiles)
        frames, points = [], self.point(horizon)
        residuals = self.aligned_residuals(points)
        for (region,), part in points.group_by(S.REGION, maintain_order=True):
            offsets = conformal.conformal_offsets(
                residuals[str(region)], qs, horizon, **self.calibration_params.interval_shape()
            )
            values = part[YHAT].to_numpy()[None, :] + offsets
            frames.append(pl.DataFrame({
                S.REGION: str(region),
                S.TS: np.tile(part[S.TS].to_numpy(), len(qs)),
                S.QUANTILE: np.repeat(qs, horizon),
                S.VALUE: values.ravel(),
            }))
        return (
            pl.concat(frames)
            .with_columns(pl.col(S.TS).cast(S.UTC_TS))
            .sort(S.REGION, S.TS, S.QUANTILE)
        )

    def sample_paths(self, horizon: int, n_samples: int, seed: int) -> pl.DataFrame:
        frames, points = [], self.point(horizon)
        residuals = self.aligned_residuals(points)
        for (region,), part in points.group_by(S.REGION, maintain_order=True):
            noise = conformal.calibrated_paths(
                residuals[str(region)], horizon, n_samples, seed, **self.calibration_params.interval_shape()
            )
            paths = part[YHAT].to_numpy()[None, :] + noise
            frames.append(pl.DataFrame({
                S.REGION: str(region),
                S.SAMPLE: np.repeat(np.arange(n_samples, dtype=np.int32), horizon),
                S.TS: np.tile(part[S.TS].to_numpy(), n_samples),
                S.VALUE: paths.ravel(),
            }))
        return pl.concat(frames).with_columns(pl.col(S.TS).cast(S.UTC_TS))


def residual_arrays(calibration: pl.DataFrame, n_origins: int, horizon: int) -> dict[str, np.ndarray]:
    """Per region a (K, H) array of y - yhat from a calibration frame (NaN where y is unknown)."""
    out: dict[str, np.ndarray] = {}
    for (region,), part in calibration.group_by(S.REGION, maintain_order=True):
        arr = np.full((n_origins, horizon), np.nan)
        k = part[K].to_numpy()
        step = part[STEP].to_numpy() - 1
        arr[k, step] = (part[Y] - part[YHAT]).fill_null(float("nan")).to_numpy()
        out[str(region)] = arr
    return out

