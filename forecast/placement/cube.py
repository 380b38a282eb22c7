"""Joint headroom sample paths as a dense regions x samples x hours cube, built once per issue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from forecast import schema as S

PATH_COLUMNS = (S.REGION, S.SAMPLE, S.TS, S.VALUE)


class UnalignedPathsError(ValueError):
    """The path frame cannot be laid out on common hours and samples; the message says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"headroom paths cannot be used for placement: {reason}; re-run the forecast")


@dataclass(frozen=True, eq=False)
class HeadroomCube:
    """Headroom MW as `values[region, sample, hour]`, hour h covering [start + h, start + h + 1 h).

    Sample i of every region comes from the same joint draw when the forecaster drew them so;
    `issued_at` and `model_version` identify the forecast issue and are echoed in every answer.
    """

    regions: tuple[str, ...] = field(metadata={"description": "Region ids, sorted; axis 0."})
    start: datetime = field(metadata={"description": "First hour of the horizon (UTC)."})
    values: np.ndarray = field(metadata={"description": "Headroom MW, float64, regions x samples x hours."})
    issued_at: datetime = field(metadata={"description": "When the forecast was issued."})
    model_version: str = field(metadata={"description": "Model version that drew the paths."})
    missing: int = field(
        default=0,
        metadata={"description": "Cells absent from the frame inside the common span (set to 0 MW)."},
    )

    @property
    def n_samples(self) -> int:
        return int(self.values.shape[1])

    @property
    def n_hours(self) -> int:
        return int(self.values.shape[2])

    @property
    def end(self) -> datetime:
        """End of the published horizon (exclusive)."""
        return self.start + timedelta(hours=self.n_hours)


def headroom_cube(paths: pl.DataFrame, issued_at: datetime, model_version: str) -> HeadroomCube:
    """Lay a long path frame `region, sample, ts, value` out as a cube, aligned on common hours.

    Alignment: the hours kept run from the latest first hour of any region to the earliest last
    hour of any region (the span every region covers), and only sample ids every region has are
    kept. A (region, sample, hour) inside that span with no value (absent, null or NaN) is set to
    0 MW of headroom and counted in `missing`: an hour with no forecast is never promised to a job
    (any positive MW fails there, and is wholly curtailed). Naive timestamps are read as UTC.
    """
    S.require_columns(paths, PATH_COLUMNS, "headroom_cube")
    ts = pl.col(S.TS)
    dtype = paths.schema[S.TS]
    if not isinstance(dtype, pl.Datetime):
        raise UnalignedPathsError(f"column {S.TS!r} is {dtype}, not a datetime")
    as_utc = ts.dt.replace_time_zone("UTC") if dtype.time_zone is None else ts.dt.convert_time_zone("UTC")
    frame = paths.select(
        pl.col(S.REGION), pl.col(S.SAMPLE), as_utc.dt.cast_time_unit("us"),
        pl.col(S.VALUE).cast(pl.Float64).fill_nan(None),
    ).drop_nulls([S.REGION, S.SAMPLE, S.TS])
    if frame.height == 0:
        raise UnalignedPathsError("the path frame is empty")
    if frame.select((ts.dt.epoch("us") % 3_600_000_000 != 0).any()).item():
        raise UnalignedPathsError("some timestamps are not at a whole hour")
    valued = frame.drop_nulls(S.VALUE)
    regions = tuple(sorted(valued[S.REGION].unique().to_list()))
    # Regions as integer codes: grouping 10^7 rows by a string key is what made this slow.
    coded = valued.select(pl.col(S.REGION).cast(pl.Enum(regions)).to_physical().alias("r"), S.SAMPLE, S.TS)
    spans = coded.group_by("r").agg(ts.min().alias("first"), ts.max().alias("last"))
    first, last = spans["first"].max(), spans["last"].min()
    if first is None or first > last:
        raise UnalignedPathsError(
            f"regions {list(regions)} share no hour (latest start {first}, earliest end {last})"
        )
    samples = _common_samples(coded["r"].to_numpy(), coded[S.SAMPLE].to_numpy(), len(regions))
    if not samples:
        raise UnalignedPathsError(f"regions {list(regions)} share no sample id")
    n_hours = int((last - first) / timedelta(hours=1)) + 1
    keep = frame.filter(ts.is_between(first, last) & pl.col(S.SAMPLE).is_in(samples)).drop_nulls(S.VALUE)
    index = keep.select(
        pl.col(S.REGION).cast(pl.Enum(regions)).to_physical().alias("r"),
        ((ts - first).dt.total_hours()).cast(pl.Int64).alias("h"),
        pl.col(S.SAMPLE),
        pl.col(S.VALUE),
    )
    shape = (len(regions), len(samples), n_hours)
    n = np.searchsorted(np.asarray(samples), index[S.SAMPLE].to_numpy())
    flat = (index["r"].to_numpy().astype(np.int64) * shape[1] + n) * n_hours + index["h"].to_numpy()
    size = int(np.prod(shape))
    if flat.size == size and (flat[1:] > flat[:-1]).all():
        values, missing = index[S.VALUE].to_numpy().reshape(shape).copy(), 0  # complete and sorted
    else:
        values, seen = np.zeros(size), np.zeros(size, dtype=bool)
        values[flat] = index[S.VALUE].to_numpy()
        seen[flat] = True
        values, missing = values.reshape(shape), size - int(np.count_nonzero(seen))
    values.setflags(write=False)
    return HeadroomCube(
        regions=regions, start=first, values=values, issued_at=issued_at,
        model_version=model_version, missing=missing,
    )


def _common_samples(region: np.ndarray, sample: np.ndarray, n_regions: int) -> list[int]:
    """Sample ids that every region has, sorted (a region x sample table of seen flags)."""
    low, high = int(sample.min()), int(sample.max())
    if high - low + 1 > 4 * sample.size // max(n_regions, 1) + 1024:  # sparse ids: sets instead
        by_region = [set(sample[region == r].tolist()) for r in range(n_regions)]
        return sorted(set.intersection(*by_region))
    seen = np.zeros((n_regions, high - low + 1), dtype=bool)
    seen[region.astype(np.int64), sample.astype(np.int64) - low] = True
    return (np.flatnonzero(seen.all(axis=0)) + low).tolist()
