"""Accuracy and speed of the default forecaster against statsforecast and mlforecast (prints figures).

Same rolling folds for everyone (horizon 24, 7 folds, step 24, season 24) on the last year of the
real series in ../shared/data/long and on demo data; then the speed case, 200 synthetic regions x
1 year, fit + predict wall time. Needs the bench extra (statsforecast, mlforecast, psutil).

    .venv/bin/python bench/accuracy.py                 # everything
    .venv/bin/python bench/accuracy.py --only real     # real series only
    .venv/bin/python bench/accuracy.py --only speed --regions 200
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forecast import schema as S  # noqa: E402
from forecast.evaluation import (  # noqa: E402
    fold_metrics,
    region_cutoffs,
    seasonal_naive_scale,
    split_regions,
    summarize,
)
from forecast.features.history import regularize  # noqa: E402
from forecast.models.gbm import LightGBMParams  # noqa: E402
from forecast.selection import SelectionParams, fit_default  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "long"
H, FOLDS, STEP, SEASON = 24, 7, 24, 24
OURS = ("default", "ensemble", "lightgbm", "mstl_ets", "sarimax", "seasonal_naive", "seasonal_naive_baseline")
QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)
# series in ../shared/data/long -> (catalog region it stands for: holiday calendar, timezone)
REAL = {
    "EIA930_PJM-DOM": ("eia930_dom_fwest_west_pjm_erco_2015_2023.csv", "US-VA", "America/New_York"),
    "ENTSOE_DE-LU": ("entsoe_de_lu_2019_2021.csv", "DE-HE", "Europe/Berlin"),
    "NORDPOOL_NO1": ("nordpool_no_areas_2013_2020.csv", "NO", "Europe/Oslo"),
    "ERCOT_FWEST": ("ercot_native_load_weather_zones_2016_2024.csv", "US-TX", "America/Chicago"),
}


def read_window(file: str, name: str, days: int, gap_days: int = 0) -> pl.DataFrame:
    """`days` of one region's load from a shared file, ending `gap_days` before its last value."""
    part = (
        pl.scan_csv(SHARED / file, try_parse_dates=True)
        .filter(pl.col(S.REGION) == name)
        .select(S.REGION, pl.col(S.TS).cast(S.UTC_TS), pl.col("load_mw").cast(pl.Float64).alias(S.VALUE))
        .collect()
    )
    end = part.drop_nulls()[S.TS].max() - timedelta(days=gap_days)
    return part.filter((pl.col(S.TS) <= end) & (pl.col(S.TS) > end - timedelta(days=days)))


def load_real(days: int) -> tuple[pl.DataFrame, dict[str, str], dict[str, str]]:
    frames = [read_window(file, name, days) for name, (file, _, _) in REAL.items()]
    history, _ = regularize(pl.concat(frames))  # same gap filling for every model
    return history, {k: v[1] for k, v in REAL.items()}, {k: v[2] for k, v in REAL.items()}


def load_demo(days: int) -> tuple[pl.DataFrame, dict[str, str], dict[str, str]]:
    """Demo AI demand of the four catalog regions plus synthetic load of four generated regions."""
    from pipelines.config.region_files import load_catalog
    from pipelines.config.settings import Settings
    from pipelines.demo import synthetic as syn

    catalog = load_catalog(Settings())
    end = datetime(2026, 6, 1, tzinfo=UTC)
    ts = syn.hourly_index(end, days)
    frames, cal, tz = [], {}, {}
    for i, region in enumerate(catalog.values()):
        params = syn.AI_DEMAND.get(region.id, syn.AIDemandParams())
        frames.append(pl.DataFrame({S.REGION: f"ai_{region.id}", S.TS: ts,
                                    S.VALUE: syn.ai_demand(region, ts, end, params, 100 + i)}))
        cal[f"ai_{region.id}"], tz[f"ai_{region.id}"] = region.holidays, region.timezone
    rng = np.random.default_rng(5)
    for i in range(1, 5):
        region, load_params = syn.synthetic_region(i, rng)
        frames.append(pl.DataFrame({S.REGION: region.id, S.TS: ts,
                                    S.VALUE: syn.synthetic_load(region, ts, end, load_params, 200 + i)}))
        cal[region.id], tz[region.id] = region.holidays, region.timezone
    return pl.concat(frames), cal, tz


INTERVALS: str | None = None  # --lightgbm-intervals; None keeps LightGBMParams' default


def selection(candidates) -> SelectionParams:
    lgbm = LightGBMParams() if INTERVALS is None else LightGBMParams(intervals=INTERVALS)
    return SelectionParams(candidates=candidates, lightgbm=lgbm)


def our_folds(data: pl.DataFrame, cal, tz, candidates) -> tuple[pl.DataFrame, dict[str, float]]:
    """Default model (and every candidate it fitted) on each fold: prediction rows + seconds."""
    preds, seconds = [], {}
    for (index,), cutoffs in region_cutoffs(data, H, FOLDS, STEP).group_by("fold", maintain_order=True):
        train, test = split_regions(data, cutoffs, H)
        t0 = time.perf_counter()
        model, report = fit_default(train.drop(S.CUTOFF), cal, tz, horizon=H, season=SEASON, seed=0,
                                    params=selection(candidates))
        named = {"default": model, **model.models}
        actual = test.select(S.REGION, S.CUTOFF, S.TS, pl.col(S.VALUE).alias("y"))
        for name, m in named.items():
            q = m.predict(H, QUANTILES)
            wide = q.pivot(on=S.QUANTILE, index=[S.REGION, S.TS], values=S.VALUE)
            names = ("lo_95", "lo_80", "yhat", "hi_80", "hi_95")
            cols = {str(k): v for k, v in zip(QUANTILES, names, strict=True)}
            wide = wide.rename({c: cols[c] for c in wide.columns if c in cols})
            preds.append(
                wide.join(actual, on=[S.REGION, S.TS])
                .with_columns(pl.lit(name).alias(S.MODEL))
            )
        seconds[index] = time.perf_counter() - t0
        print(f"  fold {index}: {seconds[index]:.1f}s; chosen "
              f"{dict(report.filter('chosen').select(S.REGION, S.MODEL).iter_rows())}", flush=True)
    return pl.concat(preds, how="diagonal"), seconds


def nixtla(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col(S.REGION).alias("unique_id"),
        pl.col(S.TS).dt.replace_time_zone(None).alias("ds"),
        pl.col(S.VALUE).alias("y"),
    )


def from_nixtla(cv: pl.DataFrame, models: list[str]) -> pl.DataFrame:
    out = []
    for m in models:
        out.append(cv.select(
            pl.col("unique_id").alias(S.REGION),
            pl.col("cutoff").dt.replace_time_zone("UTC").cast(S.UTC_TS).alias(S.CUTOFF),
            pl.col("ds").dt.replace_time_zone("UTC").cast(S.UTC_TS).alias(S.TS),
            "y", pl.col(m).alias("yhat"),
            *[pl.col(f"{m}-{s}-{lv}").alias(f"{s}_{lv}") for lv in (80, 95) for s in ("lo", "hi")],
            pl.lit(m).alias(S.MODEL),
        ))
    return pl.concat(out)


def peers(data: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, float]]:
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    df = nixtla(data)
    frames, seconds = [], {}
    for name, model in (("SeasonalNaive", SeasonalNaive(season_length=SEASON)),
                        ("AutoETS", AutoETS(season_length=SEASON)),
                        ("MSTL", MSTL(season_length=[24, 168]))):
        t0 = time.perf_counter()
        sf = StatsForecast(models=[model], freq="1h", n_jobs=1)
        cv = sf.cross_validation(h=H, df=df, n_windows=FOLDS, step_size=STEP, level=[80, 95])
        seconds[name] = time.perf_counter() - t0
        frames.append(from_nixtla(cv, [name]))
        print(f"  {name}: {seconds[name]:.1f}s", flush=True)
    t0 = time.perf_counter()
    cv = mlforecast_cv(df)
    seconds["mlforecast_lgbm"] = time.perf_counter() - t0
    frames.append(from_nixtla(cv, ["mlforecast_lgbm"]))
    print(f"  mlforecast_lgbm: {seconds['mlforecast_lgbm']:.1f}s", flush=True)
    return pl.concat(frames), seconds


def mlforecast_model():
    """mlforecast as a competent user sets it up for hourly load: recursive, lags 1-24 and 168."""
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, RollingStd

    model = lgb.LGBMRegressor(n_estimators=300, learning_rate=0.05, num_leaves=31, verbose=-1, n_jobs=2)
    return MLForecast(
        models={"mlforecast_lgbm": model}, freq="1h",
        lags=[1, 2, 3, 24, 48, 168],
        lag_transforms={1: [RollingMean(24), RollingStd(24)], 24: [RollingMean(168)]},
        date_features=["hour", "weekday", "month"]  # polars names: frames are polars, num_threads=2,
    )


def mlforecast_cv(df: pl.DataFrame) -> pl.DataFrame:
    from mlforecast.utils import PredictionIntervals

    return mlforecast_model().cross_validation(
        df, n_windows=FOLDS, h=H, step_size=STEP,
        prediction_intervals=PredictionIntervals(n_windows=4, h=H), level=[80, 95],
    )


def score(preds: pl.DataFrame, data: pl.DataFrame) -> pl.DataFrame:
    scales = []
    for region, cutoff in preds.select(S.REGION, S.CUTOFF).unique().iter_rows():
        train = data.filter((pl.col(S.REGION) == region) & (pl.col(S.TS) <= cutoff)).rename({S.VALUE: "y"})
        scale = seasonal_naive_scale(train, SEASON)
        scales.append(scale.with_columns(pl.lit(cutoff).cast(S.UTC_TS).alias(S.CUTOFF)))
    per_fold = fold_metrics(preds, pl.concat(scales), by=(S.MODEL, S.REGION, S.CUTOFF))
    return per_fold


def print_tables(per_fold: pl.DataFrame, title: str) -> None:
    cols = ["mase", "smape", "pinball", "coverage_80", "coverage_95"]
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_cols(20)
    pl.Config.set_tbl_width_chars(200)
    overall = summarize(per_fold, by=(S.MODEL,)).select(S.MODEL, *cols).sort("mase")
    print(f"\n== {title}: mean over region-folds ==")
    print(overall.with_columns(pl.col(c).round(3) for c in cols))
    by_region = summarize(per_fold, by=(S.REGION, S.MODEL)).select(S.REGION, S.MODEL, *cols)
    print(f"\n== {title}: MASE per region ==")
    print(by_region.pivot(on=S.REGION, index=S.MODEL, values="mase").with_columns(
        pl.exclude(S.MODEL).round(3)).sort(S.MODEL))
    peers_only = overall.filter(~pl.col(S.MODEL).is_in(OURS))
    if peers_only.height:
        best = peers_only.row(0, named=True)
        ours = overall.filter(pl.col(S.MODEL) == "default").row(0, named=True)
        print(f"\ndefault MASE {ours['mase']:.3f} vs best peer {best[S.MODEL]} {best['mase']:.3f}: "
              f"ratio {ours['mase'] / best['mase']:.3f} (goal <= 0.90); coverage 80/95 = "
              f"{ours['coverage_80']:.1f}/{ours['coverage_95']:.1f} (goal 77-83 / 93-97)")


def cached(path: Path | None, make):
    """Predictions from `path` when it exists (re-printing tables is cheap), else made and saved."""
    if path is not None and path.exists():
        print(f"  (read cached predictions {path})")
        return pl.read_parquet(path)
    preds = make()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        preds.write_parquet(path)
    return preds


def accuracy(name: str, data: pl.DataFrame, cal, tz, candidates, with_peers: bool, cache: Path | None):
    print(f"\n### {name}: {data[S.REGION].n_unique()} series, {data.height} rows", flush=True)
    tag = name.replace(" ", "_")

    def ours() -> pl.DataFrame:
        preds, secs = our_folds(data, cal, tz, candidates)
        print(f"  default: {sum(secs.values()):.1f}s over {FOLDS} folds (fit_default + predict per fold)")
        return preds

    preds = cached(cache / f"{tag}_ours.parquet" if cache else None, ours)
    if with_peers:
        peer_preds = cached(cache / f"{tag}_peers.parquet" if cache else None, lambda: peers(data)[0])
        preds = pl.concat([preds, peer_preds], how="diagonal")
    print_tables(score(preds, data), name)


def speed(n_regions: int, candidates) -> None:
    import psutil

    from pipelines.demo import synthetic as syn

    end = datetime(2026, 6, 1, tzinfo=UTC)
    ts = syn.hourly_index(end, 365)
    rng = np.random.default_rng(11)
    frames, cal, tz = [], {}, {}
    for i in range(1, n_regions + 1):
        region, params = syn.synthetic_region(i, rng)
        frames.append(pl.DataFrame({S.REGION: region.id, S.TS: ts,
                                    S.VALUE: syn.synthetic_load(region, ts, end, params, i)}))
        cal[region.id], tz[region.id] = region.holidays, region.timezone
    data = pl.concat(frames)
    print(f"\n### speed: {n_regions} regions x {ts.len()} hours = {data.height} rows", flush=True)
    proc = psutil.Process()
    t0 = time.perf_counter()
    model, _ = fit_default(data, cal, tz, horizon=H, season=SEASON, params=selection(candidates))
    t_fit = time.perf_counter() - t0
    model.predict(H, QUANTILES)
    t_ours = time.perf_counter() - t0
    print(f"  ours ({','.join(candidates)}): fit {t_fit:.1f}s, fit+predict {t_ours:.1f}s, "
          f"rss {proc.memory_info().rss / 1e9:.2f} GB", flush=True)
    from mlforecast.utils import PredictionIntervals

    t0 = time.perf_counter()
    mlf = mlforecast_model().fit(nixtla(data), prediction_intervals=PredictionIntervals(n_windows=4, h=H))
    mlf.predict(H, level=[80, 95])
    t_mlf = time.perf_counter() - t0
    print(f"  mlforecast LightGBM + conformal intervals: fit+predict {t_mlf:.1f}s")
    print(f"  goal: <= 60 s and no slower than mlforecast -> ours {t_ours:.1f}s vs {t_mlf:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["real", "demo", "speed"], action="append")
    parser.add_argument("--days", type=int, default=365, help="Days of each series used.")
    parser.add_argument("--regions", type=int, default=200, help="Regions in the speed case.")
    parser.add_argument("--candidates", default="seasonal_naive,mstl_ets,sarimax,lightgbm,ensemble")
    parser.add_argument("--speed-candidates", default="seasonal_naive,lightgbm,ensemble")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--lightgbm-intervals", choices=["conformal", "quantile"], default=None,
                        help="How the lightgbm candidate makes quantiles (default: LightGBMParams').")
    parser.add_argument("--cache", type=Path, default=None, help="Folder to keep fold predictions in.")
    args = parser.parse_args()
    global INTERVALS
    INTERVALS = args.lightgbm_intervals
    parts = args.only or ["real", "demo", "speed"]
    candidates = tuple(args.candidates.split(","))
    if not SHARED.exists() and "real" in parts:
        print(f"skipping real series: {SHARED} not found")
        parts = [p for p in parts if p != "real"]
    if "real" in parts:
        accuracy("real series", *load_real(args.days), candidates, not args.no_peers, args.cache)
    if "demo" in parts:
        accuracy("demo data", *load_demo(args.days), candidates, not args.no_peers, args.cache)
    if "speed" in parts:
        speed(args.regions, tuple(args.speed_candidates.split(",")))


if __name__ == "__main__":
    main()
