"""Turns a long input frame into a gap-free hourly history per region, plus future exogenous rows."""

from __future__ import annotations

import polars as pl

from forecast import schema as S

EXOG = (S.TEMPERATURE,)


def exog_columns(frame: pl.DataFrame) -> list[str]:
    """Exogenous columns present with at least one value (temperature)."""
    return [c for c in EXOG if c in frame.columns and frame[c].null_count() < frame.height]


def regularize(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(history, future): hourly rows from each region's first to last observed value; exog after.

    Missing hours and null values inside the history are filled by linear interpolation (then the
    nearest value at the edges), since every model here needs a regular hourly grid. Rows after a
    region's last observed value that carry exogenous values (a temperature forecast) are returned
    as `future`, the only values the models use beyond the origin.
    """
    S.require_columns(frame, (S.REGION, S.TS, S.VALUE), "regularize")
    exog = exog_columns(frame)
    cols = [S.REGION, S.TS, S.VALUE, *exog]
    rows = (
        frame.select(cols)
        .with_columns(pl.col(S.TS).dt.truncate("1h"))
        .group_by(S.REGION, S.TS)
        .agg(pl.col(c).mean() for c in cols[2:])
    )
    bounds = (
        rows.filter(pl.col(S.VALUE).is_not_null())
        .group_by(S.REGION)
        .agg(pl.col(S.TS).min().alias("first"), pl.col(S.TS).max().alias("last"))
    )
    grid = (
        bounds.select(S.REGION, pl.datetime_ranges("first", "last", "1h").alias(S.TS))
        .explode(S.TS)
        .with_columns(pl.col(S.TS).cast(S.UTC_TS))
    )
    history = (
        grid.join(rows.with_columns(pl.col(S.TS).cast(S.UTC_TS)), on=[S.REGION, S.TS], how="left")
        .sort(S.REGION, S.TS)
        .with_columns(
            pl.col(c).interpolate().forward_fill().backward_fill().over(S.REGION) for c in cols[2:]
        )
    )
    future = (
        rows.with_columns(pl.col(S.TS).cast(S.UTC_TS))
        .join(bounds, on=S.REGION)
        .filter(pl.col(S.TS) > pl.col("last"))
        .select(S.REGION, S.TS, *exog)
        .drop_nulls()
        .sort(S.REGION, S.TS)
    )
    return history, future
