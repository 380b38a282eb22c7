"""A weighted ensemble of calibrated models, weights learnt per region on their backtest folds.

The components forecast from the same calibration origins, so the ensemble's residual paths are
exactly the weighted sum of theirs: it is calibrated (conformal intervals, joint sample paths)
without any extra fitting. Given the regions' calendars, the members that do not see holidays
(they forecast a holiday as an ordinary day) can be scaled by a share of the region's own holiday
effect on its public holidays (`holiday_effect`), or left out there (`switch_holidays`: only the members
that see holidays, LightGBM's calendar features, are combined).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Self

import numpy as np
import polars as pl
from scipy.optimize import minimize

from forecast import schema as S
from forecast.features.calendar import holiday_flags
from forecast.features.holiday_effect import holiday_effects, holiday_factor
from forecast.models.calibrated import CalibratedModel, residual_arrays
from forecast.schema import ORIGIN, STEP, YHAT, K, Y

WEIGHT = "weight"
LEAD = "lead"  # band of forecast steps with weights of their own


def simplex_weights(points: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to 1 minimising the squared error of points @ w against actual.

    Rows with a missing value are ignored; with no usable rows the weights are equal.
    """
    m = points.shape[1]
    ok = np.isfinite(actual) & np.isfinite(points).all(axis=1)
    if ok.sum() < m:
        return np.full(m, 1.0 / m)
    p, y = points[ok], actual[ok]
    scale = max(float(np.std(y)), 1e-9)
    p, y = p / scale, y / scale

    def loss(w: np.ndarray) -> float:
        return float(np.mean((p @ w - y) ** 2))

    res = minimize(
        loss, np.full(m, 1.0 / m), method="SLSQP", bounds=[(0.0, 1.0)] * m,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0}],
    )
    w = np.clip(res.x, 0.0, None)
    return w / w.sum() if w.sum() > 0 else np.full(m, 1.0 / m)


def inverse_error_weights(points: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Weights proportional to 1 / each column's mean absolute error against actual, summing to 1.

    Rows with a missing value are ignored; with no usable rows the weights are equal. A column
    without error takes all the weight.
    """
    m = points.shape[1]
    ok = np.isfinite(actual) & np.isfinite(points).all(axis=1)
    if not ok.any():
        return np.full(m, 1.0 / m)
    mae = np.abs(points[ok] - actual[ok, None]).mean(axis=0)
    if (mae <= 1e-12).any():
        exact = (mae <= 1e-12).astype(float)
        return exact / exact.sum()
    w = 1.0 / mae
    return w / w.sum()


WEIGHTINGS = {"inverse_mae": inverse_error_weights, "stacked": simplex_weights}


def stacked_calibration(components: Sequence[CalibratedModel]) -> pl.DataFrame:
    """Calibration forecasts side by side: `region, k, origin, step, ts, y, <model>...`."""
    key = [S.REGION, K, ORIGIN, STEP, S.TS, Y]
    out = components[0].calibration.select(*key, pl.col(YHAT).alias(components[0].name))
    for model in components[1:]:
        out = out.join(
            model.calibration.select(S.REGION, K, STEP, pl.col(YHAT).alias(model.name)),
            on=[S.REGION, K, STEP], how="inner",
        )
    return out.sort(S.REGION, K, STEP)


def lead_band(bounds: Sequence[int]) -> pl.Expr:
    """`lead`: 0 for steps up to bounds[0], 1 up to bounds[1], ... (all 0 without bounds)."""
    band = pl.lit(0, dtype=pl.Int32)
    for bound in bounds:
        band = band + (pl.col(STEP) > bound).cast(pl.Int32)
    return band.alias(LEAD)


def learn_weights(
    stacked: pl.DataFrame, names: Sequence[str], weighting: str = "stacked", bounds: Sequence[int] = ()
) -> pl.DataFrame:
    """Weights over `names` (`WEIGHTINGS[weighting]`) per region and lead band (`lead_band(bounds)`):
    `region, lead, model, weight`."""
    rows = []
    learn = WEIGHTINGS[weighting]
    banded = stacked.with_columns(lead_band(bounds))
    for (region, lead), part in banded.group_by(S.REGION, LEAD, maintain_order=True):
        w = learn(part.select(names).to_numpy(), part[Y].to_numpy())
        rows += [(str(region), int(lead), name, float(x)) for name, x in zip(names, w, strict=True)]
    schema = {S.REGION: pl.String, LEAD: pl.Int32, S.MODEL: pl.String, WEIGHT: pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row").sort(S.REGION, LEAD)


class WeightedEnsemble(CalibratedModel):
    """Sum of component forecasts with per-region weights learnt on their calibration folds.

    `weighting` is `stacked` (least-squares simplex weights) or `inverse_mae` (1 / each
    component's mean absolute error, normalised), per region and per band of lead times split at
    `lead_bounds` (steps; a component better a day ahead than a week ahead weighs more in the first
    day's band). With `calendars` (region -> holiday calendar
    code) and `timezones`, on a region's public holidays the components that do not see holidays
    are multiplied by 1 + `holiday_effect` x the region's holiday effect at that local hour
    (learnt from its history: `forecast.features.holiday_effect`), and/or only the components that
    see holidays are combined, their weights renormalised (`switch_holidays`; all components when
    none does).
    """

    name = "ensemble"
    # Class defaults, so an ensemble pickled before holiday effects existed still loads and serves.
    switch_holidays: bool = True
    holiday_effect: float = 0.0
    effects: Mapping[str, pl.DataFrame] = MappingProxyType({})
    lead_bounds: tuple[int, ...] = ()

    def __init__(
        self,
        components: Sequence[CalibratedModel],
        weighting: str = "stacked",
        calendars: Mapping[str, str] | None = None,
        timezones: Mapping[str, str] | None = None,
        switch_holidays: bool = True,
        holiday_effect: float = 0.0,
        lead_bounds: Sequence[int] = (),
    ) -> None:
        if not components:
            raise ValueError("an ensemble needs at least one component model")
        if weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {sorted(WEIGHTINGS)}, got {weighting!r}")
        names = [m.name for m in components]
        if len(set(names)) < len(names):
            raise ValueError(f"ensemble components need distinct names, got {names}")
        super().__init__(components[0].calibration_params)
        self.components = list(components)
        self.weighting = weighting
        self.calendars = dict(calendars or {})
        self.timezones = dict(timezones or {})
        self.switch_holidays, self.holiday_effect = switch_holidays, holiday_effect
        self.lead_bounds = tuple(sorted(lead_bounds))
        self.weights = pl.DataFrame()
        self.effects = {}

    def fit(self, frame: pl.DataFrame) -> Self:
        for model in self.components:
            model.fit(frame)
        return self.combine()

    def combine(self, origins: Sequence[int] | None = None) -> Self:
        """Learn weights from fitted components (on calibration origins `origins` if given, k ids)."""
        names = [m.name for m in self.components]
        stacked = stacked_calibration(self.components)
        self.effects = self._holiday_effects(stacked)
        if self.effects:
            stacked = self._scale_blind(stacked, self.effects["calibration"])
        train = stacked if origins is None else stacked.filter(pl.col(K).is_in(list(origins)))
        self.weights = learn_weights(train, names, self.weighting, self.lead_bounds)
        combined = self._weighted_sum(stacked)
        self.calibration = combined.select(S.REGION, K, ORIGIN, STEP, S.TS, Y, YHAT)
        n_origins = int(stacked[K].max()) + 1 if stacked.height else 0
        self._residuals = residual_arrays(self.calibration, n_origins, self.max_horizon)
        self.history, self.future = self.components[0].history, self.components[0].future
        self._points = {}
        return self

    def _holiday_effects(self, stacked: pl.DataFrame) -> Mapping[str, pl.DataFrame]:
        """Holiday effects for the served forecast (all history) and for the calibration rows
        (history before the oldest calibration origin, so no calibration hour informs its own)."""
        history = self.components[0].history
        blind = [m for m in self.components if not m.sees_holidays]
        if not (self.holiday_effect and self.calendars and blind) or history is None or history.is_empty():
            return {}
        first = stacked.group_by(S.REGION).agg(pl.col(ORIGIN).min().alias("_first"))
        before = history.join(first, on=S.REGION, how="left").filter(
            pl.col("_first").is_null() | (pl.col(S.TS) <= pl.col("_first"))
        )
        return {
            "served": holiday_effects(history, self.timezones, self.calendars),
            "calibration": holiday_effects(before.drop("_first"), self.timezones, self.calendars),
        }

    def _scale_blind(self, rows: pl.DataFrame, effects: pl.DataFrame) -> pl.DataFrame:
        """`rows` with the columns of components that do not see holidays times 1 + `holiday_effect` x
        the region's effect on its holidays."""
        full = holiday_factor(rows, effects, self.timezones, self.calendars)
        factor = 1.0 + self.holiday_effect * (full - 1.0)
        blind = [m.name for m in self.components if not m.sees_holidays]
        return rows.with_columns(pl.col(n) * factor for n in blind)

    def _weighted_sum(self, rows: pl.DataFrame) -> pl.DataFrame:
        """`rows` (`region, step, ts` and one column per component) with `yhat`, their weighted sum
        (the weights of the region and the step's lead band).

        On a region's public holidays the weights are those of the components that see holidays,
        renormalised; a region where none of them has weight keeps its usual weights.
        """
        names = [m.name for m in self.components]
        aware = [m.name for m in self.components if m.sees_holidays]
        weights = self.weights  # an ensemble pickled before lead bands has one band
        if LEAD not in weights.columns:
            weights = weights.with_columns(pl.lit(0, dtype=pl.Int32).alias(LEAD))
        wide = weights.pivot(on=S.MODEL, index=[S.REGION, LEAD], values=WEIGHT).rename(
            {n: f"_w_{n}" for n in names}
        )
        out = rows.with_columns(lead_band(self.lead_bounds)).join(wide, on=[S.REGION, LEAD])
        if self.switch_holidays and aware and self.calendars and out.height:
            aware_sum = pl.sum_horizontal(pl.col(f"_w_{n}") for n in aware)
            holiday = holiday_flags(out, self.timezones, self.calendars) & (aware_sum > 0)
            out = out.with_columns(holiday.alias("_holiday")).with_columns(
                pl.when(pl.col("_holiday"))
                .then(pl.col(f"_w_{n}") / aware_sum if n in aware else pl.lit(0.0))
                .otherwise(pl.col(f"_w_{n}"))
                .alias(f"_w_{n}")
                for n in names
            )
        return out.with_columns(
            pl.sum_horizontal(pl.col(n) * pl.col(f"_w_{n}") for n in names).alias(YHAT)
        ).drop([f"_w_{n}" for n in names] + ["_holiday", LEAD], strict=False)

    def update(self, frame: pl.DataFrame) -> Self:
        for model in self.components:
            model.update(frame)
        return super().update(frame)

    def _fit_history(self, history: pl.DataFrame, future: pl.DataFrame) -> None:
        """Components are fitted by fit(); nothing of its own to estimate."""

    def _forecast_at(
        self, history: pl.DataFrame, future: pl.DataFrame, origins: pl.DataFrame, horizon: int
    ) -> pl.DataFrame:
        key = [S.REGION, ORIGIN, STEP]
        out = None
        for model in self.components:
            part = model._forecast_at(history, future, origins, horizon).select(
                *key, pl.col(YHAT).alias(model.name)
            )
            out = part if out is None else out.join(part, on=key)
        assert out is not None
        out = out.with_columns((pl.col(ORIGIN) + pl.duration(hours=pl.col(STEP))).alias(S.TS))
        if self.effects:
            out = self._scale_blind(out, self.effects["served"])
        return self._weighted_sum(out).select(*key, YHAT)
