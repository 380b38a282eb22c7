"""How SARIMAX is estimated, on the validation year: the joint likelihood fit (until stop 25), a
two-step fit (OLS on the Fourier terms, then ARMA likelihood on the residuals), the joint fit
started from the two-step's estimates, and feasible GLS (`forecast.models.gls.regression_arma_gls`, now).
The joint fit was the fleet goal's largest cost.

Each series' 13 validation origins (bench/realdata.py); SARIMAX as `forecast.models.statsm`
specifies it (4 weeks, ARMA(2, 1), 4 daily and 3 weekly Fourier pairs, standardised y), fitted at
the origin and forecasting 168 h; MASE against the seasonal-naive MAE over the fitted window.

    OMP_NUM_THREADS=1 .venv/bin/python bench/study_sarimax.py --series EIA930_PJM,ENTSOE_DE-LU
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import polars as pl
from statsmodels.tsa.statespace.sarimax import SARIMAX

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.models.gls import regression_arma_gls  # noqa: E402
from forecast.models.statsm import SARIMAXModel  # noqa: E402

H = 168
ORDER = (2, 0, 1)


def fits(
    z: np.ndarray, x: np.ndarray, x_ahead: np.ndarray, maxiter: int
) -> dict[str, tuple[np.ndarray, float]]:
    """Standardised forecasts and seconds of each way of fitting."""
    model = SARIMAX(z, exog=x, order=ORDER, trend="c", concentrate_scale=True)
    out = {}
    t = time.perf_counter()
    joint = model.fit(disp=False, maxiter=maxiter)
    out["joint likelihood (until stop 25)"] = (joint.forecast(H, exog=x_ahead), time.perf_counter() - t)
    t = time.perf_counter()
    two_step = regression_arma_gls(z, x, ORDER, maxiter, rounds=1)
    seconds = time.perf_counter() - t
    out["two-step: OLS, then ARMA"] = (model.filter(two_step).forecast(H, exog=x_ahead), seconds)
    t = time.perf_counter()
    warm = model.fit(start_params=two_step, disp=False, maxiter=maxiter)
    warm_seconds = time.perf_counter() - t + seconds  # the two-step's own time included
    out["joint, started from the two-step"] = (warm.forecast(H, exog=x_ahead), warm_seconds)
    t = time.perf_counter()
    gls = model.filter(regression_arma_gls(z, x, ORDER, maxiter))
    out["feasible GLS, two rounds (now)"] = (gls.forecast(H, exog=x_ahead), time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", required=True)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    data = rd.read_series(args.series.split(","))
    model = SARIMAXModel()
    p = model.params
    scores: dict[str, list] = {}
    seconds: dict[str, float] = {}
    for region, _, _, cutoff in rd.Plan().cutoffs(data, (rd.VALIDATION,)).iter_rows():
        mine = data.filter(pl.col(S.REGION) == region)
        part = mine.filter(pl.col(S.TS) <= cutoff).tail(p.window_hours)
        actual = mine.filter(pl.col(S.TS) > cutoff).head(H)[S.VALUE].to_numpy().astype(float)
        y = part[S.VALUE].fill_null(strategy="forward").to_numpy()
        if len(actual) < H or np.isnan(y).any():
            continue
        hours = part[S.TS].dt.epoch("s").to_numpy() // 3600
        mu, sd = y.mean(), y.std()
        scale = np.nanmean(np.abs(y[24:] - y[:-24]))
        ahead = model._exog(hours[-1] + np.arange(1, H + 1), None)
        for name, (z_hat, secs) in fits((y - mu) / sd, model._exog(hours, None), ahead, p.maxiter).items():
            err = np.abs(actual - (mu + sd * z_hat)) / scale
            scores.setdefault(name, []).append((np.nanmean(err[:24]), np.nanmean(err)))
            seconds[name] = seconds.get(name, 0.0) + secs
    print("| fit | region-origins | MASE h = 24 | MASE h = 168 | seconds |\n|---|---|---|---|---|")
    for name, rows in scores.items():
        a = np.mean(rows, axis=0)
        print(f"| {name} | {len(rows)} | {a[0]:.3f} | {a[1]:.3f} | {seconds[name]:.0f} |")


if __name__ == "__main__":
    main()
