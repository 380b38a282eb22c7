"""Provenance of a planning answer: per input series, where its rows came from and how fresh they are."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from forecast import schema as S

QUEUE = "queue_requests"
SYNTHETIC_MARK = "synthetic"


class Provenance(BaseModel):
    """One source of one input series of a region."""

    series: str = Field(description="grid_load, capacity, ai_demand or queue_requests.")
    source: str = Field(description="The store's `source` tag of these rows.")
    synthetic: bool = Field(description="True when the rows were generated, not measured or filed.")
    as_of: date | None = Field(description="Latest date the rows of this source carry.")
    rows: int = Field(description="Rows from this source.")


def is_synthetic(source: str) -> bool:
    """Generated rows are tagged `...synthetic` (the demo writes `demo:synthetic`)."""
    return SYNTHETIC_MARK in source.lower()


def summarise(frame: pl.DataFrame) -> list[Provenance]:
    """`series, source, as_of, rows` (rows: how many each line stands for) to one entry per pair."""
    S.require_columns(frame, ("series", S.SOURCE, "as_of", "rows"), "provenance")
    grouped = (
        frame.group_by("series", S.SOURCE)
        .agg(pl.col("as_of").max(), pl.col("rows").sum())
        .sort("series", S.SOURCE)
    )
    return [
        Provenance(
            series=row["series"],
            source=row[S.SOURCE] or "unknown",
            synthetic=is_synthetic(row[S.SOURCE] or ""),
            as_of=row["as_of"],
            rows=row["rows"],
        )
        for row in grouped.iter_rows(named=True)
    ]


def mixes_real_and_synthetic(entries: list[Provenance], series: str) -> bool:
    """True when one series draws on both synthetic and real sources."""
    kinds = {e.synthetic for e in entries if e.series == series}
    return kinds == {True, False}


def any_synthetic(entries: list[Provenance]) -> bool:
    """True when any input of the answer is synthetic."""
    return any(e.synthetic for e in entries)


OUTSIDE_MODEL = (
    "Figures describe the whole grid named here at its monthly peak; substation, feeder and "
    "transmission limits at a particular site are outside the model and need the utility's study."
)


class GridScale(BaseModel):
    """Which grid the figures describe and how big it is, so a MW figure can be read against it."""

    describes: str = Field(description="The grid the region's load series covers (zone, BA, weather zone).")
    peak_mw: float | None = Field(description="Approximate peak of that grid, MW (catalog).")
    outside_model: str = Field(default=OUTSIDE_MODEL, description="What these figures cannot see.")
    capacity_basis: str = Field(
        default="capacity_series",
        description="capacity_series (the region's capacity), or seasonal_peak (its own seasonal "
        "peak loads stand in: headroom is the margin below past peaks).",
    )


class AnswerMeta(BaseModel):
    """What every planning answer carries beside its figures: when, from what, and on which inputs."""

    issued_at: datetime | None = Field(None, description="When the outlook simulation behind it was made.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="The request, as understood.")
    provenance: list[Provenance] = Field(
        default_factory=list, description="Per input series and source: synthetic or not, and as-of date."
    )
    warnings: list[str] = Field(default_factory=list, description="What the reader must know to rely on it.")
    grid: GridScale | None = Field(None, description="Which grid the figures describe, and its size.")
