"""Exogenous values (temperature) at target hours, read from history or supplied forecasts."""

from __future__ import annotations

import polars as pl

from forecast import schema as S
from forecast.features.history import exog_columns
from forecast.features.lags import ORIGIN


def add_exog(design: pl.DataFrame, history: pl.DataFrame, future: pl.DataFrame) -> pl.DataFrame:
    """Adds each exogenous column at the target `ts`; where unknown, its value at the origin.

    Inside the history the observed value stands in for a forecast of it (backtests therefore
    assume perfect weather forecasts); beyond it, the supplied `future` rows are used and, where
    they are missing, persistence from the origin.
    """
    cols = exog_columns(history)
    if not cols:
        return design
    known = pl.concat(
        [history.select(S.REGION, S.TS, *cols), future.select(S.REGION, S.TS, *cols)]
        if not future.is_empty() and all(c in future.columns for c in cols)
        else [history.select(S.REGION, S.TS, *cols)]
    ).unique([S.REGION, S.TS], keep="first")
    at_origin = known.rename({S.TS: ORIGIN, **{c: f"_{c}_o" for c in cols}})
    return (
        design.join(known, on=[S.REGION, S.TS], how="left")
        .join(at_origin, on=[S.REGION, ORIGIN], how="left")
        .with_columns(pl.col(c).fill_null(pl.col(f"_{c}_o")) for c in cols)
        .drop(f"_{c}_o" for c in cols)
    )
