"""Keep every candidate's calibration and forecast at each year-spread origin, to study selection offline.

At each origin (bench/realdata.py) the candidates are fitted as `fit_default` fits them; the
script writes one parquet per origin with, per candidate, its calibration forecasts (the 28 past
origins the selection and the intervals learn from) and its point forecast of the next 168 hours,
and the peers' forecasts on the same rows. `bench/study_rules.py` then scores selection and
interval rules on these files without refitting anything.

    nice -n 15 .venv/bin/python bench/study.py --series EIA930_PJM --years validation --out /tmp/study
        [--history-weeks 4]   (a short history: only the last 4 weeks before each origin)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402
from peers import peer_folds  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.models.gbm import LightGBMParams  # noqa: E402
from forecast.selection import CANDIDATES, SelectionParams, fit_default  # noqa: E402

FIT_HORIZON = 168
HISTORY_HOURS = 24 * 365 + 168


def dump_origin(train: pl.DataFrame, group: pl.DataFrame, params: SelectionParams, peers) -> dict:
    """Calibration and point forecasts of every fitted candidate, and the peers' forecasts."""
    names = group[S.REGION].to_list()
    model, _ = fit_default(
        train, rd.calendars(names), rd.timezones(names), horizon=FIT_HORIZON, season=24, seed=0, params=params
    )
    cal, pts = [], []
    for name, m in model.models.items():
        if name == "ensemble" or not hasattr(m, "calibration"):
            continue
        cal.append(m.calibration.with_columns(pl.lit(name).alias(S.MODEL)))
        pts.append(m.point(FIT_HORIZON).with_columns(pl.lit(name).alias(S.MODEL)))
    out = {
        "calibration": pl.concat(cal).join(group.select(S.REGION, S.CUTOFF), on=S.REGION),
        "points": pl.concat(pts).join(group.select(S.REGION, S.CUTOFF), on=S.REGION),
    }
    if peers:
        out["peers"], _ = peer_folds(train, group, FIT_HORIZON, peers)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", required=True)
    parser.add_argument("--years", default="validation")
    parser.add_argument("--folds", type=int, default=13)
    parser.add_argument("--candidates", default=",".join(c for c in CANDIDATES if c != "ensemble"))
    parser.add_argument("--peers", default="MSTL,mlforecast_lgbm,SeasonalNaive")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--part", default="0/1", help="i/n: origins k with k %% n == i.")
    parser.add_argument(
        "--history-weeks", type=int, default=None, help="Fit on only these weeks before each origin."
    )
    args = parser.parse_args()
    names = args.series.split(",")
    lgbm = LightGBMParams() if args.rows is None else LightGBMParams(rows_budget=args.rows)
    params = SelectionParams(candidates=tuple(args.candidates.split(",")), lightgbm=lgbm)
    peers = tuple(p for p in args.peers.split(",") if p)
    data = rd.read_series(names)
    cutoffs = rd.Plan(per_year=args.folds).cutoffs(data, tuple(args.years.split(",")))
    args.out.mkdir(parents=True, exist_ok=True)
    part, n_parts = (int(x) for x in args.part.split("/"))
    hours = HISTORY_HOURS if args.history_weeks is None else args.history_weeks * 168
    for (k,), group in cutoffs.group_by("k", maintain_order=True):
        if k % n_parts != part:
            continue
        tag = "_".join(sorted(names))[:60]
        path = args.out / f"{tag}_k{k}.parquet"
        if path.with_suffix(".done").exists():
            continue
        t0 = time.perf_counter()
        parts = dump_origin(rd.train_rows(data, group, hours), group, params, peers)
        actual = rd.test_rows(data, group, FIT_HORIZON)
        for kind, frame in parts.items():
            frame.with_columns(pl.lit(group["year"][0]).alias("year")).write_parquet(
                args.out / f"{tag}_k{k}_{kind}.parquet"
            )
        actual.write_parquet(args.out / f"{tag}_k{k}_actual.parquet")
        path.with_suffix(".done").touch()
        print(f"k={k} {group['year'][0]}: {time.perf_counter() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
