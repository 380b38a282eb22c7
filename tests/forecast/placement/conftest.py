"""Tiny literal headroom paths for placement tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import polars as pl

from forecast import schema as S
from forecast.placement import HeadroomCube, headroom_cube

T0 = datetime(2026, 6, 15, 0, tzinfo=UTC)


def frame_of(paths: Mapping[str, Sequence[Sequence[float]]], t0: datetime = T0) -> pl.DataFrame:
    """A long path frame from {region: [path0 hours, path1 hours, ...]}."""
    rows = [
        (region, n, t0 + timedelta(hours=h), float(v))
        for region, samples in paths.items()
        for n, path in enumerate(samples)
        for h, v in enumerate(path)
    ]
    return pl.DataFrame(rows, schema={S.REGION: pl.String, S.SAMPLE: pl.Int32, S.TS: S.UTC_TS,
                                      S.VALUE: pl.Float64}, orient="row")


def cube_of(paths: Mapping[str, Sequence[Sequence[float]]], t0: datetime = T0) -> HeadroomCube:
    return headroom_cube(frame_of(paths, t0), issued_at=t0, model_version="test-v1")
