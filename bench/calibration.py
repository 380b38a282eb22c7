"""Interval settings compared on validation series kept apart from bench/accuracy.py's scored ones.

Calibration settings (origins, stride, quantile boosters or conformal) are chosen here, never on
the series and weeks bench/accuracy.py scores: other ERCOT weather zones, Nord Pool areas and the
PJM balancing authority, on folds that end 60 days before each series' end. Prints coverage,
pinball loss and MASE per setting, with a bootstrap standard error over region-folds.

    .venv/bin/python bench/calibration.py
    .venv/bin/python bench/calibration.py --settings naive_k32_s8,naive_k28_s24 --folds 40
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import QUANTILES, read_window, score  # noqa: E402

from forecast import conformal  # noqa: E402
from forecast import schema as S  # noqa: E402
from forecast.evaluation import region_cutoffs, split_regions  # noqa: E402
from forecast.features.history import regularize  # noqa: E402
from forecast.models.calibrated import CalibrationParams  # noqa: E402
from forecast.models.gbm import GlobalLightGBM, LightGBMParams  # noqa: E402
from forecast.models.naive import SeasonalNaiveRule  # noqa: E402
from forecast.models.statsm import SARIMAXModel, SARIMAXParams  # noqa: E402

H = 24
VALIDATION = {
    "ERCOT_COAST": ("ercot_native_load_weather_zones_2016_2024.csv", "US-TX", "America/Chicago"),
    "ERCOT_NCENT": ("ercot_native_load_weather_zones_2016_2024.csv", "US-TX", "America/Chicago"),
    "NORDPOOL_NO3": ("nordpool_no_areas_2013_2020.csv", "NO", "Europe/Oslo"),
    "NORDPOOL_NO5": ("nordpool_no_areas_2013_2020.csv", "NO", "Europe/Oslo"),
    "EIA930_PJM": ("eia930_dom_fwest_west_pjm_erco_2015_2023.csv", "US-VA", "America/New_York"),
}
# name -> (model, calibration origins, stride in hours, LightGBM intervals)
SETTINGS = {
    "naive_k32_s8": ("naive", 32, 8, "conformal"),
    "naive_k28_s24": ("naive", 28, 24, "conformal"),
    "naive_k56_s24": ("naive", 56, 24, "conformal"),
    "naive_k84_s8": ("naive", 84, 8, "conformal"),
    "gbm_k32_s8": ("lightgbm", 32, 8, "conformal"),
    "gbm_k28_s24": ("lightgbm", 28, 24, "conformal"),
    "gbm_k56_s24": ("lightgbm", 56, 24, "conformal"),
    "gbm_quantile": ("lightgbm", 28, 24, "quantile"),
    "sarimax_201": ("sarimax:2,0,1", 28, 24, "conformal"),
    "sarimax_201_fitmean": ("sarimax:2,0,1:fitmean", 28, 24, "conformal"),
    "sarimax_201_centre": ("sarimax:2,0,1", 28, 24, "centre"),
    "naive_centre": ("naive", 28, 24, "centre"),
    "gbm_centre": ("lightgbm", 28, 24, "centre"),
    "sarimax_211": ("sarimax:2,1,1", 28, 24, "conformal"),
    "sarimax_111": ("sarimax:1,1,1", 28, 24, "conformal"),
}


def load(days: int, gap_days: int) -> pl.DataFrame:
    frames = [read_window(file, name, days, gap_days) for name, (file, _, _) in VALIDATION.items()]
    return regularize(pl.concat(frames))[0]


def make(kind: str, cal: CalibrationParams, params: LightGBMParams, calendars, timezones):
    """The model a setting names; `sarimax:p,d,q` is SARIMAX of that order."""
    if kind == "naive":
        return SeasonalNaiveRule(24, cal)
    if kind.startswith("sarimax:"):
        _, order, *rest = kind.split(":")
        params = SARIMAXParams(order=tuple(int(x) for x in order.split(",")), local_level=not rest)
        return SARIMAXModel(params, cal)
    return GlobalLightGBM(params, cal, calendars, timezones)


def run(
    setting: str, data: pl.DataFrame, folds: int, step: int, rows: int, shift: int = 0, max_horizon: int = H
) -> pl.DataFrame:
    """Fold predictions of one setting; `shift` > 0 fits that many hours before the cutoff and
    re-anchors at the cutoff with `update()`, as the scheduled refresh does."""
    kind, origins, stride, intervals = SETTINGS[setting]
    # "centre": conformal intervals around the point, each step's residuals centred on their median
    centre = intervals == "centre"
    cal = CalibrationParams(max_horizon=max_horizon, origins=origins, stride=stride, centre=centre)
    params = LightGBMParams(intervals="conformal" if centre else intervals, rows_budget=rows)
    calendars = {k: v[1] for k, v in VALIDATION.items()}
    timezones = {k: v[2] for k, v in VALIDATION.items()}
    preds = []
    for _, cutoffs in region_cutoffs(data, H, folds, step).group_by("fold", maintain_order=True):
        train, test = split_regions(data, cutoffs, H)
        train = train.drop(S.CUTOFF)
        fitted = train.filter(pl.col(S.TS) <= pl.col(S.TS).max().over(S.REGION) - timedelta(hours=shift))
        model = make(kind, cal, params, calendars, timezones).fit(fitted)
        if shift:
            model.update(train)
        wide = model.predict(H, QUANTILES).pivot(on=S.QUANTILE, index=[S.REGION, S.TS], values=S.VALUE)
        cols = ("lo_95", "lo_80", "yhat", "hi_80", "hi_95")
        names = dict(zip((str(q) for q in QUANTILES), cols, strict=True))
        preds.append(
            wide.rename(names)
            .join(test.select(S.REGION, S.CUTOFF, S.TS, pl.col(S.VALUE).alias("y")), on=[S.REGION, S.TS])
            .with_columns(pl.lit(setting).alias(S.MODEL))
        )
    return pl.concat(preds)


def bootstrap_se(values: np.ndarray, draws: int = 2000, seed: int = 0) -> float:
    """Standard error of the mean over region-folds, by resampling them."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(draws, len(values)))
    return float(values[idx].mean(axis=1).std())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--step", type=int, default=24 * 5, help="Hours between fold cutoffs.")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rows", type=int, default=400_000, help="LightGBM rows_budget.")
    parser.add_argument("--gap-days", type=int, default=60, help="Days left out at each series' end.")
    parser.add_argument("--anchor-shift", type=int, default=0,
                        help="Fit this many hours before each cutoff, re-anchor at it (refresh).")
    parser.add_argument("--max-horizon", type=int, default=H, help="Hours calibrated (pipelines: 168).")
    parser.add_argument("--no-align", action="store_true",
                        help="Re-anchored forecasts use each step's own lead, whatever its hour of day.")
    args = parser.parse_args()
    if args.no_align:
        conformal.lead_columns = lambda shift, horizon, calibrated: np.arange(horizon)
    data = load(args.days, args.gap_days)
    print(f"validation: {data[S.REGION].n_unique()} series, {data.height} rows; {args.folds} folds "
          f"{args.step} h apart, horizon {H}", flush=True)
    rows = []
    for setting in args.settings.split(","):
        t0 = time.perf_counter()
        per_fold = score(run(setting, data, args.folds, args.step, args.rows, args.anchor_shift,
                                 args.max_horizon), data)
        row = {"setting": setting, "seconds": round(time.perf_counter() - t0, 1)}
        for m in ("mase", "pinball", "coverage_80", "coverage_95", "width_80", "winkler_80"):
            vals = per_fold[m].to_numpy()
            row[m] = round(float(vals.mean()), 3)
            if m.startswith("coverage"):
                row[f"{m}_se"] = round(bootstrap_se(vals), 2)
        rows.append(row)
        print(row, flush=True)
    pl.Config.set_tbl_cols(20)
    pl.Config.set_tbl_width_chars(200)
    print(pl.DataFrame(rows))


if __name__ == "__main__":
    main()
