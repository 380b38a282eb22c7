"""Score holiday adjustments and lead bands of the ensemble offline on bench/study.py's files.

Members that do not see holidays (mstl_ets, sarimax) are multiplied by 1 + the region's holiday
effect (forecast.features.holiday_effect, learnt on the year before each origin) on its public
holidays, shrunk by a factor; the inverse-MAE ensemble is formed as the default forms it, with
one set of weights or one per band of lead times (`bands`). Prints
MASE and coverage at h = 24 and h = 168, overall, per series and on holiday hours.

    .venv/bin/python bench/study_holidays.py /work/study/val
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import holidays
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402
import study_rules as sr  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.features.calendar import holiday_flags  # noqa: E402
from forecast.features.holiday_effect import holiday_effects, holiday_factor, holiday_ratios  # noqa: E402

MEMBERS = ("mstl_ets", "sarimax", "lightgbm")
BLIND = ("mstl_ets", "sarimax")


def year_before(data: pl.DataFrame, region: str, cutoff, days: int = 365) -> pl.DataFrame:
    """The region's known hours in the year (or `days`) up to `cutoff`."""
    mine = data.filter(pl.col(S.REGION) == region)
    year = (pl.col(S.TS) <= cutoff) & (pl.col(S.TS) > cutoff - timedelta(days=days))
    return mine.filter(year).drop_nulls(S.VALUE)


def factors(
    rec: dict, data: pl.DataFrame, min_holidays: int, days: int = 365
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(factor per forecast hour, factor per calibration cell, holiday mask of forecast hours),
    the effect learnt on the `days` before the origin."""
    region, cutoff = rec["region"], rec["cutoff"]
    tz, cal = rd.timezones([region]), rd.calendars([region])
    hist = year_before(data, region, cutoff, days)
    eff = holiday_effects(hist, tz, cal, min_holidays=min_holidays)
    rows = pl.DataFrame({S.REGION: [region] * len(rec["ts"]), S.TS: rec["ts"]})
    crow = pl.DataFrame({S.REGION: [region] * len(rec["cal_ts"]), S.TS: rec["cal_ts"]})
    f = holiday_factor(rows, eff, tz, cal).to_numpy()
    fc = holiday_factor(crow, eff, tz, cal).to_numpy().reshape(rec["y_cal"].shape)
    mask = holiday_flags(rows, tz, cal).to_numpy()
    return f, fc, mask


def _names(code: str, years) -> dict:
    country, _, subdiv = code.partition("-")
    hol = holidays.country_holidays(country, subdiv=subdiv or None, years=list(years))
    return {d: n.replace(" (observed)", "").replace(" (Observed)", "") for d, n in hol.items()}


def named_factors(rec: dict, data: pl.DataFrame, pooled_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Factors from the same holiday's last occurrence (by name), mixed with the pooled median."""
    region, cutoff = rec["region"], rec["cutoff"]
    tz, cal = rd.timezones([region]), rd.calendars([region])
    hist = year_before(data, region, cutoff)
    ratios = holiday_ratios(hist, tz, cal)
    pooled = holiday_effects(hist, tz, cal)
    pooled_map = {h: e for _, h, e in pooled.iter_rows()}
    names = _names(cal[region], range(cutoff.year - 2, cutoff.year + 2))
    by_name: dict = defaultdict(list)
    for _, d, h, e in ratios.iter_rows():
        by_name[(names.get(d), h)].append(e)

    def one(ts) -> np.ndarray:
        local = pl.Series(ts).dt.convert_time_zone(tz[region]).dt.replace_time_zone(None)
        out = np.ones(len(local))
        for i, t in enumerate(local.to_list()):
            n = names.get(t.date())
            if n is None:
                continue
            p = pooled_map.get(t.hour, 0.0)
            own = by_name.get((n, t.hour))
            e = p if not own else pooled_weight * p + (1 - pooled_weight) * float(np.mean(own))
            out[i] = 1 + e
        return out

    return one(rec["ts"]), one(rec["cal_ts"]).reshape(rec["y_cal"].shape)


def variant(rec: dict, f, fc, shrink: float, adjust, bounds=()) -> tuple[np.ndarray, np.ndarray]:
    """(point, residual matrix) of the inverse-MAE ensemble with `adjust` members scaled, weights
    learnt per band of steps split at `bounds`."""
    yhat, cal = {}, {}
    for m in MEMBERS:
        g, gc = (1 + shrink * (f - 1), 1 + shrink * (fc - 1)) if m in adjust else (1.0, 1.0)
        yhat[m], cal[m] = rec["yhat"][m] * g, rec["cal"][m] * gc
    point, resid = np.zeros(sr.H), np.zeros_like(rec["y_cal"])
    edges = [0, *bounds, sr.H]
    for lo, hi in itertools.pairwise(edges):
        w = np.array([1 / np.nanmean(np.abs(rec["y_cal"][:, lo:hi] - cal[m][:, lo:hi])) for m in MEMBERS])
        w = w / w.sum()
        point[lo:hi] = sum(wi * yhat[m][lo:hi] for m, wi in zip(MEMBERS, w, strict=True))
        fitted = sum(wi * cal[m][:, lo:hi] for m, wi in zip(MEMBERS, w, strict=True))
        resid[:, lo:hi] = rec["y_cal"][:, lo:hi] - fitted
    return point, resid


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--shrink", default="0,0.5,0.75,1")
    parser.add_argument("--min-holidays", type=int, default=3)
    args = parser.parse_args()
    recs = [r for f in args.folders for r in sr.load(f)]
    sr.add_scales(recs)
    data = rd.read_series(sorted({r["region"] for r in recs}))
    table: dict = defaultdict(list)
    hol: dict = defaultdict(list)
    variants = [(f"blind x{s}", float(s), BLIND) for s in args.shrink.split(",")]
    named = [(f"name{pw} x{s}", float(s), BLIND, float(pw)) for pw in (0.0, 0.5) for s in (0.5, 0.75, 1.0)]
    variants = [(*v, None, ()) for v in variants] + [(*v, ()) for v in named]
    bands = {"24": (24,), "24,72": (24, 72), "daily": tuple(range(24, 168, 24))}
    variants += [(f"blind x0.5, bands {k}", 0.5, BLIND, None, b) for k, b in bands.items()]
    for rec in recs:
        f, fc, mask = factors(rec, data, args.min_holidays)
        nf = {pw: named_factors(rec, data, pw) for pw in (0.0, 0.5)}
        for name, shrink, adjust, pw, bounds in variants:
            ff, ffc = (f, fc) if pw is None else nf[pw]
            p, r = variant(rec, ff, ffc, shrink, adjust, bounds)
            table[(name, rec["region"])].append(sr.score(rec, p, r, (1.0, 1.1), True))
            if mask.any():
                r0 = r - np.nan_to_num(np.nanmedian(r, axis=0))
                off = sr.conformal_offsets(r0, sr.QS, sr.H, neighbours=2)
                med = off[2]
                lo80, hi80 = p + off[1], p + off[3]
                lo95, hi95 = p + med + 1.1 * (off[0] - med), p + med + 1.1 * (off[4] - med)
                y = rec["actual"]
                ok = mask & np.isfinite(y)
                hol[name].append(
                    np.stack([
                        np.abs(y - p)[ok] / rec["scale"],
                        (y >= lo80)[ok] & (y <= hi80)[ok],
                        (y >= lo95)[ok] & (y <= hi95)[ok],
                    ])
                )
    regions = sorted({r["region"] for r in recs})
    for h in (24, 168):
        print(f"\n## h = {h}: MASE per series, overall MASE, cov80, cov95")
        print("| variant | " + " | ".join(regions) + " | overall | cov80 | cov95 |")
        for name, *_ in variants:
            cells = [f"{np.mean([x[h][0] for x in table[(name, r)]]):.3f}" for r in regions]
            allrows = np.array([x[h] for r in regions for x in table[(name, r)]])
            m = allrows.mean(axis=0)
            print(f"| {name} | " + " | ".join(cells) + f" | {m[0]:.4f} | {m[1]:.1f} | {m[2]:.1f} |")
    print("\n## holiday hours (all 168 steps): scaled MAE, cov80, cov95")
    for name, *_ in variants:
        a = np.concatenate(hol[name], axis=1) if hol[name] else np.zeros((3, 0))
        cov = a[1:].mean(axis=1) * 100
        print(f"| {name} | {a.shape[1]} h | {a[0].mean():.3f} | {cov[0]:.1f} | {cov[1]:.1f} |")


if __name__ == "__main__":
    main()
