"""Scores and markdown tables of the accuracy benchmark: MASE, coverage, pinball, ratio to best peer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from peers import PEERS

from forecast import schema as S
from forecast.evaluation import fold_metrics, seasonal_naive_scale, summarize
from forecast.features.calendar import holiday_flags

SEASON = 24
SCALE_HOURS = 24 * 365  # the MASE yardstick: seasonal-naive MAE over the year before each origin
COLUMNS = ("mase", "pinball", "coverage_80", "coverage_95")
OURS = "default"


def scales(data: pl.DataFrame, cutoffs: pl.DataFrame, hours: int = SCALE_HOURS) -> pl.DataFrame:
    """`region, cutoff, scale`: in-sample seasonal-naive MAE over the `hours` before each cutoff."""
    out = []
    parts = {r: p for (r,), p in data.drop_nulls(S.VALUE).group_by(S.REGION)}
    for region, cutoff in cutoffs.select(S.REGION, S.CUTOFF).unique().iter_rows():
        part = parts[region].filter(
            (pl.col(S.TS) <= cutoff) & (pl.col(S.TS) > cutoff - timedelta(hours=hours))
        )
        # on the hourly grid, so y(t - 24) is the value a day earlier even across gaps
        grid = (
            part.select(S.REGION, S.TS)
            .upsample(S.TS, every="1h")
            .with_columns(pl.lit(region).alias(S.REGION))
        )
        grid = grid.join(part, on=[S.REGION, S.TS], how="left").rename({S.VALUE: "y"})
        out.append(
            seasonal_naive_scale(grid, SEASON).with_columns(pl.lit(cutoff).cast(S.UTC_TS).alias(S.CUTOFF))
        )
    return pl.concat(out)


def per_fold(preds: pl.DataFrame, scale: pl.DataFrame, horizons) -> pl.DataFrame:
    """Fold metrics per `h, model, region, cutoff` for each scored horizon (its first h hours)."""
    stepped = preds.with_columns((pl.col(S.TS) - pl.col(S.CUTOFF)).dt.total_hours().alias("_step"))
    out = []
    for h in horizons:
        part = stepped.filter(pl.col("_step") <= h).drop("_step")
        out.append(
            fold_metrics(part, scale, by=(S.MODEL, S.REGION, S.CUTOFF)).with_columns(pl.lit(h).alias("h"))
        )
    return pl.concat(out)


def overall(folds: pl.DataFrame) -> pl.DataFrame:
    """Per model: mean over region-folds, and the MASE ratio to the best peer overall."""
    table = summarize(folds, by=(S.MODEL,)).select(S.MODEL, *COLUMNS, "folds").sort("mase")
    peers = table.filter(pl.col(S.MODEL).is_in(PEERS))
    best = peers["mase"].min() if peers.height else None
    return table.with_columns(
        (pl.col("mase") / best).alias("ratio_best_peer") if best else pl.lit(None).alias("ratio_best_peer")
    )


def per_series(folds: pl.DataFrame, model: str = OURS) -> pl.DataFrame:
    """Per series: `model`'s scores, the best peer there and the MASE ratio to it."""
    means = summarize(folds, by=(S.REGION, S.MODEL))
    ours = means.filter(pl.col(S.MODEL) == model).select(S.REGION, *COLUMNS, "folds")
    best = (
        means.filter(pl.col(S.MODEL).is_in(PEERS))
        .sort("mase")
        .group_by(S.REGION, maintain_order=True)
        .first()
        .select(
            S.REGION,
            pl.col(S.MODEL).alias("best_peer"),
            pl.col("mase").alias("peer_mase"),
            pl.col("pinball").alias("peer_pinball"),
        )
    )
    return (
        ours.join(best, on=S.REGION, how="left")
        .with_columns(
            (pl.col("mase") / pl.col("peer_mase")).alias("ratio_best_peer"),
            (pl.col("pinball") / pl.col("peer_pinball")).alias("pinball_ratio"),
        )
        .sort(S.REGION)
    )


def mase_matrix(folds: pl.DataFrame) -> pl.DataFrame:
    """MASE per series (rows) and model (columns)."""
    means = summarize(folds, by=(S.REGION, S.MODEL))
    return means.pivot(on=S.MODEL, index=S.REGION, values="mase").sort(S.REGION)


def markdown(frame: pl.DataFrame, digits: int = 3) -> str:
    """A GitHub markdown table of `frame` (floats rounded)."""

    def cell(v: object) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.{digits}f}" if abs(v) < 1000 else f"{v:.0f}"
        return str(v)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)


def goals(table: pl.DataFrame, model: str = OURS) -> str:
    """One line: `model` against the goals (MASE <= 0.90 x best peer; coverage 77-83 / 93-97)."""
    row = table.filter(pl.col(S.MODEL) == model)
    if not row.height:
        return f"(no {model} rows)"
    r = row.row(0, named=True)
    ratio = r["ratio_best_peer"]

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    peer = "no peer run" if ratio is None else f"{ratio:.3f} ({mark(ratio <= 0.90)}, goal <= 0.90)"
    return (
        f"{model}: MASE ratio to best peer {peer}; "
        f"coverage 80 % {r['coverage_80']:.1f} ({mark(77 <= r['coverage_80'] <= 83)}, goal 77-83); "
        f"coverage 95 % {r['coverage_95']:.1f} ({mark(93 <= r['coverage_95'] <= 97)}, goal 93-97)"
    )


def _covered(level: int) -> pl.Expr:
    """Per cent of rows whose actual lies in the central `level` % interval."""
    inside = (pl.col(f"lo_{level}") <= pl.col("y")) & (pl.col("y") <= pl.col(f"hi_{level}"))
    return 100 * inside.mean()


def _offset_changes(day: date, tz: str) -> bool:
    """True where the zone's UTC offset at the day's local midnight differs from the next one's."""
    zone = ZoneInfo(tz)
    start, end = (datetime.combine(d, datetime.min.time(), zone) for d in (day, day + timedelta(days=1)))
    return start.utcoffset() != end.utcoffset()


def day_kinds(
    preds: pl.DataFrame, scale: pl.DataFrame, calendars: Mapping[str, str], timezones: Mapping[str, str]
) -> pl.DataFrame:
    """Per model and kind of local day (public holiday, DST change day, other): hours, MAE, coverage.

    Hour-weighted over every scored hour (a fold holds few holidays): `mae_scaled` is the mean
    absolute error over the fold's MASE scale, so 1.0 is the seasonal-naive in-sample error.
    """
    scored = preds.drop_nulls("y")
    scored = scored.with_columns(holiday_flags(scored, timezones, calendars))
    dated = pl.concat([
        part.with_columns(
            pl.col(S.TS).dt.convert_time_zone(timezones.get(str(region), "UTC")).dt.date().alias("_date")
        )
        for (region,), part in scored.group_by(S.REGION)
    ])
    dst = pl.DataFrame(
        [
            (region, day, _offset_changes(day, timezones.get(str(region), "UTC")))
            for region, day in dated.select(S.REGION, "_date").unique().iter_rows()
        ],
        orient="row", schema={S.REGION: pl.String, "_date": pl.Date, "_dst": pl.Boolean},
    )
    kinds = dated.join(dst, on=[S.REGION, "_date"]).join(scale, on=[S.REGION, S.CUTOFF])
    kinds = kinds.with_columns(
        pl.when("holiday").then(pl.lit("public holiday"))
        .when("_dst").then(pl.lit("DST change day"))
        .otherwise(pl.lit("other day")).alias("day")
    )
    return (
        kinds.group_by(S.MODEL, "day")
        .agg(
            pl.len().alias("hours"),
            ((pl.col("y") - pl.col("yhat")).abs() / pl.col("scale")).mean().alias("mae_scaled"),
            *(_covered(level).alias(f"coverage_{level}") for level in (80, 95)),
        )
        .sort("day", S.MODEL)
    )
