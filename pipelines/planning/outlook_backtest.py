"""`headroom backtest --target outlook`: the outlook's monthly peak scored from origins years apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from forecast import schema as S
from forecast.planning.outlook import OutlookParams
from forecast.planning.peak_backtest import PeakBacktestParams, outlook_backtest
from pipelines.backtest.data import NoDataError, read_data_file
from pipelines.config.settings import Settings
from pipelines.store import Store, load_series


@dataclass(frozen=True)
class OutlookBacktestReport:
    """Every scored (origin, month) and the scores per region; where the load came from."""

    predictions: pl.DataFrame  # region, origin, month, ahead, p10, p50, p90, actual
    scores: pl.DataFrame  # region, origins, months, p50_bias_pct, p50_abs_error_pct, coverage, width
    source: str


def run_outlook_backtest(
    store: Store | None,
    settings: Settings,
    data: Path | None = None,
    regions: Sequence[str] | None = None,
    params: PeakBacktestParams | None = None,
) -> OutlookBacktestReport:
    """Load hourly grid load (the long file `data`, else the store) and backtest the peak outlook."""
    if data is not None:
        load, source = read_data_file(data, S.GRID_LOAD, regions or None).frame, str(data)
    else:
        load, source = load_series(store, S.GRID_LOAD, list(regions) if regions else None), "store"
    if load.height == 0:
        wanted = f" for regions {list(regions)}" if regions else ""
        raise NoDataError(f"{source} holds no grid_load{wanted} to backtest the outlook on")
    missing = sorted(set(regions or []) - set(load[S.REGION].unique().to_list()))
    if missing:
        raise NoDataError(f"{source} holds no grid_load for regions {missing}")
    params = params or PeakBacktestParams(
        outlook=OutlookParams(n_samples=settings.n_samples, seed=settings.seed)
    )
    predictions, scores = outlook_backtest(load, list(regions) if regions else None, params)
    return OutlookBacktestReport(predictions, scores, source)
