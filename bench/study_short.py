"""Score the intervals of short histories offline on bench/study.py's files (`--history-weeks`).

A region with 4 weeks of history has 10 calibration origins instead of 28. The ensemble is
formed as bench/study_paths.py forms it (the holiday effect learnt on the same short history);
its intervals four ways: the conformal offsets as served until stop 25; every level widened by a
ratio of Student-t factors; only the tails beyond K / (K + 1) extrapolated
(`forecast.conformal.few_origins_factor`); and as served now (those tails, and the lead widening
x 28 / K). Prints MASE-scaled width and 80 % / 95 % coverage at h = 24 and h = 168, overall and
per series.

    .venv/bin/python bench/study_short.py /work/study/short4 /work/study/short12 --weeks 4,12
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import t as student_t

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402
import study_holidays as sh  # noqa: E402
import study_paths as sp  # noqa: E402
import study_rules as sr  # noqa: E402

from forecast.conformal import conformal_offsets, few_origins_factor  # noqa: E402
from forecast.models.calibrated import CalibrationParams  # noqa: E402

QS = sp.QS
covered = sp.covered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--weeks", required=True, help="History weeks of each folder, e.g. 4,12.")
    args = parser.parse_args()
    weeks = [int(w) for w in args.weeks.split(",")]
    shape = CalibrationParams().interval_shape()
    data = None
    rows: dict = defaultdict(list)
    overall: dict = defaultdict(list)
    for folder, w in zip(args.folders, weeks, strict=True):
        recs = sr.load(folder)
        sr.add_scales(recs)
        data = rd.read_series(sorted({r["region"] for r in recs})) if data is None else data
        for rec in recs:
            f, fc, _ = sh.factors(rec, data, 3, days=7 * w)
            point, resid = sh.variant(rec, f, fc, 0.5, sh.BLIND, (24,))
            resid = resid - np.nan_to_num(np.nanmedian(resid, axis=0))
            k = resid.shape[0]
            base = conformal_offsets(resid, QS, sr.H, **{**shape, "reference_origins": 0})
            variants = {
                "served until stop 25": base,
                "Student-t ratio": widened(base, k, student_factor),
                "normal tail beyond K/(K+1) only": widened(base, k, few_origins_factor),
                "now: normal tail, lead widening x 28/K": conformal_offsets(resid, QS, sr.H, **shape),
            }
            for name, off in variants.items():
                q = point + off
                for h in (24, 168):
                    s = slice(0, h)
                    y = rec["actual"][s]
                    width = float(np.mean(q[3][s] - q[1][s]) / rec["scale"])
                    cover = (covered(y, q[1][s], q[3][s]), covered(y, q[0][s], q[4][s]))
                    rows[(w, k, rec["region"], name, h)].append((*cover, width))
                    overall[(w, k, name, h)].append((*cover, width))
    print("\n| history | origins K | intervals | h = 24 cov 80 / 95 | h = 168 cov 80 / 95 | "
          "h = 168 80 % width |")
    print("|---|---|---|---|---|---|")
    keys = sorted({(w, k, name) for w, k, name, _ in overall})
    for w, k, name in keys:
        a, b = (np.mean(overall[(w, k, name, h)], axis=0) for h in (24, 168))
        print(f"| {w} weeks | {k} | {name} | {a[0]:.1f} / {a[1]:.1f} | {b[0]:.1f} / {b[1]:.1f} "
              f"| {b[2]:.2f} |")
    print("\nper series, h = 24 / h = 168 coverage 80 / 95:")
    for w, k, name in keys:
        for region in sorted({r for w2, _, r, _, _ in rows if w2 == w}):
            a, b = (np.mean(rows[(w, k, region, name, h)], axis=0) for h in (24, 168))
            print(f"  {w}w {name:40s} {region:16s} {a[0]:5.1f} / {a[1]:5.1f}   {b[0]:5.1f} / {b[1]:5.1f}")


def student_factor(q: float, origins: int, reference: int = 28) -> float:
    """Ratio of Student-t prediction factors t(K - 1) * sqrt(1 + 1 / K) at K = `origins` and at
    `reference` (1 from `reference` on): every level widened for a scale estimated from K rows."""
    if origins >= reference or abs(q - 0.5) < 1e-9:
        return 1.0
    level = 0.5 + abs(q - 0.5)

    def spread(k: int) -> float:
        return float(student_t.ppf(level, k - 1)) * math.sqrt(1 + 1 / k)

    return spread(origins) / spread(reference)


def widened(offsets: np.ndarray, k: int, rule) -> np.ndarray:
    """`offsets` (levels QS) widened about the median by `rule(q, k)`."""
    factor = np.array([rule(q, k) for q in QS])[:, None]
    median = offsets[QS.index(0.5)]
    return median + factor * (offsets - median)


if __name__ == "__main__":
    main()
