"""Hour-level checks along a series: flatlines (continuing from stored hours) and values far from history.

Both run on hourly rows where each series (region, series, issued_at) is one block in time
order, in O(n) expressions: no per-run grouping, so ten million hours cost a few column passes.
"""

from __future__ import annotations

import polars as pl

from forecast import schema as S
from pipelines.validation.hourly import HOUR_KEY, SERIES_KEY

FLATLINE_HOURS = 6
FLATLINE_SERIES = (S.GRID_LOAD, S.OPERATOR_FORECAST)
HISTORY_SERIES = (S.GRID_LOAD, S.OPERATOR_FORECAST)
HISTORY_MIN_HOURS = 168
HISTORY_FACTOR = 4.0  # plausible: within [q01 / 4, q99 * 4] of the region's values
STORED = "_stored"


def flatline(frame: pl.DataFrame) -> pl.Series:
    """True on hours inside a run of >= FLATLINE_HOURS consecutive hours with the same value.

    Each series of `frame` is one block in time order. A run's length comes from its start
    (forward fill) and its end (backward fill), so no group-by over runs is needed.
    """
    same_series = pl.lit(True)
    for name in SERIES_KEY:
        same_series = same_series & pl.col(name).eq_missing(pl.col(name).shift())
    continues = (
        same_series
        & (pl.col(S.TS) - pl.col(S.TS).shift() == pl.duration(hours=1))
        & (pl.col(S.VALUE) == pl.col(S.VALUE).shift())
    ).fill_null(False)
    idx = pl.int_range(pl.len(), dtype=pl.Int64)
    runs = frame.select(
        pl.col(S.SERIES).is_in(FLATLINE_SERIES).alias("_eligible"), continues.alias("_cont"), idx.alias("_i")
    )
    start = pl.when(~pl.col("_cont")).then(pl.col("_i")).forward_fill()
    last = ~pl.col("_cont").shift(-1, fill_value=False)
    length = pl.when(last).then(pl.col("_i") - start + 1).backward_fill()
    return runs.select(pl.col("_eligible") & (length >= FLATLINE_HOURS)).to_series()


def with_neighbours(hours: pl.DataFrame, neighbours: pl.DataFrame | None) -> pl.DataFrame:
    """Stored hours next to the batch joined into its rows (marked `_stored`), sorted by HOUR_KEY.

    `_i` is each batch hour's position, to put the flags back in the batch's order.
    """
    marked = hours.select(
        *HOUR_KEY, S.VALUE, pl.lit(False).alias(STORED), pl.int_range(pl.len(), dtype=pl.Int64).alias("_i")
    )
    if neighbours is None or neighbours.is_empty():
        return marked
    stored = neighbours.select(
        pl.col(S.REGION).cast(hours.schema[S.REGION], strict=False),
        pl.col(S.SERIES).cast(hours.schema[S.SERIES], strict=False),
        pl.col(S.ISSUED_AT).cast(S.UTC_TS), pl.col(S.TS).cast(S.UTC_TS),
        pl.col(S.VALUE).cast(pl.Float64), pl.lit(True).alias(STORED), pl.lit(None, pl.Int64).alias("_i"),
    ).drop_nulls([S.REGION, S.SERIES]).join(marked, on=list(HOUR_KEY), how="anti", nulls_equal=True)
    if stored.is_empty():
        return marked
    return pl.concat([marked, stored]).sort(HOUR_KEY, nulls_last=False)


def history_bounds(hours: pl.DataFrame, history: pl.LazyFrame | None) -> pl.DataFrame:
    """(region, series, _lo, _hi) for series with >= HISTORY_MIN_HOURS values, batch and stored.

    One (region, series) at a time: the exact quantiles need all of a series' values in
    memory, but never all series' at once.
    """
    dtypes = {S.REGION: hours.schema[S.REGION], S.SERIES: hours.schema[S.SERIES]}
    groups = hours.filter(pl.col(S.SERIES).is_in(HISTORY_SERIES)).select(S.REGION, S.SERIES).unique()
    bounds = []
    for region, series in groups.iter_rows():
        values = hours.lazy().filter((pl.col(S.REGION) == region) & (pl.col(S.SERIES) == series))
        values = values.select(S.VALUE)
        if history is not None:
            stored = history.filter((pl.col(S.REGION) == region) & (pl.col(S.SERIES) == series))
            values = pl.concat([values, stored.select(pl.col(S.VALUE).cast(pl.Float64))])
        bounds.append(values.select(
            pl.lit(region, dtypes[S.REGION]).alias(S.REGION),
            pl.lit(series, dtypes[S.SERIES]).alias(S.SERIES), pl.len().alias("_n"),
            (pl.col(S.VALUE).quantile(0.01) / HISTORY_FACTOR).alias("_lo"),
            (pl.col(S.VALUE).quantile(0.99) * HISTORY_FACTOR).alias("_hi"),
        ))
    empty = {**dtypes, "_n": pl.UInt32, "_lo": pl.Float64, "_hi": pl.Float64}
    frames = [b.collect(engine="streaming") for b in bounds]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=empty)
    return frame.filter(pl.col("_n") >= HISTORY_MIN_HOURS).drop("_n")


def hour_reasons(
    hours: pl.DataFrame, history: pl.LazyFrame | None = None, neighbours: pl.DataFrame | None = None
) -> pl.Series:
    """Reason per hour (null = fine): `implausible_vs_history` first, then `flatline`."""
    if hours.is_empty():
        return pl.Series("_reason", [], dtype=pl.String)
    around = with_neighbours(hours, neighbours)
    flat = flatline(around)
    if around.height != hours.height:
        flat = pl.DataFrame({"_f": flat, "_i": around["_i"]}).filter(~around[STORED]).sort("_i")["_f"]
    bounds = history_bounds(hours, history)
    if bounds.height:
        outside = (pl.col(S.VALUE) < pl.col("_lo")) | (pl.col(S.VALUE) > pl.col("_hi"))
        far = hours.select(S.REGION, S.SERIES, S.VALUE).join(
            bounds, on=[S.REGION, S.SERIES], how="left", maintain_order="left"
        ).select(outside.fill_null(False)).to_series()
    else:
        far = pl.repeat(False, hours.height, eager=True)
    return pl.DataFrame({"_flat": flat, "_far": far}).select(
        pl.when(pl.col("_far")).then(pl.lit("implausible_vs_history"))
        .when(pl.col("_flat")).then(pl.lit("flatline"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("_reason")
    ).to_series()
