"""Models by name for backtests: build and fit a set of them, or bring fitted ones up to a newer cutoff.

Names: `seasonal_naive_baseline` (rule with bootstrapped errors, works on short series),
`seasonal_naive`, `mstl_ets`, `sarimax`, `lightgbm`, `ensemble` (calibrated models, see
docs/forecasting.md) and `default` (the per-region choice of `forecast.selection.fit_default`
among the candidates named beside it, or among all of them when none is).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from forecast.errors import UserError
from forecast.features.history import regularize
from forecast.models.base import ForecastModel
from forecast.models.calibrated import CalibratedModel, CalibrationParams
from forecast.models.naive import SeasonalNaive, SeasonalNaiveParams, SeasonalNaiveRule
from forecast.selection import BASELINE, CANDIDATES, SelectionParams, fit_default

DEFAULT = "default"
MODEL_NAMES = (BASELINE, *CANDIDATES, DEFAULT)
MIN_SELECTION_HOURS = SelectionParams().min_history_hours
ENSEMBLE_ALONE = ("seasonal_naive", "mstl_ets", "sarimax")  # components when none is named


class UnknownModelError(UserError, ValueError):
    """A model name the backtest does not know."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(f"unknown model(s) {list(names)}; choose from {', '.join(MODEL_NAMES)}")


class RefitNotSupportedError(UserError, TypeError):
    """A model that cannot forecast from a newer cutoff without being refitted."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"model {name!r} cannot be carried to a newer cutoff without refitting: use --refit every"
        )


@dataclass(frozen=True)
class ModelSetup:
    """What every model of a backtest shares."""

    horizon: int
    season: int = 24
    seed: int = 0
    calendars: Mapping[str, str] = field(default_factory=dict)
    timezones: Mapping[str, str] = field(default_factory=dict)

    @property
    def calibration(self) -> CalibrationParams:
        return CalibrationParams(max_horizon=self.horizon, seed=self.seed)


def check_names(names: Sequence[str]) -> list[str]:
    """The names in order without repeats; UnknownModelError for any name not in MODEL_NAMES."""
    unknown = [n for n in names if n not in MODEL_NAMES]
    if unknown:
        raise UnknownModelError(unknown)
    return list(dict.fromkeys(names))


def min_train_rows(name: str, setup: ModelSetup, in_default: bool = False) -> int:
    """Hourly rows a model needs before the oldest cutoff (the baseline: one season plus one).

    A candidate fitted inside `default` needs the selection's minimum history as well.
    """
    if name in (BASELINE, DEFAULT):
        return setup.season + 1
    needed = SeasonalNaiveRule(setup.season, setup.calibration).min_rows()
    return max(MIN_SELECTION_HOURS, needed) if in_default else needed


def _calibrated(name: str, setup: ModelSetup) -> CalibratedModel:
    from forecast.models.gbm import GlobalLightGBM, LightGBMParams
    from forecast.models.statsm import MSTLETS, SARIMAXModel

    cal = setup.calibration
    if name == "seasonal_naive":
        return SeasonalNaiveRule(setup.season, cal)
    if name == "mstl_ets":
        return MSTLETS(calibration=cal)
    if name == "sarimax":
        return SARIMAXModel(calibration=cal)
    return GlobalLightGBM(LightGBMParams(seed=setup.seed), cal, setup.calendars, setup.timezones)


def fit_models(
    names: Sequence[str], frame: pl.DataFrame, setup: ModelSetup
) -> tuple[dict[str, ForecastModel], dict[str, float | None]]:
    """Fit the named models on `frame`: (models by name, fit seconds by name).

    With `default`, the candidates named beside it are the ones fitted inside the selection, so
    they are not fitted twice; their own seconds are then None (the time is default's).
    """
    models: dict[str, ForecastModel] = {}
    seconds: dict[str, float | None] = {}
    if BASELINE in names:
        t0 = time.perf_counter()
        params = SeasonalNaiveParams(season_length=setup.season, seed=setup.seed)
        models[BASELINE] = SeasonalNaive(params).fit(frame)
        seconds[BASELINE] = time.perf_counter() - t0
    candidates = [n for n in names if n in CANDIDATES]
    if DEFAULT in names:
        t0 = time.perf_counter()
        chosen = tuple(candidates) or CANDIDATES
        default, _ = fit_default(
            frame,
            setup.calendars,
            setup.timezones,
            horizon=setup.horizon,
            season=setup.season,
            seed=setup.seed,
            params=SelectionParams(candidates=chosen),
        )
        models[DEFAULT] = default
        seconds[DEFAULT] = time.perf_counter() - t0
        for name in candidates:
            if name in default.models:
                models[name], seconds[name] = default.models[name], None
        return models, seconds
    fitted: list[CalibratedModel] = []
    for name in candidates:
        if name == "ensemble":
            continue
        t0 = time.perf_counter()
        model = _calibrated(name, setup).fit(frame)
        models[name], seconds[name] = model, time.perf_counter() - t0
        fitted.append(model)
    if "ensemble" in candidates:
        from forecast.selection import make_ensemble

        t0 = time.perf_counter()
        served = SelectionParams()  # the same members and weighting as the served default's
        named = [m for m in fitted if m.name in served.ensemble_members]
        parts = (named if len(named) > 1 else fitted) or [
            _calibrated(n, setup).fit(frame) for n in ENSEMBLE_ALONE
        ]
        models["ensemble"] = make_ensemble(parts, served, setup.calendars, setup.timezones).combine()
        seconds["ensemble"] = time.perf_counter() - t0
    return models, seconds


def carry(model: ForecastModel, frame: pl.DataFrame) -> ForecastModel:
    """The fitted `model` forecasting from the end of `frame`, its parameters and calibration kept.

    Used between refits (`--refit N|never`). The seasonal-naive baseline estimates nothing, so it
    is refitted.
    """
    if isinstance(model, SeasonalNaive):
        return model.fit(frame)
    if isinstance(model, CalibratedModel):
        from forecast.ensemble import WeightedEnsemble

        if isinstance(model, WeightedEnsemble):
            for part in model.components:
                carry(part, frame)
        model.history, model.future = regularize(frame)
        model._points = {}  # cached point forecasts of the old end
        return model
    models = getattr(model, "models", None)
    if isinstance(models, dict):  # DefaultModel: its routing stays, every member moves on
        for member in models.values():
            carry(member, frame.filter(pl.col("region").is_in(_regions(member))))
        return model
    raise RefitNotSupportedError(model.name)


def _regions(model: ForecastModel) -> list[str]:
    history = getattr(model, "history", None)
    if history is not None:
        return history["region"].unique().to_list()
    return list(getattr(model, "_state", {}))
