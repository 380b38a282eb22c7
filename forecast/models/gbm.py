"""One global LightGBM model across regions, direct multi-step on origin-anchored polars features.

Each training row is (region, origin, step): features are read at or before the origin (lags,
rolling stats), from the calendar of the target hour, and temperature at the target hour when
present; the target is y(origin + step) divided by the trailing weekly mean at the origin, so one
model serves regions of any size and every step of the horizon (no recursion, no error feedback).
Quantiles come either from conformal calibration of the point forecast or, with
`intervals="quantile"`, from one quantile-objective booster per level on the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Self

import lightgbm as lgb
import numpy as np
import polars as pl

from forecast import conformal
from forecast import schema as S
from forecast.features.calendar import CALENDAR_FEATURES, add_calendar
from forecast.features.exog import add_exog
from forecast.features.history import exog_columns
from forecast.features.lags import LAG_FEATURES, ORIGIN, SCALE, STEP, add_lag_features, design_frame
from forecast.models.base import DEFAULT_QUANTILES, check_horizon, check_quantiles
from forecast.models.calibrated import YHAT, CalibratedModel, CalibrationParams

REGION_CODE = "region_code"
INTERVALS = ("conformal", "quantile")


@dataclass(frozen=True)
class LightGBMParams:
    """Hyperparameters of the global LightGBM model (modest trees: fit time stays in seconds)."""

    n_estimators: int = field(default=300, metadata={"description": "Boosting rounds."})
    learning_rate: float = field(default=0.05, metadata={"description": "Shrinkage per round."})
    num_leaves: int = field(default=31, metadata={"description": "Leaves per tree."})
    min_child_samples: int = field(default=50, metadata={"description": "Rows per leaf at least."})
    feature_fraction: float = field(default=0.9, metadata={"description": "Features tried per tree."})
    bagging_fraction: float = field(default=0.8, metadata={"description": "Rows used per tree."})
    lambda_l2: float = field(default=1.0, metadata={"description": "L2 penalty on leaf values."})
    objective: str = field(default="l2", metadata={"description": "LightGBM objective (l2 or l1)."})
    window_hours: int = field(default=8760, metadata={"description": "Recent hours per region trained on."})
    rows_budget: int = field(default=400_000, metadata={"description": "Training rows over all regions."})
    min_rows_per_region: int = field(default=2000, metadata={"description": "Training rows per region, min."})
    num_threads: int = field(default=2, metadata={"description": "LightGBM threads."})
    refit: bool = field(
        default=True,
        metadata={"description": "False: serve the calibration fit (True: as CalibrationParams.refit)."},
    )
    seed: int = field(default=0, metadata={"description": "Seed of row sampling and bagging."})
    intervals: str = field(default="conformal", metadata={
        "description": "Quantiles from 'conformal' residuals of the point model, or 'quantile' boosters."
    })
    quantile_levels: tuple[float, ...] = field(
        default=(0.025, 0.05, 0.1, 0.25, 0.75, 0.9, 0.95, 0.975),
        metadata={"description": "Levels with their own quantile-objective booster ('quantile' mode)."},
    )

    def __post_init__(self) -> None:
        if self.intervals not in INTERVALS:
            raise ValueError(f"intervals must be one of {INTERVALS}, got {self.intervals!r}")


class GlobalLightGBM(CalibratedModel):
    """Direct multi-step LightGBM over all regions; conformal or quantile-booster intervals."""

    name = "lightgbm"
    sees_holidays = True

    def __init__(
        self,
        params: LightGBMParams | None = None,
        calibration: CalibrationParams | None = None,
        calendars: Mapping[str, str] | None = None,
        timezones: Mapping[str, str] | None = None,
    ) -> None:
        self.params = params or LightGBMParams()
        calibration = calibration or CalibrationParams()
        super().__init__(calibration if self.params.refit else replace(calibration, refit=False))
        self.calendars = dict(calendars or {})
        self.timezones = dict(timezones or {})
        self.booster: lgb.Booster | None = None
        self._codes: dict[str, int] = {}
        self._features: list[str] = []
        self._train_data: lgb.Dataset | None = None
        self._quantile_boosters: dict[float, lgb.Booster] = {}
        self._tables: dict[int, tuple[pl.DataFrame, np.ndarray, np.ndarray]] = {}

    def features(self, design: pl.DataFrame, history: pl.DataFrame, future: pl.DataFrame) -> pl.DataFrame:
        """All model features for design rows `region, origin, step, ts` (public for the leak test)."""
        out = add_lag_features(design, history)
        out = add_calendar(out, self.timezones, self.calendars)
        out = add_exog(out, history, future)
        codes = pl.DataFrame({S.REGION: list(self._codes), REGION_CODE: list(self._codes.values())})
        return out.join(codes, on=S.REGION, how="left")

    def _training_design(self, history: pl.DataFrame, horizon: int) -> pl.DataFrame:
        """Random (origin, step) pairs per region whose target lies inside the history."""
        p = self.params
        rng = np.random.default_rng(p.seed)
        bounds = history.group_by(S.REGION, maintain_order=True).agg(
            pl.col(S.TS).min().alias("first"), pl.col(S.TS).max().alias("last")
        )
        per_region = max(p.min_rows_per_region, p.rows_budget // max(1, bounds.height))
        frames = []
        for row in bounds.iter_rows(named=True):
            span = int((row["last"] - row["first"]).total_seconds() // 3600)
            lo = max(168, span - p.window_hours)  # a week of lags at the oldest origin when possible
            if span - 1 <= lo:
                lo = 0
            n = min(per_region, (span - lo) * horizon)
            origin_off = rng.integers(lo, span, size=n)  # hours after the first ts
            steps = rng.integers(1, horizon + 1, size=n)
            keep = origin_off + steps <= span
            frames.append(pl.DataFrame({
                S.REGION: row[S.REGION],
                ORIGIN: pl.Series([row["first"]] * int(keep.sum()), dtype=S.UTC_TS),
                "_off": origin_off[keep],
                STEP: steps[keep].astype(np.int32),
            }))
        design = pl.concat(frames).with_columns(
            (pl.col(ORIGIN) + pl.duration(hours=pl.col("_off"))).alias(ORIGIN)
        ).drop("_off")
        return design.with_columns((pl.col(ORIGIN) + pl.duration(hours=pl.col(STEP))).alias(S.TS))

    def _lgb_params(self, objective: str, **extra: float) -> dict:
        p = self.params
        return {
            "objective": objective, "learning_rate": p.learning_rate, "num_leaves": p.num_leaves,
            "min_child_samples": p.min_child_samples, "feature_fraction": p.feature_fraction,
            "bagging_fraction": p.bagging_fraction, "bagging_freq": 1, "lambda_l2": p.lambda_l2,
            "num_threads": p.num_threads, "seed": p.seed, "verbose": -1,
            "deterministic": True, "force_row_wise": True, **extra,
        }

    def _fit_history(self, history: pl.DataFrame, future: pl.DataFrame) -> None:
        self._codes = {r: i for i, r in enumerate(sorted(history[S.REGION].unique().to_list()))}
        design = self._training_design(history, self.max_horizon)
        rows = self.features(design, history, future).join(
            history.select(S.REGION, S.TS, pl.col(S.VALUE).alias("_y")), on=[S.REGION, S.TS]
        )
        self._features = [
            STEP, *LAG_FEATURES, *CALENDAR_FEATURES, *exog_columns(history), REGION_CODE,
        ]
        safe = pl.when(pl.col(SCALE).abs() > 1e-9).then(pl.col(SCALE)).otherwise(1.0)
        target = rows.select(pl.col("_y") / safe).to_series().to_numpy()
        data = lgb.Dataset(
            rows.select(self._features).to_numpy().astype(np.float64), label=target,
            feature_name=self._features, categorical_feature=[REGION_CODE], free_raw_data=True,
        )
        self.booster = lgb.train(self._lgb_params(self.params.objective), data, self.params.n_estimators)
        self._train_data = data  # the served fit's rows, reused by the quantile boosters

    def fit(self, frame: pl.DataFrame) -> Self:
        """Point model with conformal calibration; in 'quantile' mode also one booster per level."""
        self._quantile_boosters, self._tables = {}, {}
        super().fit(frame)
        if self.params.intervals == "quantile":
            # Trained once, on the rows of the final (served) fit: the calibration fit needs none.
            for q in self.params.quantile_levels:
                params = self._lgb_params("quantile", alpha=q)
                self._quantile_boosters[q] = lgb.train(params, self._train_data, self.params.n_estimators)
        self._train_data = None
        return self

    def update(self, frame: pl.DataFrame) -> Self:
        self._tables = {}
        return super().update(frame)

    def _rows(self, history: pl.DataFrame, future: pl.DataFrame, origins: pl.DataFrame, horizon: int):
        """Feature matrix and trailing-week scale of the design rows at `origins` (and the rows)."""
        rows = self.features(design_frame(origins, horizon), history, future)
        x = rows.select(self._features).to_numpy().astype(np.float64)
        safe = rows.select(
            pl.when(pl.col(SCALE).abs() > 1e-9).then(pl.col(SCALE)).otherwise(1.0)
        ).to_series().to_numpy()
        return rows, x, safe

    def _forecast_at(
        self, history: pl.DataFrame, future: pl.DataFrame, origins: pl.DataFrame, horizon: int
    ) -> pl.DataFrame:
        assert self.booster is not None
        rows, x, safe = self._rows(history, future, origins, horizon)
        pred = self.booster.predict(x) * safe
        return rows.select(S.REGION, ORIGIN, STEP).with_columns(pl.Series(YHAT, pred))

    def quantile_table(self, horizon: int) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
        """The boosters' quantiles after each region's end: (`region, step, ts`, levels, values).

        Values are (rows, levels), the point forecast as level 0.5, sorted along the levels in
        each row (monotone rearrangement), so the boosters' quantiles never cross.
        """
        self._check_fitted()
        if horizon not in self._tables:
            assert self.history is not None and self.booster is not None
            last = self.history.group_by(S.REGION).agg(pl.col(S.TS).max().alias(ORIGIN)).sort(S.REGION)
            rows, x, safe = self._rows(self.history, self.future, last, horizon)
            order = rows.select(S.REGION, STEP).with_row_index("_i").sort(S.REGION, STEP)["_i"].to_numpy()
            levels = np.array(sorted({0.5, *self._quantile_boosters}))
            boosters = [self.booster if q == 0.5 else self._quantile_boosters[q] for q in levels]
            values = np.column_stack([b.predict(x[order]) * safe[order] for b in boosters])
            keys = rows[order].select(S.REGION, STEP, S.TS)
            self._tables[horizon] = (keys, levels, np.sort(values, axis=1))
        return self._tables[horizon]

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pl.DataFrame:
        """Conformal quantiles, or in 'quantile' mode the boosters' (linear between their levels).

        Levels beyond the outermost booster take the conformal quantile, pushed at least as far
        out as that booster, so quantiles stay ordered whatever is asked.
        """
        if self.params.intervals != "quantile":
            return super().predict(horizon, quantiles)
        check_horizon(horizon)
        qs = np.array(check_quantiles(quantiles))
        keys, levels, table = self.quantile_table(horizon)
        j = np.clip(np.searchsorted(levels, qs), 1, len(levels) - 1)
        w = np.clip((qs - levels[j - 1]) / (levels[j] - levels[j - 1]), 0.0, 1.0)
        values = table[:, j - 1] * (1 - w) + table[:, j] * w
        lower, upper = qs < levels[0], qs > levels[-1]
        if (lower | upper).any():
            point = table[:, int(np.flatnonzero(levels == 0.5)[0])]
            steps, regions = keys[STEP].to_numpy() - 1, keys[S.REGION].to_numpy()
            residuals = self.aligned_residuals(keys)
            for region in np.unique(regions):
                mine = regions == region
                offsets = conformal.conformal_offsets(
                    residuals[str(region)], list(qs[lower | upper]), horizon,
                    **self.calibration_params.interval_shape(),
                )
                values[np.ix_(mine, lower | upper)] = point[mine, None] + offsets[:, steps[mine]].T
            values[:, lower] = np.minimum(values[:, lower], table[:, :1])
            values[:, upper] = np.maximum(values[:, upper], table[:, -1:])
        values = np.maximum.accumulate(values, axis=1)
        return (
            pl.DataFrame({
                S.REGION: np.repeat(keys[S.REGION].to_numpy(), len(qs)),
                S.TS: np.repeat(keys[S.TS].to_numpy(), len(qs)),
                S.QUANTILE: np.tile(qs, keys.height),
                S.VALUE: values.ravel(),
            })
            .with_columns(pl.col(S.TS).cast(S.UTC_TS))
            .sort(S.REGION, S.TS, S.QUANTILE)
        )

    def describe(self) -> dict:
        """Parameters and features, for the model registry."""
        params = {**asdict(self.params), "refit": self.calibration_params.refit}  # what was done
        return {"params": params, "features": self._features}
