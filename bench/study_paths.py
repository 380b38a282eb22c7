"""Score the published (sample-path) quantiles offline on bench/study.py's files.

The default ensemble is formed as bench/study_holidays.py forms it (holiday effect x 0.5, weights
per lead band 1-24 / 25-168). Its quantiles three ways: `predict`'s conformal offsets; the
quantiles of 500 paths of whole residual rows (what the service published before stop 24); the
quantiles of 500 calibrated paths (`forecast.conformal.calibrated_paths`, published now). Prints
80 % / 95 % coverage at h = 24 and h = 168, and the coverage of each path set's peak load over the
first day and the week (the window questions: minimum headroom).

    .venv/bin/python bench/study_paths.py /work/study/val
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402
import study_holidays as sh  # noqa: E402
import study_rules as sr  # noqa: E402

from forecast.conformal import calibrated_paths, conformal_offsets  # noqa: E402
from forecast.models.calibrated import CalibrationParams  # noqa: E402

QS = (0.025, 0.1, 0.5, 0.9, 0.975)
N_SAMPLES, SEED = 500, 0


def raw_rows(residuals: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Whole residual rows drawn iid with `seed` (the sample paths before stop 24)."""
    rows = np.random.default_rng(seed).integers(0, residuals.shape[0], size=n)
    return np.nan_to_num(residuals[rows])


def covered(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    ok = np.isfinite(y)
    return float(np.mean((y[ok] >= lo[ok]) & (y[ok] <= hi[ok])) * 100)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    cal = CalibrationParams()
    recs = [r for f in args.folders for r in sr.load(f)]
    sr.add_scales(recs)
    data = rd.read_series(sorted({r["region"] for r in recs}))
    hourly: dict = defaultdict(list)
    peaks: dict = defaultdict(list)
    for rec in recs:
        f, fc, _ = sh.factors(rec, data, 3)
        point, resid = sh.variant(rec, f, fc, 0.5, sh.BLIND, (24,))
        resid = resid - np.nan_to_num(np.nanmedian(resid, axis=0))  # centred, as served
        shape = cal.interval_shape()
        paths = {
            "whole residual rows (before)": point + raw_rows(resid, N_SAMPLES, SEED),
            "calibrated paths (now)": point + calibrated_paths(resid, sr.H, N_SAMPLES, SEED, **shape),
        }
        quantiles = {"predict": point + conformal_offsets(resid, QS, sr.H, **shape)}
        quantiles.update({name: np.quantile(p, QS, axis=0) for name, p in paths.items()})
        y = rec["actual"]
        for name, q in quantiles.items():
            for h in (24, 168):
                s = slice(0, h)
                width = float(np.mean(q[3][s] - q[1][s]) / rec["scale"])
                cover = (covered(y[s], q[1][s], q[3][s]), covered(y[s], q[0][s], q[4][s]))
                hourly[(name, h)].append((*cover, width))
        for name, p in paths.items():
            for h in (24, 168):
                if np.isfinite(y[:h]).all():
                    q = np.quantile(p[:, :h].max(axis=1), QS)
                    peak = y[:h].max()
                    peaks[(name, h)].append((q[1] <= peak <= q[3], q[0] <= peak <= q[4]))
    print("\n| quantiles | h = 24 cov 80 / 95 | h = 168 cov 80 / 95 | h = 168 80 % width (MASE units) |")
    print("|---|---|---|---|")
    for name in ("predict", *paths):
        a, b = (np.mean(hourly[(name, h)], axis=0) for h in (24, 168))
        print(f"| {name} | {a[0]:.1f} / {a[1]:.1f} | {b[0]:.1f} / {b[1]:.1f} | {b[2]:.2f} |")
    print("\n| paths | peak of day 1: cov 80 / 95 | peak of the week: cov 80 / 95 | folds |")
    print("|---|---|---|---|")
    for name in paths:
        a, b = (np.mean(peaks[(name, h)], axis=0) * 100 for h in (24, 168))
        print(f"| {name} | {a[0]:.1f} / {a[1]:.1f} | {b[0]:.1f} / {b[1]:.1f} | {len(peaks[(name, 168)])} |")


if __name__ == "__main__":
    main()
