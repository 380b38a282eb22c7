"""Each region's default model: the candidates' ensemble (or their best), or the baseline if short.

`fit_default` is the one entry point the pipelines call: it fits every candidate on the regions
with enough history and scores each on its calibration origins. With `rule="combine"` (the
default, chosen on the validation year: docs/forecasting.md) every such region is served the
ensemble of `ensemble_members`, weighted per region by inverse calibration error; with
`rule="best"` each region gets the candidate with the lowest MASE on the newest half of the
origins (the ensemble's weights learnt on the older half, so it is not scored on the folds that
set it). Regions under `min_history_hours` get the seasonal-naive baseline and are flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

import polars as pl

from forecast import schema as S
from forecast.ensemble import WEIGHTINGS, WeightedEnsemble
from forecast.errors import InvalidInputError
from forecast.evaluation.metrics import mase, seasonal_naive_scale
from forecast.features.history import regularize
from forecast.models.base import DEFAULT_QUANTILES, FIT_COLUMNS, ForecastModel
from forecast.models.calibrated import CalibratedModel, CalibrationParams
from forecast.models.gbm import GlobalLightGBM, LightGBMParams
from forecast.models.naive import SeasonalNaive, SeasonalNaiveParams, SeasonalNaiveRule
from forecast.models.statsm import MSTLETS, SARIMAXModel

CANDIDATES = ("seasonal_naive", "mstl_ets", "sarimax", "lightgbm", "ensemble")
BASELINE = "seasonal_naive_baseline"
RULES = ("combine", "best")


@dataclass(frozen=True)
class SelectionParams:
    """How each region's default model is chosen (defaults: chosen on the validation year)."""

    candidates: tuple[str, ...] = field(
        default=CANDIDATES, metadata={"description": "Models tried; `ensemble` combines the others."}
    )
    min_history_hours: int = field(
        default=24 * 7 * 4, metadata={"description": "Below this (4 weeks) a region gets the baseline."}
    )
    calibration: CalibrationParams = field(
        default_factory=CalibrationParams,
        metadata={"description": "Calibration origins (fit_default sets max_horizon and seed)."},
    )
    lightgbm: LightGBMParams = field(
        default_factory=LightGBMParams, metadata={"description": "LightGBM settings."}
    )
    rule: str = field(
        default="combine",
        metadata={"description": "'combine': serve the ensemble; 'best': each region's lowest MASE."},
    )
    ensemble_members: tuple[str, ...] = field(
        default=("mstl_ets", "sarimax", "lightgbm"),
        metadata={"description": "Candidates the ensemble combines (all fitted if under two of them are)."},
    )
    ensemble_weighting: str = field(
        default="inverse_mae",
        metadata={"description": "'inverse_mae' (1 / calibration MAE) or 'stacked' (least squares)."},
    )
    ensemble_holidays: bool = field(
        default=False, metadata={"description": "On public holidays combine only members that see holidays."}
    )
    ensemble_lead_bounds: tuple[int, ...] = field(
        default=(24,), metadata={"description": "Steps where the ensemble's weights change (own per band)."}
    )
    holiday_effect: float = field(
        default=0.5, metadata={"description": "Share of a region's holiday effect on members blind to them."}
    )

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise InvalidInputError(f"rule must be one of {list(RULES)}, got {self.rule!r}")
        if self.ensemble_weighting not in WEIGHTINGS:
            raise InvalidInputError(
                f"ensemble_weighting must be one of {sorted(WEIGHTINGS)}, got {self.ensemble_weighting!r}"
            )
        if not 0.0 <= self.holiday_effect <= 1.0:
            raise InvalidInputError(f"holiday_effect must be a share in [0, 1], got {self.holiday_effect!r}")


def make_ensemble(
    members: Sequence[CalibratedModel], params: SelectionParams,
    calendars: Mapping[str, str], timezones: Mapping[str, str],
) -> WeightedEnsemble:
    """The ensemble of `members` as `params` set it: weighting, lead bands, what it does on holidays."""
    return WeightedEnsemble(
        members, params.ensemble_weighting, calendars, timezones, switch_holidays=params.ensemble_holidays,
        holiday_effect=params.holiday_effect, lead_bounds=params.ensemble_lead_bounds,
    )


def _candidates(
    names: Sequence[str], params: SelectionParams, season: int, calibration: CalibrationParams,
    calendars: Mapping[str, str], timezones: Mapping[str, str],
) -> list[CalibratedModel]:
    makers = {
        "seasonal_naive": lambda: SeasonalNaiveRule(season, calibration),
        "mstl_ets": lambda: MSTLETS(calibration=calibration),
        "sarimax": lambda: SARIMAXModel(calibration=calibration),
        "lightgbm": lambda: GlobalLightGBM(params.lightgbm, calibration, calendars, timezones),
    }
    unknown = [n for n in names if n not in (*makers, "ensemble")]
    if unknown:
        raise InvalidInputError(f"unknown candidate model(s) {unknown}; choose from {list(CANDIDATES)}")
    return [makers[n]() for n in names if n in makers]


def calibration_mase(model: CalibratedModel, scales: pl.DataFrame, origins: Sequence[int]) -> pl.DataFrame:
    """MASE of a model's calibration forecasts at origins `origins`: `region, mase`."""
    return (
        model.calibration.filter(pl.col(S.K).is_in(list(origins)))
        .join(scales, on=S.REGION)
        .group_by(S.REGION)
        .agg(mase().alias("mase"))
        .with_columns(pl.lit(model.name).alias(S.MODEL))
    )


def best_by_mase(scores: pl.DataFrame, order: Sequence[str]) -> dict[str, str]:
    """Region -> the model of lowest `mase` in `scores`; ties go to the earlier name in `order`."""
    rank = {name: i for i, name in enumerate(order)}
    best = (
        scores.with_columns(pl.col(S.MODEL).replace_strict(rank).alias("_order"))
        .sort("mase", "_order", nulls_last=True)
        .group_by(S.REGION, maintain_order=True)
        .first()
    )
    return dict(best.select(S.REGION, S.MODEL).iter_rows())


class DefaultModel(ForecastModel):
    """Per-region default model (the ensemble, or the best candidate with `rule="best"`), chosen on
    its own backtest; `fit` runs the selection, `report` says why.

    Same interface as every model, so the pipelines can use it wherever a model is expected.
    `horizon` is the longest horizon it will be asked for (its calibration covers that many hours).
    """

    name = "default"

    def __init__(
        self,
        calendars: Mapping[str, str] | None = None,
        timezones: Mapping[str, str] | None = None,
        horizon: int = 168,
        season: int = 24,
        seed: int = 0,
        params: SelectionParams | None = None,
    ) -> None:
        self.calendars = dict(calendars or {})
        self.timezones = dict(timezones or {})
        self.horizon, self.season, self.seed = horizon, season, seed
        self.params = params or SelectionParams()
        self.models: dict[str, ForecastModel] = {}
        self.choice: dict[str, str] = {}
        self.report = pl.DataFrame()

    @property
    def is_fitted(self) -> bool:
        return bool(self.choice)

    def fit(self, frame: pl.DataFrame) -> Self:
        S.require_columns(frame, FIT_COLUMNS, "DefaultModel.fit")
        self.models, self.choice, self.report = select(
            frame, self.calendars, self.timezones, self.horizon, self.season, self.seed, self.params
        )
        return self

    def update(self, frame: pl.DataFrame) -> Self:
        """Re-anchor the models on `frame`: every candidate on all the regions it was fitted on
        (the ensemble shares its components: re-anchoring it on the regions that chose it alone
        would drop the others from a component they chose), the baseline on the short regions."""
        self._check_fitted()
        present = set(frame[S.REGION].unique().to_list())
        for name, model in self.models.items():
            regions = [
                r for r, chosen in self.choice.items()
                if r in present and (chosen == BASELINE) == (name == BASELINE)
            ]
            if regions:
                model.update(frame.filter(pl.col(S.REGION).is_in(regions)))
        return self

    def _route(self, method: str, *args) -> pl.DataFrame:
        self._check_fitted()
        frames = []
        for name, model in self.models.items():
            regions = [r for r, chosen in self.choice.items() if chosen == name]
            if regions:
                frames.append(getattr(model, method)(*args).filter(pl.col(S.REGION).is_in(regions)))
        return pl.concat(frames).sort(S.REGION, S.TS)

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pl.DataFrame:
        return self._route("predict", horizon, quantiles)

    def sample_paths(self, horizon: int, n_samples: int, seed: int) -> pl.DataFrame:
        return self._route("sample_paths", horizon, n_samples, seed)


def fit_default(
    frame: pl.DataFrame,
    calendars: Mapping[str, str],
    timezones: Mapping[str, str] | None = None,
    *,
    horizon: int = 168,
    season: int = 24,
    seed: int = 0,
    params: SelectionParams | None = None,
) -> tuple[DefaultModel, pl.DataFrame]:
    """Fit the candidates and pick each region's best: (fitted DefaultModel, its report).

    `frame` is long `region, ts, value[, temperature]`; `calendars` maps region -> holiday
    calendar code (`US-VA`), `timezones` region -> IANA zone. The report has one row per region
    and candidate: `region, model, mase, chosen, fallback, history_hours, note`.
    """
    model = DefaultModel(calendars, timezones, horizon, season, seed, params).fit(frame)
    return model, model.report


def select(
    frame: pl.DataFrame,
    calendars: Mapping[str, str],
    timezones: Mapping[str, str],
    horizon: int,
    season: int,
    seed: int,
    params: SelectionParams,
) -> tuple[dict[str, ForecastModel], dict[str, str], pl.DataFrame]:
    """Fitted models by name, the model name chosen per region, and the selection report."""
    calibration = CalibrationParams(**{
        **params.calibration.__dict__, "max_horizon": horizon, "seed": seed,
    })
    history, _ = regularize(frame)
    lengths = history.group_by(S.REGION).agg(pl.len().alias("history_hours"))
    probe = SeasonalNaiveRule(season, calibration)
    needed = max(params.min_history_hours, probe.min_rows())
    long_enough = lengths.filter(pl.col("history_hours") >= needed)[S.REGION].to_list()
    short = lengths.filter(pl.col("history_hours") < needed)[S.REGION].to_list()

    models: dict[str, ForecastModel] = {}
    choice: dict[str, str] = {}
    report = []
    if long_enough:
        fitted = _candidates(
            params.candidates, params, season, calibration, calendars, timezones
        )
        data = frame.filter(pl.col(S.REGION).is_in(long_enough))
        for model in fitted:
            model.fit(data)
        n_origins = int(fitted[0].calibration[S.K].max()) + 1
        scales = seasonal_naive_scale(history.filter(pl.col(S.REGION).is_in(long_enough)), season, S.VALUE)
        named = [m for m in fitted if m.name in params.ensemble_members]
        members = named if len(named) > 1 else fitted
        combine = "ensemble" in params.candidates and len(members) > 1
        if combine and params.rule == "combine":
            ensemble = make_ensemble(members, params, calendars, timezones).combine()
            scored = [*fitted, ensemble]
            scores = pl.concat([calibration_mase(m, scales, range(n_origins)) for m in scored])
            choice = dict.fromkeys(long_enough, "ensemble")
            names = "+".join(m.name for m in members)
            note = f"ensemble of {names} ({params.ensemble_weighting} weights); MASE on every origin"
        else:
            newest = list(range(n_origins // 2))  # k = 0 is the newest origin
            oldest = list(range(n_origins // 2, n_origins))
            scored = list(fitted)
            if combine:
                scored.append(make_ensemble(members, params, calendars, timezones).combine(origins=oldest))
            scores = pl.concat([calibration_mase(m, scales, newest) for m in scored])
            choice = best_by_mase(scores, [m.name for m in scored])
            for model in scored:
                if model.name == "ensemble":
                    model.combine()  # final weights from every origin
            note = "best MASE on the newest calibration origins"
        models.update({m.name: m for m in scored})
        report.append(
            scores.join(lengths, on=S.REGION).with_columns(
                (pl.col(S.MODEL) == pl.col(S.REGION).replace_strict(choice)).alias("chosen"),
                pl.lit(False).alias("fallback"),
                pl.lit(note).alias("note"),
            )
        )
    if short:
        baseline = SeasonalNaive(SeasonalNaiveParams(season_length=season, seed=seed))
        models[BASELINE] = baseline.fit(frame.filter(pl.col(S.REGION).is_in(short)))
        choice.update({r: BASELINE for r in short})
        report.append(
            lengths.filter(pl.col(S.REGION).is_in(short)).with_columns(
                pl.lit(BASELINE).alias(S.MODEL), pl.lit(None, pl.Float64).alias("mase"),
                pl.lit(True).alias("chosen"), pl.lit(True).alias("fallback"),
                pl.lit(f"under {needed} h of history: seasonal-naive baseline").alias("note"),
            )
        )
    columns = [S.REGION, S.MODEL, "mase", "chosen", "fallback", "history_hours", "note"]
    table = pl.concat([r.select(columns) for r in report]).sort(S.REGION, "mase", nulls_last=True)
    return models, choice, table
