"""statsmodels models per region on a bounded recent window: MSTL + ETS, and SARIMAX.

Both are fitted once per region on the last `window_hours`; forecasting from an earlier origin
reuses the fitted parameters on the data up to that origin only (MSTL re-decomposes there, the
SARIMAX Kalman filter runs only up to it), so calibration origins never see later values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.statespace.sarimax import SARIMAX

from forecast import schema as S
from forecast.features.exog import add_exog
from forecast.features.history import exog_columns
from forecast.features.lags import ORIGIN, STEP, design_frame
from forecast.models.calibrated import YHAT, CalibratedModel, CalibrationParams
from forecast.models.gls import regression_arma_gls

HOUR_US = 3_600_000_000


def _series(history: pl.DataFrame) -> dict[str, tuple[int, np.ndarray]]:
    """Per region: (first ts as whole hours since the epoch, values)."""
    out = {}
    for (region,), part in history.group_by(S.REGION, maintain_order=True):
        first = int(part[S.TS][0].timestamp()) // 3600
        out[str(region)] = (first, part[S.VALUE].to_numpy().astype(float))
    return out


def _origin_index(origins: pl.DataFrame, region: str, first: int) -> np.ndarray:
    hours = origins.filter(pl.col(S.REGION) == region)[ORIGIN].dt.epoch("s").to_numpy() // 3600
    return (hours - first).astype(int)


def _frame(region: str, origins: pl.DataFrame, points: np.ndarray) -> pl.DataFrame:
    mine = origins.filter(pl.col(S.REGION) == region)[ORIGIN]
    n, horizon = points.shape
    return pl.DataFrame({
        S.REGION: region,
        ORIGIN: mine.gather(np.repeat(np.arange(n), horizon)),
        STEP: np.tile(np.arange(1, horizon + 1, dtype=np.int32), n),
        YHAT: points.ravel(),
    })


@dataclass(frozen=True)
class MSTLParams:
    """MSTL decomposition (daily and weekly) with damped-trend ETS on the seasonally adjusted rest."""

    window_hours: int = field(default=24 * 7 * 12, metadata={"description": "Recent hours used (12 weeks)."})
    periods: tuple[int, ...] = field(default=(24, 168), metadata={"description": "Seasonal periods, hours."})
    iterate: int = field(default=1, metadata={"description": "MSTL refinement passes (1 is fast)."})
    # 0, as R's and statsforecast's mstl: a local line (statsmodels' default 1) swings at the
    # series' end, and the forecast repeats exactly that last period (validation: docs/forecasting.md).
    seasonal_deg: int = field(
        default=0, metadata={"description": "Degree of the seasonal LOESS (0: local mean, 1: local line)."}
    )
    # R's stl evaluates the trend and low-pass LOESS every ceil(window / 10) points and interpolates
    # between them; statsmodels evaluates every point, ~9x slower per 12-week decomposition.
    loess_jumps: bool = field(
        default=True, metadata={"description": "Trend and low-pass LOESS every window/10 points, as R's stl."}
    )
    # R's stl runs 2 inner passes without robustness weights (Cleveland et al. 1990), statsmodels 5:
    # 2.2x faster, validation-year MASE 0.753 / 1.233 against 0.756 / 1.236 (docs/forecasting.md).
    inner_iter: int = field(
        default=2, metadata={"description": "STL inner-loop passes (R's stl: 2; statsmodels: 5)."}
    )

    def __post_init__(self) -> None:
        if self.inner_iter < 1:
            raise ValueError(f"inner_iter must be >= 1, got {self.inner_iter}")


def damped_holt_forecast(
    y: np.ndarray, params: dict[str, float], level: float, trend: float, horizon: int
) -> np.ndarray:
    """Additive damped-trend Holt smoothing of `y` from (`level`, `trend`), then `horizon` steps ahead.

    The recursions of statsmodels' ExponentialSmoothing(trend="add", damped_trend=True) with fixed
    `params` (smoothing_level, smoothing_trend, damping_trend), without its per-call overhead: the
    calibration re-runs them at every origin (~15x faster than `fit(optimized=False)` + `forecast`).
    """
    alpha, beta, phi = params["smoothing_level"], params["smoothing_trend"], params["damping_trend"]
    for value in y.tolist():
        previous = level
        level = alpha * value + (1 - alpha) * (level + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
    return level + np.cumsum(phi ** np.arange(1, horizon + 1)) * trend


class MSTLETS(CalibratedModel):
    """MSTL seasonal components repeated forward, plus an ETS forecast of trend + remainder."""

    name = "mstl_ets"

    def __init__(self, params: MSTLParams | None = None, calibration: CalibrationParams | None = None):
        super().__init__(calibration)
        self.params = params or MSTLParams()
        self._ets: dict[str, dict[str, float]] = {}

    def _decompose(self, y: np.ndarray) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
        """MSTL (Bandara et al.; statsmodels' loop and seasonal windows 7 + 4 i) with R's LOESS jumps."""
        periods = sorted(p for p in self.params.periods if len(y) >= 2 * p + 1)
        seasonals = [np.zeros(len(y)) for _ in periods]
        deseas = y.astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(self.params.iterate if len(periods) > 1 else 1):
                for i, period in enumerate(periods):
                    deseas = deseas + seasonals[i]
                    seasonals[i] = np.asarray(self._stl(deseas, period, 7 + 4 * (i + 1)).seasonal)
                    deseas = deseas - seasonals[i]
        return deseas, list(zip(periods, seasonals, strict=True))

    def _stl(self, y: np.ndarray, period: int, window: int):
        """One STL fit; with `loess_jumps` the trend and low-pass LOESS jump as R's stl does."""
        stl = STL(y, period=period, seasonal=window, seasonal_deg=self.params.seasonal_deg)
        if self.params.loess_jumps:
            config = stl.config
            stl = STL(
                y, period=period, seasonal=window, seasonal_deg=self.params.seasonal_deg,
                trend_jump=-(-config["trend"] // 10), low_pass_jump=-(-config["low_pass"] // 10),
            )
        return stl.fit(inner_iter=self.params.inner_iter)

    def _fit_history(self, history: pl.DataFrame, future: pl.DataFrame) -> None:
        self._ets = {}
        for region, (_, values) in _series(history).items():
            adjusted, _ = self._decompose(values[-self.params.window_hours:])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ExponentialSmoothing(adjusted, trend="add", damped_trend=True).fit()
            self._ets[region] = {
                k: float(fit.params[k]) for k in ("smoothing_level", "smoothing_trend", "damping_trend")
            }

    def _forecast_one(self, y: np.ndarray, region: str, horizon: int) -> np.ndarray:
        adjusted, seasonals = self._decompose(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            level, trend, _ = ExponentialSmoothing(adjusted, trend="add", damped_trend=True).initial_values()
        out = damped_holt_forecast(adjusted, self._ets[region], level, trend, horizon)
        steps = np.arange(horizon)
        for period, comp in seasonals:
            out = out + comp[len(comp) - period + steps % period]
        return out

    def _forecast_at(
        self, history: pl.DataFrame, future: pl.DataFrame, origins: pl.DataFrame, horizon: int
    ) -> pl.DataFrame:
        frames, w = [], self.params.window_hours
        for region, (first, values) in _series(history).items():
            idx = _origin_index(origins, region, first)
            points = np.vstack([
                self._forecast_one(values[max(0, i + 1 - w): i + 1], region, horizon) for i in idx
            ])
            frames.append(_frame(region, origins, points))
        return pl.concat(frames)


def state_forecast(res, exog_ahead: np.ndarray) -> np.ndarray:
    """`res.forecast(len(exog_ahead), exog=exog_ahead)` of a time-invariant SARIMAX with its exog in
    the observation intercept, stepped from the filter's last predicted state (no extension model:
    ~8x faster)."""
    fr, model = res.filter_results, res.model
    if model.trend not in (None, "n", "c") or not model.mle_regression or fr.transition.shape[-1] != 1:
        raise ValueError("state_forecast needs a time-invariant SARIMAX: trend 'n' or 'c', exog by MLE")
    design, transition, intercept = fr.design[0, :, 0], fr.transition[:, :, 0], fr.state_intercept[:, 0]
    beta = np.asarray(res.params)[model.k_trend: model.k_trend + model.k_exog]
    state, out = fr.predicted_state[:, -1].copy(), np.empty(len(exog_ahead))
    for j in range(len(out)):
        out[j] = design @ state
        state = transition @ state + intercept
    return out + exog_ahead @ beta


SARIMAX_FITS = ("gls", "likelihood")


@dataclass(frozen=True)
class SARIMAXParams:
    """ARMA errors around Fourier daily/weekly terms, with temperature as exog when present."""

    window_hours: int = field(default=24 * 7 * 4, metadata={"description": "Recent hours fitted (4 weeks)."})
    filter_hours: int = field(default=24 * 14, metadata={"description": "Hours filtered before an origin."})
    order: tuple[int, int, int] = field(default=(2, 0, 1), metadata={"description": "ARIMA (p, d, q)."})
    daily_terms: int = field(default=4, metadata={"description": "Fourier pairs of the daily cycle."})
    weekly_terms: int = field(default=3, metadata={"description": "Fourier pairs of the weekly cycle."})
    comfort_degc: float = field(default=18.0, metadata={"description": "Temperature of least load."})
    maxiter: int = field(default=50, metadata={"description": "L-BFGS iterations of each likelihood fit."})
    # Chosen on the validation year (bench/study_sarimax.py): the joint likelihood over 18 parameters
    # with numerical gradients stopped at maxiter in half the fits and took 7x as long.
    fit: str = field(
        default="gls",
        metadata={"description": "'gls' (d = 0 only): feasible GLS, then ARMA; 'likelihood': joint fit."},
    )
    local_level: bool = field(
        default=True,
        metadata={"description": "Centre y on the mean of the window before each origin, not the fit's."},
    )

    def __post_init__(self) -> None:
        if self.fit not in SARIMAX_FITS:
            raise ValueError(f"fit must be one of {SARIMAX_FITS}, got {self.fit!r}")


class SARIMAXModel(CalibratedModel):
    """statsmodels SARIMAX; seasonality as Fourier exog (seasonal AR(24) is ~10x slower to fit)."""

    name = "sarimax"

    def __init__(self, params: SARIMAXParams | None = None, calibration: CalibrationParams | None = None):
        super().__init__(calibration)
        self.params = params or SARIMAXParams()
        self._results: dict = {}
        self._scale: dict[str, tuple[float, float]] = {}

    def _exog(self, hours: np.ndarray, temperature: np.ndarray | None) -> np.ndarray:
        p = self.params
        cols = []
        for period, k in ((24, p.daily_terms), (168, p.weekly_terms)):
            for j in range(1, k + 1):
                angle = 2 * np.pi * j * (hours % period) / period
                cols += [np.sin(angle), np.cos(angle)]
        if temperature is not None:
            cols += [temperature, (temperature - p.comfort_degc) ** 2]
        return np.column_stack(cols)

    def _fit_history(self, history: pl.DataFrame, future: pl.DataFrame) -> None:
        self._results, self._scale = {}, {}
        has_temp = bool(exog_columns(history))
        for (region,), part in history.group_by(S.REGION, maintain_order=True):
            part = part.tail(self.params.window_hours)
            hours = part[S.TS].dt.epoch("s").to_numpy() // 3600
            temp = part[S.TEMPERATURE].to_numpy() if has_temp else None
            y = part[S.VALUE].to_numpy()
            # Standardised y and a concentrated scale: the optimiser converges in far fewer steps.
            mu, sd = float(y.mean()), float(y.std()) or 1.0
            # A constant with differencing (d > 0) would be a drift: none then.
            z, exog, order = (y - mu) / sd, self._exog(hours, temp), self.params.order
            model = SARIMAX(
                z, exog=exog, order=order, trend="c" if order[1] == 0 else "n", concentrate_scale=True,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if self.params.fit == "gls" and order[1] == 0:
                    params = regression_arma_gls(z, exog, order, self.params.maxiter)
                    self._results[str(region)] = model.filter(params)
                else:
                    self._results[str(region)] = model.fit(disp=False, maxiter=self.params.maxiter)
            self._scale[str(region)] = (mu, sd)

    def _forecast_at(
        self, history: pl.DataFrame, future: pl.DataFrame, origins: pl.DataFrame, horizon: int
    ) -> pl.DataFrame:
        has_temp = bool(exog_columns(history))
        design = design_frame(origins, horizon)
        if has_temp:
            design = add_exog(design, history, future).sort(S.REGION, ORIGIN, STEP)
        frames = []
        for region, (first, values) in _series(history).items():
            res = self._results[region]
            mine = design.filter(pl.col(S.REGION) == region)
            temp_all = (
                history.filter(pl.col(S.REGION) == region)[S.TEMPERATURE].to_numpy() if has_temp else None
            )
            rows = []
            for n, i in enumerate(_origin_index(origins, region, first)):
                lo = max(0, i + 1 - self.params.filter_hours)
                hours = first + np.arange(lo, i + 1)
                ahead = mine.slice(n * horizon, horizon)
                x_now = self._exog(hours, temp_all[lo: i + 1] if has_temp else None)
                x_ahead = self._exog(
                    first + i + np.arange(1, horizon + 1),
                    ahead[S.TEMPERATURE].to_numpy() if has_temp else None,
                )
                mu, sd = self._scale[region]
                if self.params.local_level:
                    mu = float(values[max(0, i + 1 - self.params.window_hours): i + 1].mean())
                applied = res.apply((values[lo: i + 1] - mu) / sd, exog=x_now)
                rows.append(mu + sd * state_forecast(applied, x_ahead))
            frames.append(_frame(region, origins, np.vstack(rows)))
        return pl.concat(frames)
