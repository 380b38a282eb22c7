"""Day-ahead forecasts as operators issue them: ours against the operator's own, by MAPE.

For local day D the forecast is issued at 09:00 UTC on D - 1 (so the newest hour known starts at
08:00 UTC) and scored on the hours of local day D (23 or 25 on DST days). Our default is fitted
at that origin as the service fits it (horizon 168, a year of history); the operator's figure
for each hour is its published day-ahead forecast (bench/operators.py). Days are spread over
the year like the main folds: per series, the newest day with both forecast and actuals, then
every `spacing` days back; the newest `per_year` days are the TEST year, the ones before them
the VALIDATION year.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import polars as pl
import realdata as rd
import scoring
from operators import OPERATOR_SERIES, day_ahead_forecasts

from forecast import schema as S

ISSUE_HOUR_UTC = 9
HISTORY_HOURS = 24 * 365 + 168


def day_cutoffs(
    operator: pl.DataFrame, data: pl.DataFrame, per_year: int, spacing: int, years
) -> pl.DataFrame:
    """`region, year, k, day, cutoff`: the scored local days and their issue origins."""
    rows = []
    both = operator.join(data.drop_nulls(S.VALUE), on=[S.REGION, S.TS], suffix="_y")
    for region, last in both.group_by(S.REGION).agg(pl.col(S.TS).max()).iter_rows():
        tz = rd.SERIES[region].timezone
        newest: date = last.astimezone(_zone(tz)).date() - timedelta(days=1)  # a whole local day
        for year_index, year in enumerate((rd.TEST, rd.VALIDATION)):
            if year not in years:
                continue
            for j in range(per_year):
                k = year_index * per_year + j
                day = newest - timedelta(days=spacing * k)
                issue = datetime.combine(day - timedelta(days=1), time(ISSUE_HOUR_UTC), tzinfo=_zone("UTC"))
                rows.append((region, year, k, day, issue - timedelta(hours=1)))
    return pl.DataFrame(
        rows,
        orient="row",
        schema={S.REGION: pl.String, "year": pl.String, "k": pl.Int64, "day": pl.Date, S.CUTOFF: S.UTC_TS},
    ).sort(S.REGION, "k")


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def local_day(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds `local_day`: the date of `ts` in its region's time zone."""
    parts = []
    for (region,), part in frame.group_by(S.REGION):
        tz = rd.SERIES[region].timezone
        parts.append(part.with_columns(pl.col(S.TS).dt.convert_time_zone(tz).dt.date().alias("local_day")))
    return pl.concat(parts)


def mape(frame: pl.DataFrame) -> pl.Expr:
    return ((pl.col("y") - pl.col("yhat")).abs() / pl.col("y")).mean() * 100


def day_ahead(params, years, per_year: int, spacing: int, cache) -> dict:
    """Score ours against the operators' day-ahead forecasts; print markdown tables; their rows."""
    from accuracy import run_origins

    operator = day_ahead_forecasts()
    data = rd.read_series(OPERATOR_SERIES)
    cutoffs = day_cutoffs(operator, data, per_year, spacing, years)
    print(
        f"\n### day-ahead: {cutoffs.height} region-days, issued {ISSUE_HOUR_UTC}:00 UTC the day before",
        flush=True,
    )
    preds, seconds = run_origins(
        "day-ahead", data, cutoffs.drop("day"), HISTORY_HOURS, 168, params, (), cache
    )
    print(f"  day-ahead: model seconds {seconds}", flush=True)
    ours = (
        local_day(preds.filter(pl.col(S.MODEL) == "default"))
        .join(cutoffs.select(S.REGION, S.CUTOFF, "day"), on=[S.REGION, S.CUTOFF])
        .filter(pl.col("local_day") == pl.col("day"))
    )
    scored = ours.join(
        operator.select(S.REGION, S.TS, pl.col(S.VALUE).alias("operator")), on=[S.REGION, S.TS]
    )
    per_day = scored.group_by(S.REGION, "year", "day").agg(
        mape(scored).alias("mape_ours"),
        ((pl.col("y") - pl.col("operator")).abs() / pl.col("y")).mean().mul(100).alias("mape_operator"),
        pl.len().alias("hours"),
    )
    out = {}
    for (year,), part in per_day.group_by("year", maintain_order=True):
        series = (
            part.group_by(S.REGION)
            .agg(pl.col("mape_ours").mean(), pl.col("mape_operator").mean(), pl.len().alias("days"))
            .sort(S.REGION)
        )
        total = part.select(
            pl.lit("ALL").alias(S.REGION),
            pl.col("mape_ours").mean(),
            pl.col("mape_operator").mean(),
            pl.len().alias("days"),
        )
        table = pl.concat([series, total]).with_columns(
            (pl.col("mape_ours") / pl.col("mape_operator")).alias("ratio")
        )
        print(
            f"\n#### day-ahead, {year.upper()} year: MAPE % of ours vs the operator's (goal ratio <= 0.85)\n"
        )
        print(scoring.markdown(table))
        out[year] = {
            "table": table.to_dicts(),
            "days": part.sort(S.REGION, "day").with_columns(pl.col("day").cast(pl.String)).to_dicts(),
        }
    return out
