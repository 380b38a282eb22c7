"""Accuracy of the default forecaster against statsforecast and mlforecast on every real series (tables).

Folds spread over whole years (bench/realdata.py): per series 13 origins 29 days apart in a
VALIDATION year and 13 in the TEST year after it; every choice is made on the validation year,
the test year is only reported. At each origin our default is fitted as the service fits it
(`fit_default`, horizon 168, the year before the origin) and the peers on the same rows; h = 24
is the first day of that forecast, h = 168 the whole week. Scores per series and overall: MASE
(scale: seasonal-naive MAE over the year before the origin), 80 % / 95 % coverage, pinball, and
the ratio of the default's MASE to the best peer's. Needs the bench extra (statsforecast,
mlforecast). Extras: short histories (`--short-weeks`), the operators' day-ahead forecasts
(`--day-ahead`, bench/dayahead.py), the old design of 7 consecutive days (`--consecutive`).

    nice -n 15 .venv/bin/python bench/accuracy.py --json out.json          # everything (hours)
    nice -n 15 .venv/bin/python bench/accuracy.py --series EIA930_PJM --folds 3 --years validation
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402
import scoring  # noqa: E402
from peers import PEERS, peer_folds  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.models.base import quantiles_from_paths  # noqa: E402
from forecast.models.calibrated import CalibrationParams  # noqa: E402
from forecast.models.gbm import LightGBMParams  # noqa: E402
from forecast.selection import CANDIDATES, SelectionParams, fit_default  # noqa: E402
from pipelines.config.settings import Settings  # noqa: E402

QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)
NAMES = ("lo_95", "lo_80", "yhat", "hi_80", "hi_95")
FIT_HORIZON, HORIZONS = 168, (24, 168)
HISTORY_HOURS = 24 * 365 + 168  # LightGBM's year plus a week of lags at its oldest row
PUBLISHED = "published"  # the default's quantiles as the service publishes them: from its sample paths


def read_window(file: str, name: str, days: int, gap_days: int = 0) -> pl.DataFrame:
    """`days` of one region's load from a shared file, ending `gap_days` before its last value."""
    part = (
        pl.scan_csv(rd.LONG / file, try_parse_dates=True)
        .filter(pl.col(S.REGION) == name)
        .select(S.REGION, pl.col(S.TS).cast(S.UTC_TS), pl.col("load_mw").cast(pl.Float64).alias(S.VALUE))
        .collect()
    )
    end = part.drop_nulls()[S.TS].max() - timedelta(days=gap_days)
    return part.filter((pl.col(S.TS) <= end) & (pl.col(S.TS) > end - timedelta(days=days)))


def score(preds: pl.DataFrame, data: pl.DataFrame) -> pl.DataFrame:
    """Fold metrics per model, region and cutoff over all predicted hours (bench/calibration.py)."""
    from forecast.evaluation import fold_metrics

    scale = scoring.scales(data, preds.select(S.REGION, S.CUTOFF).unique())
    return fold_metrics(preds, scale, by=(S.MODEL, S.REGION, S.CUTOFF))


def wide(quantiles: pl.DataFrame) -> pl.DataFrame:
    out = quantiles.pivot(on=S.QUANTILE, index=[S.REGION, S.TS], values=S.VALUE)
    names = {str(q): n for q, n in zip(QUANTILES, NAMES, strict=True)}
    return out.rename({c: names[c] for c in out.columns if c in names})


def ours(train: pl.DataFrame, cutoffs: pl.DataFrame, horizon: int, params: SelectionParams):
    """The default and every model it fitted, from one origin per region: (predictions, report)."""
    names = cutoffs[S.REGION].to_list()
    model, report = fit_default(
        train, rd.calendars(names), rd.timezones(names), horizon=horizon, season=24, seed=0, params=params
    )
    frames = [
        wide(m.predict(horizon, QUANTILES)).with_columns(pl.lit(name).alias(S.MODEL))
        for name, m in {"default": model, **model.models}.items()
    ]
    # What the service publishes: quantiles of the default's sample paths (pipelines.training.publish).
    paths = model.sample_paths(horizon, Settings().n_samples, seed=0)
    frames.append(wide(quantiles_from_paths(paths, QUANTILES)).with_columns(pl.lit(PUBLISHED).alias(S.MODEL)))
    preds = pl.concat(frames, how="diagonal").join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)
    return preds, report


def run_origins(
    section: str,
    data: pl.DataFrame,
    cutoffs: pl.DataFrame,
    history_hours: int,
    horizon: int,
    params: SelectionParams,
    peers: tuple[str, ...],
    cache: Path | None,
) -> tuple[pl.DataFrame, dict[str, float]]:
    """Predictions of ours and the peers at every origin k (one cutoff per series), with actuals."""
    preds, seconds = [], {}
    for (k,), group in cutoffs.group_by("k", maintain_order=True):
        path = cache / f"{section}_k{k}.parquet" if cache else None
        if path is not None and path.exists():
            preds.append(pl.read_parquet(path))
            continue
        train = rd.train_rows(data, group, history_hours)
        t0 = time.perf_counter()
        mine, report = ours(train, group, horizon, params)
        seconds["default"] = seconds.get("default", 0.0) + time.perf_counter() - t0
        chosen = dict(report.filter("chosen").select(S.REGION, S.MODEL).iter_rows())
        line = f"  {section} k={k} ({group['year'][0]}): default {time.perf_counter() - t0:.0f}s"
        frames = [mine]
        if peers:
            peer_preds, peer_secs = peer_folds(train, group, horizon, peers)
            frames.append(peer_preds)
            for name, s in peer_secs.items():
                seconds[name] = seconds.get(name, 0.0) + s
            line += ", " + ", ".join(f"{n} {s:.0f}s" for n, s in peer_secs.items())
        print(f"{line}; chosen {chosen}", flush=True)
        actual = rd.test_rows(data, group, horizon)
        fold = (
            pl.concat(frames, how="diagonal")
            .join(actual, on=[S.REGION, S.CUTOFF, S.TS])
            .join(group.select(S.REGION, S.CUTOFF, "year"), on=[S.REGION, S.CUTOFF])
        )
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fold.write_parquet(path)
        preds.append(fold)
    return pl.concat(preds, how="diagonal"), seconds


def report(section: str, preds: pl.DataFrame, data: pl.DataFrame, horizons) -> dict:
    """Print the markdown tables of one section per year and horizon; their rows for --json."""
    scale = scoring.scales(data, preds.select(S.REGION, S.CUTOFF).unique())
    out: dict = {}
    for (year,), part in preds.group_by("year", maintain_order=True):
        folds = scoring.per_fold(part.drop("year"), scale, horizons)
        for h in horizons:
            f = folds.filter(pl.col("h") == h)
            table, series = scoring.overall(f), scoring.per_series(f)
            print(f"\n#### {section}, {year.upper()} year, h = {h}: overall (mean over region-folds)\n")
            print(scoring.markdown(table))
            print(f"\n{scoring.goals(table)}\n{scoring.goals(table, PUBLISHED)}")
            print(f"\n#### {section}, {year.upper()} year, h = {h}: default per series\n")
            print(scoring.markdown(series))
            print(f"\n#### {section}, {year.upper()} year, h = {h}: MASE per series and model\n")
            print(scoring.markdown(scoring.mase_matrix(f)))
            out[f"{year}/h{h}"] = {
                "overall": table.to_dicts(),
                "per_series": series.to_dicts(),
                "mase": scoring.mase_matrix(f).to_dicts(),
            }
        names = part[S.REGION].unique().to_list()
        kinds = scoring.day_kinds(part, scale, rd.calendars(names), rd.timezones(names))
        print(f"\n#### {section}, {year.upper()} year, every scored hour by kind of local day\n")
        print(scoring.markdown(kinds))
        out[f"{year}/days"] = kinds.to_dicts()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default=",".join(rd.SERIES), help="Comma-separated series names.")
    parser.add_argument("--years", default="validation,test", help="validation, test or both.")
    parser.add_argument("--folds", type=int, default=13, help="Origins per year (29 days apart).")
    parser.add_argument("--spacing-days", type=int, default=29)
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument(
        "--rows", type=int, default=LightGBMParams.rows_budget, help="LightGBM rows_budget."
    )
    parser.add_argument("--rounds", type=int, default=LightGBMParams.n_estimators, help="LightGBM rounds.")
    parser.add_argument(
        "--learning-rate", type=float, default=LightGBMParams.learning_rate, help="LightGBM shrinkage."
    )
    parser.add_argument(
        "--lightgbm-refit", action=argparse.BooleanOptionalAction, default=LightGBMParams.refit,
        help="LightGBM refits on all history after calibrating.",
    )
    parser.add_argument("--peers", default=",".join(PEERS), help="Peers to run; '' for none.")
    parser.add_argument(
        "--no-main", action="store_true", help="Skip the year-spread folds of the full history."
    )
    parser.add_argument("--short-weeks", default="", help="Also score histories of these weeks, e.g. 4,8,12.")
    parser.add_argument(
        "--day-ahead", action="store_true", help="Also score against the operators' day-ahead."
    )
    parser.add_argument(
        "--consecutive",
        action="store_true",
        help="Extra, the old design: 7 consecutive daily origins at each series' end, h = 24.",
    )
    parser.add_argument(
        "--ensemble-holidays", action="store_true",
        help="Ablation: on public holidays the ensemble combines only members that see holidays.",
    )
    parser.add_argument(
        "--holiday-effect", type=float, default=SelectionParams.holiday_effect,
        help="Share of each region's holiday effect put on members that do not see holidays (0: off).",
    )
    parser.add_argument(
        "--lead-widen", type=float, default=CalibrationParams.lead_widen,
        help="Intervals widen by this fraction per week of lead (0: off).",
    )
    parser.add_argument(
        "--lead-bounds", default=",".join(map(str, SelectionParams.ensemble_lead_bounds)),
        help="Steps at which the ensemble's weights change, e.g. 24 ('' : one set of weights).",
    )
    parser.add_argument("--cache", type=Path, default=None, help="Folder keeping each origin's predictions.")
    parser.add_argument("--json", type=Path, default=None, help="Write every table's rows here.")
    args = parser.parse_args()

    names = [n for n in args.series.split(",") if n]
    unknown = [n for n in names if n not in rd.SERIES]
    if unknown:
        parser.error(f"unknown series {unknown}; choose from {', '.join(rd.SERIES)}")
    if not rd.LONG.exists():
        parser.error(f"{rd.LONG} not found: the real series live in ../shared/data/long")
    lgbm = LightGBMParams(
        n_estimators=args.rounds, learning_rate=args.learning_rate, refit=args.lightgbm_refit,
        rows_budget=args.rows,
    )
    params = SelectionParams(
        candidates=tuple(args.candidates.split(",")), lightgbm=lgbm,
        ensemble_holidays=args.ensemble_holidays, holiday_effect=args.holiday_effect,
        ensemble_lead_bounds=tuple(int(x) for x in args.lead_bounds.split(",") if x),
        calibration=CalibrationParams(lead_widen=args.lead_widen),
    )
    peers = tuple(p for p in args.peers.split(",") if p)
    years = tuple(args.years.split(","))
    plan = rd.Plan(per_year=args.folds, spacing_days=args.spacing_days, tail_hours=FIT_HORIZON)
    results: dict = {"config": {k: str(v) for k, v in vars(args).items()}, "sections": {}, "seconds": {}}
    t_all = time.perf_counter()
    if args.cache:  # one folder per setting, so cached origins are never another setting's
        key = "|".join(map(str, (names, params, peers, args.spacing_days)))
        args.cache = args.cache / hashlib.sha1(key.encode()).hexdigest()[:10]
    data = rd.read_series(names)
    print(
        f"{len(names)} series; {args.folds} origins per year {args.spacing_days} days apart; "
        f"years {years}; fit horizon {FIT_HORIZON}, scored h = {HORIZONS}",
        flush=True,
    )

    sections = []
    if not args.no_main:
        sections.append(("year-spread", plan.cutoffs(data, years), HISTORY_HOURS, FIT_HORIZON, HORIZONS))
    for weeks in (int(w) for w in args.short_weeks.split(",") if w):
        sections.append((f"short-{weeks}w", plan.cutoffs(data, years), weeks * 168, FIT_HORIZON, HORIZONS))
    if args.consecutive:
        sections.append(
            ("consecutive-days (old design, extra)", rd.consecutive_cutoffs(data), HISTORY_HOURS, 24, (24,))
        )
    for section, cutoffs, history, horizon, horizons in sections:
        print(f"\n### {section}: {cutoffs.height} region-origins, {history} h of history", flush=True)
        t0 = time.perf_counter()
        tag = section.split(" ")[0]
        preds, seconds = run_origins(tag, data, cutoffs, history, horizon, params, peers, args.cache)
        results["seconds"][section] = {"wall": time.perf_counter() - t0, **seconds}
        print(f"  {section}: {time.perf_counter() - t0:.0f}s wall; model seconds {seconds}", flush=True)
        results["sections"][section] = report(section, preds, data, horizons)
    if args.day_ahead:
        from dayahead import day_ahead

        t0 = time.perf_counter()
        results["sections"]["day-ahead"] = day_ahead(params, years, args.folds, args.spacing_days, args.cache)
        results["seconds"]["day-ahead"] = {"wall": time.perf_counter() - t0}
    results["seconds"]["total"] = time.perf_counter() - t_all
    print(f"\ntotal {results['seconds']['total']:.0f}s", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
