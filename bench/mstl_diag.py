"""Why mstl_ets trails statsforecast's MSTL: point forecasts of variants on VALIDATION-year origins.

Each variant forecasts 168 hours from the validation origins of bench/realdata.py (13 origins 29
days apart, the year before the test year) and is scored by MASE at h = 24 and h = 168 (same
scale as bench/accuracy.py). Point forecasts only: the calibration adds the same residual
quantiles to whatever point it is given, so the point is where the gap is.

    nice -n 15 .venv/bin/python bench/mstl_diag.py --series EIA930_PJM [--variants 'ours (now),...']

The older variants keep the settings they were measured with (degree 1, 6 weeks and 5 inner STL
passes were the defaults).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402
import scoring  # noqa: E402
from statsmodels.tsa.holtwinters import ExponentialSmoothing  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.features.history import regularize  # noqa: E402
from forecast.models.statsm import MSTLETS, MSTLParams  # noqa: E402

H = 168
SIX_WEEKS = 24 * 7 * 6


def old(**settings) -> MSTLParams:
    """The settings the older variants were measured with: statsmodels' 5 inner STL passes."""
    return MSTLParams(inner_iter=5, **settings)


OLD_DEFAULT = old(seasonal_deg=1, window_hours=SIX_WEEKS)  # the defaults until the degree-0 study



def ours(params: MSTLParams):
    """Our mstl_ets as it runs: ETS parameters fitted on the window, then the forecast at the origin."""

    def forecast(y: np.ndarray) -> np.ndarray:
        model = MSTLETS(params)
        frame = pl.DataFrame({S.REGION: "r", S.TS: pl.datetime_range(
            pl.datetime(2000, 1, 1), pl.datetime(2000, 1, 1) + pl.duration(hours=len(y) - 1), "1h",
            time_zone="UTC", eager=True).cast(S.UTC_TS), S.VALUE: y})
        model._fit_history(frame, frame.clear())
        return model._forecast_one(y[-params.window_hours:], "r", H)

    return forecast


def statsforecast_mstl(window: int | None):
    def forecast(y: np.ndarray) -> np.ndarray:
        from statsforecast.models import MSTL

        y = y if window is None else y[-window:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return MSTL(season_length=[24, 168]).fit(y).predict(H)["mean"]

    return forecast


def ets_variant(params: MSTLParams, trend: str | None, damped: bool):
    """Our decomposition with another ETS of the seasonally adjusted rest, fitted at the origin."""

    def forecast(y: np.ndarray) -> np.ndarray:
        model = MSTLETS(params)
        adjusted, seasonals = model._decompose(y[-params.window_hours:])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ExponentialSmoothing(adjusted, trend=trend, damped_trend=damped).fit()
        out = np.asarray(fit.forecast(H))
        steps = np.arange(H)
        for period, comp in seasonals:
            out = out + comp[len(comp) - period + steps % period]
        return out

    return forecast


VARIANTS = {
    "ours (now)": lambda: ours(MSTLParams()),
    "ours inner 5 (statsmodels)": lambda: ours(MSTLParams(inner_iter=5)),
    "ours (6 weeks)": lambda: ours(old(window_hours=SIX_WEEKS, seasonal_deg=1)),
    "ours (12 weeks)": lambda: ours(old(seasonal_deg=1)),
    "ours (1 year)": lambda: ours(old(seasonal_deg=1, window_hours=24 * 365)),
    "ours iterate 2": lambda: ours(old(seasonal_deg=1, window_hours=SIX_WEEKS, iterate=2)),
    "ours deg0 (6 weeks)": lambda: ours(old(window_hours=SIX_WEEKS)),
    "ours deg0 (12 weeks)": lambda: ours(old(seasonal_deg=0, window_hours=24 * 7 * 12)),
    "ours deg0 (1 year)": lambda: ours(old(seasonal_deg=0, window_hours=24 * 365)),
    "ours deg0 iterate 2 (6 weeks)": lambda: ours(old(window_hours=SIX_WEEKS, iterate=2)),
    "ETS at origin damped": lambda: ets_variant(OLD_DEFAULT, "add", True),
    "ETS at origin no trend": lambda: ets_variant(OLD_DEFAULT, None, False),
    "ETS at origin no trend 1 year": lambda: ets_variant(
        old(seasonal_deg=1, window_hours=24 * 365), None, False
    ),
    "sf MSTL (1 year)": lambda: statsforecast_mstl(None),
    "sf MSTL (6 weeks)": lambda: statsforecast_mstl(24 * 7 * 6),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="EIA930_PJM")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--folds", type=int, default=13)
    args = parser.parse_args()
    names = args.series.split(",")
    data = rd.read_series(names)
    cutoffs = rd.Plan(per_year=args.folds).cutoffs(data, (rd.VALIDATION,))
    scale = scoring.scales(data, cutoffs)
    rows = []
    for (region,), group in cutoffs.group_by(S.REGION, maintain_order=True):
        for cutoff in group[S.CUTOFF]:
            one = group.filter(pl.col(S.CUTOFF) == cutoff)
            hist = regularize(rd.train_rows(data, one, 24 * 366))[0][S.VALUE].to_numpy()
            actual = rd.test_rows(data, one, H)
            step = ((actual[S.TS] - cutoff).dt.total_hours()).to_numpy().astype(int) - 1
            y = actual["y"].to_numpy()
            s = scale.filter((pl.col(S.REGION) == region) & (pl.col(S.CUTOFF) == cutoff))["scale"][0]
            for name in args.variants.split(","):
                err = np.abs(y - VARIANTS[name]()(hist)[step]) / s
                rows.append({"variant": name, S.REGION: region, S.CUTOFF: cutoff,
                             "mase_24": float(err[step < 24].mean()), "mase_168": float(err.mean())})
    table = pl.DataFrame(rows)
    print(scoring.markdown(table.group_by("variant", maintain_order=True).agg(
        pl.col("mase_24").mean(), pl.col("mase_168").mean(), pl.len().alias("folds"))))
    print(scoring.markdown(table.pivot(on="variant", index=[S.REGION, S.CUTOFF], values="mase_24")))


if __name__ == "__main__":
    main()
