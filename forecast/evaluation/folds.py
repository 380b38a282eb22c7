"""Rolling forecast origins: the last K windows of H hours, moved back by S hours each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from forecast import schema as S
from forecast.errors import InvalidInputError


@dataclass(frozen=True)
class Fold:
    """One origin: train on ts <= cutoff, score the `horizon` hours after it."""

    index: int
    cutoff: datetime
    horizon: int


def fold_cutoffs(last_ts: datetime, horizon: int, n_folds: int, step: int) -> list[Fold]:
    """The last `n_folds` origins of a series ending at `last_ts`, oldest first.

    The newest fold's window ends exactly at `last_ts`; each older one starts `step` hours earlier.
    """
    if horizon < 1 or n_folds < 1 or step < 1:
        raise InvalidInputError(f"horizon, folds and step must be >= 1, got {horizon}, {n_folds}, {step}")
    newest = last_ts - timedelta(hours=horizon)
    return [
        Fold(i, newest - timedelta(hours=step * (n_folds - 1 - i)), horizon) for i in range(n_folds)
    ]


def region_cutoffs(frame: pl.DataFrame, horizon: int, n_folds: int, step: int) -> pl.DataFrame:
    """`region, fold, cutoff` with each region's folds set from its own last hour (oldest fold 0).

    Series that end at different times (sources published to different dates) are each scored on
    their own newest windows, as statsforecast and mlforecast do.
    """
    S.require_columns(frame, (S.REGION, S.TS), "region_cutoffs")
    rows = [
        (region, fold.index, fold.cutoff)
        for region, last in frame.group_by(S.REGION).agg(pl.col(S.TS).max()).iter_rows()
        for fold in fold_cutoffs(last, horizon, n_folds, step)
    ]
    return pl.DataFrame(
        rows, schema={S.REGION: pl.String, "fold": pl.Int64, S.CUTOFF: S.UTC_TS}, orient="row"
    ).sort(S.REGION, "fold")


def split_regions(
    frame: pl.DataFrame, cutoffs: pl.DataFrame, horizon: int, window: int | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(train, test) with one cutoff per region (`region, cutoff`); both keep a `cutoff` column."""
    keyed = frame.join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)
    train = keyed.filter(pl.col(S.TS) <= pl.col(S.CUTOFF))
    if window is not None:
        train = train.filter(pl.col(S.TS) > pl.col(S.CUTOFF) - timedelta(hours=window))
    test = keyed.filter(
        (pl.col(S.TS) > pl.col(S.CUTOFF)) & (pl.col(S.TS) <= pl.col(S.CUTOFF) + timedelta(hours=horizon))
    )
    return train, test
