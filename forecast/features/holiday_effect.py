"""How much a region's load changes on its public holidays, learnt from its own history.

For each past holiday and local hour, the ratio of the load to the mean load at that hour on the
same weekday one week before and one week after (reference days that are not holidays themselves).
The effect of an hour is the median of those ratios less one, per region: a model that forecasts a
holiday as an ordinary day is multiplied by 1 + effect on the holiday's hours.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from forecast import schema as S
from forecast.features.calendar import _local_naive, holiday_table

EFFECT = "holiday_effect"
REFERENCE_DAYS = (-7, 7)  # the same weekday a week before and after a holiday


def _holidays(
    frame: pl.DataFrame, timezones: Mapping[str, str], calendars: Mapping[str, str]
) -> pl.DataFrame:
    """`region, date` of the public holidays of `frame`'s regions in the years its `ts` spans."""
    years = range(frame[S.TS].dt.year().min() - 1, frame[S.TS].dt.year().max() + 2)
    regions = {r: timezones.get(r, "UTC") for r in frame[S.REGION].unique().to_list()}
    return holiday_table(regions, calendars, years).unique()


def _near(frame: pl.DataFrame, hol: pl.DataFrame, shifts: tuple[int, ...]) -> pl.DataFrame:
    """Rows of `frame` whose UTC date is within a day of a holiday shifted by one of `shifts` days
    (a local date is never more than a day from the UTC one): all that local dates need to look at."""
    days = sorted({s + d for s in shifts for d in (-1, 0, 1)})
    wanted = pl.concat(
        hol.select(S.REGION, (pl.col("date") + pl.duration(days=d)).alias("_utc")) for d in days
    ).unique()
    rows = frame.with_columns(pl.col(S.TS).dt.date().alias("_utc")).join(
        wanted, on=[S.REGION, "_utc"], how="semi"
    )
    return rows.drop("_utc")


def _local(rows: pl.DataFrame, timezones: Mapping[str, str]) -> pl.DataFrame:
    """`rows` with local `date` and `hour` (the region's timezone; UTC when unknown)."""
    local = _local_naive(rows.select(S.REGION, S.TS), timezones, S.TS)
    return rows.with_columns(local.dt.date().alias("date"), local.dt.hour().cast(pl.Int8).alias("hour"))


def holiday_ratios(
    history: pl.DataFrame, timezones: Mapping[str, str], calendars: Mapping[str, str], value: str = S.VALUE
) -> pl.DataFrame:
    """`region, date, hour, holiday_effect`: each past holiday hour's load over the mean load at that
    hour on the same weekday a week before and a week after (those that are not holidays), less 1."""
    schema = {S.REGION: pl.String, "date": pl.Date, "hour": pl.Int8, EFFECT: pl.Float64}
    if history.is_empty() or not calendars:
        return pl.DataFrame(schema=schema)
    hol = _holidays(history, timezones, calendars)
    rows = _near(history.select(S.REGION, S.TS, pl.col(value).alias("_v")), hol, (0, *REFERENCE_DAYS))
    # A repeated autumn DST hour keeps its first value.
    days = _local(rows, timezones).unique([S.REGION, "date", "hour"], keep="first")
    days = days.join(hol.with_columns(pl.lit(True).alias("_hol")), on=[S.REGION, "date"], how="left")
    days = days.with_columns(pl.col("_hol").fill_null(False))
    refs = days.filter(~pl.col("_hol")).select(S.REGION, "date", "hour", "_v")
    ratios = days.filter(pl.col("_hol")).select(S.REGION, "date", "hour", "_v")
    for shift in REFERENCE_DAYS:
        shifted = refs.with_columns((pl.col("date") - pl.duration(days=shift)).alias("date"))
        shifted = shifted.rename({"_v": f"_ref{shift}"})
        ratios = ratios.join(shifted, on=[S.REGION, "date", "hour"], how="left")
    reference = pl.mean_horizontal(f"_ref{shift}" for shift in REFERENCE_DAYS)
    return (
        ratios.with_columns((pl.col("_v") / reference - 1.0).alias(EFFECT))
        .filter(pl.col(EFFECT).is_finite())
        .select(pl.col(S.REGION).cast(pl.String), "date", "hour", EFFECT)
    )


def holiday_effects(
    history: pl.DataFrame,
    timezones: Mapping[str, str],
    calendars: Mapping[str, str],
    value: str = S.VALUE,
    min_holidays: int = 3,
) -> pl.DataFrame:
    """`region, hour, holiday_effect`: median relative change of load on past holidays per local hour.

    Regions with fewer than `min_holidays` measurable holidays (both neighbours' weeks missing, or no
    calendar) get no rows, so no adjustment.
    """
    ratios = holiday_ratios(history, timezones, calendars, value)
    counted = ratios.group_by(S.REGION).agg(pl.col("date").n_unique().alias("_n"))
    return (
        ratios.join(counted, on=S.REGION)
        .filter(pl.col("_n") >= min_holidays)
        .group_by(S.REGION, "hour")
        .agg(pl.col(EFFECT).median())
        .select(S.REGION, "hour", EFFECT)
        .sort(S.REGION, "hour")
    )


def holiday_factor(
    rows: pl.DataFrame,
    effects: pl.DataFrame,
    timezones: Mapping[str, str],
    calendars: Mapping[str, str],
    ts: str = S.TS,
) -> pl.Series:
    """Per row of `rows` (`region, ts`), 1 + the region's holiday effect at that local hour on its
    public holidays, 1 elsewhere."""
    ones = pl.Series("_factor", [1.0] * rows.height, dtype=pl.Float64)
    if rows.is_empty() or effects.is_empty():
        return ones
    frame = rows.select(S.REGION, pl.col(ts).alias(S.TS)).with_row_index("_i")
    frame = frame.filter(pl.col(S.REGION).is_in(effects[S.REGION].unique().to_list()))
    if frame.is_empty():
        return ones
    hol = _holidays(frame, timezones, calendars)
    near = _local(_near(frame, hol, (0,)), timezones)
    scaled = (
        near.join(hol, on=[S.REGION, "date"], how="semi")
        .join(effects, on=[S.REGION, "hour"], how="inner")
        .select("_i", (1.0 + pl.col(EFFECT)).alias("_factor"))
    )
    return ones.scatter(scaled["_i"].to_numpy(), scaled["_factor"].to_numpy())
