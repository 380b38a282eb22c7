"""Local wall-clock stamps to UTC, with one documented rule for repeated and missing DST hours.

Rule (docs/ingestion.md, "Time"):
- A label that occurs twice on the autumn change (the repeated hour) is read in file order: the
  first occurrence is the earlier instant (summer time), the second the later (standard time).
  ERCOT marks the second one with a `DST` suffix; the files without a marker repeat the label.
- A label that does not exist on the spring change (the skipped hour) is quarantined as
  `nonexistent_local_time`: the operator cannot have measured an hour that did not happen.
- Hour-ending labels are turned into hour-beginning instants by subtracting one hour *after*
  converting to UTC, so that `03:00` on the spring-change day (the hour that began at 01:00
  standard time) lands on the right instant.
"""

from __future__ import annotations

import polars as pl

from forecast import schema as S

NONEXISTENT = "nonexistent_local_time"
MALFORMED = "malformed_ts"


def occurrence(label: pl.Expr, *partition: str) -> pl.Expr:
    """0 for the first time a local label appears (within `partition`), 1 for the repeat, ..."""
    keys = [label, *[pl.col(p) for p in partition]]
    return label.cum_count().over(keys) - 1


def to_utc(
    naive: pl.Expr, timezone: str, occurrence: pl.Expr | None = None, hour_ending: bool = False
) -> pl.Expr:
    """UTC instant (start of the interval) of a naive local stamp; null where the hour does not exist.

    For hour-ending stamps the end is localized, then one hour subtracted; on the autumn day the
    repeated end label is the second `occ` (the hour that ended at the repeated wall time).
    """
    occ = occurrence if occurrence is not None else pl.lit(0)
    ambiguous = pl.when(occ == 0).then(pl.lit("earliest")).otherwise(pl.lit("latest"))
    if hour_ending:
        # The repeated hour's end label is the wall time reached twice; its start is ambiguous.
        # Localize the start (label - 1h) when it exists, else the end (spring day) minus 1 hour.
        start = (naive - pl.duration(hours=1)).dt.replace_time_zone(
            timezone, ambiguous=ambiguous, non_existent="null"
        )
        end = naive.dt.replace_time_zone(timezone, ambiguous=ambiguous, non_existent="null")
        utc = pl.coalesce(start, end - pl.duration(hours=1))
    else:
        utc = naive.dt.replace_time_zone(timezone, ambiguous=ambiguous, non_existent="null")
    return utc.dt.convert_time_zone("UTC").cast(S.UTC_TS)


def ts_problem(naive: pl.Expr, utc: pl.Expr) -> pl.Expr:
    """Why a stamp has no UTC instant: malformed text, or a local hour that does not exist."""
    return (
        pl.when(naive.is_null())
        .then(pl.lit(MALFORMED))
        .when(utc.is_null())
        .then(pl.lit(NONEXISTENT))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
