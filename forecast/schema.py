"""Column names, series names and table schemas shared by every layer, with one boundary check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from forecast.errors import UserError

# Columns of the long format (Nixtla: region -> unique_id, ts -> ds, value -> y).
REGION = "region"
SERIES = "series"
TS = "ts"
VALUE = "value"
UNIT = "unit"
SOURCE = "source"
INGESTED_AT = "ingested_at"
ISSUED_AT = "issued_at"
TARGET = "target"
QUANTILE = "quantile"
MODEL_VERSION = "model_version"
MODEL = "model"
CUTOFF = "cutoff"
SAMPLE = "sample"

# Columns of prediction and scoring frames (Nixtla: y, yhat).
Y = "y"  # the observed value a forecast is scored against
YHAT = "yhat"  # the point forecast (the median)
K = "k"  # index of a forecast origin (a calibration origin or a holdout fold)
ORIGIN = "origin"  # the last hour known at that origin
STEP = "step"  # hours from the origin or cutoff to ts (1 = first forecast hour)
SCALE = "scale"  # the MASE denominator: in-sample seasonal-naive MAE

# Series kept in the observations table; canonical unit MW (degC for temperature).
GRID_LOAD = "grid_load"
AI_DEMAND = "ai_demand"
CAPACITY = "capacity"
TEMPERATURE = "temperature"
OPERATOR_FORECAST = "operator_forecast"
HEADROOM = "headroom"
SERIES_NAMES = (GRID_LOAD, AI_DEMAND, CAPACITY, TEMPERATURE, OPERATOR_FORECAST)
TARGETS = (GRID_LOAD, AI_DEMAND, CAPACITY, HEADROOM)

UTC_TS = pl.Datetime("us", "UTC")

OBSERVATIONS = {
    REGION: pl.String,
    SERIES: pl.String,
    TS: UTC_TS,
    VALUE: pl.Float64,
    UNIT: pl.String,
    SOURCE: pl.String,
    ISSUED_AT: UTC_TS,
    INGESTED_AT: UTC_TS,
}
QUARANTINE = {
    "batch_id": pl.String,
    "row": pl.Int64,
    "raw": pl.String,
    "field": pl.String,
    "reason": pl.String,
    SOURCE: pl.String,
    INGESTED_AT: UTC_TS,
}
QUEUE_REQUESTS = {
    REGION: pl.String,
    "request_id": pl.String,
    "kind": pl.String,
    "mw": pl.Float64,
    "requested_on": pl.Date,
    "status": pl.String,
    "in_service_on": pl.Date,
    "withdrawn_on": pl.Date,
    SOURCE: pl.String,
}
FORECASTS = {
    REGION: pl.String,
    TARGET: pl.String,
    ISSUED_AT: UTC_TS,
    TS: UTC_TS,
    QUANTILE: pl.Float64,
    VALUE: pl.Float64,
    MODEL_VERSION: pl.String,
}
# Joint hourly headroom sample paths of each published issue (issue #18: placing flexible compute).
HEADROOM_PATHS = {
    REGION: pl.String,
    ISSUED_AT: UTC_TS,
    MODEL_VERSION: pl.String,
    SAMPLE: pl.Int32,
    TS: UTC_TS,
    VALUE: pl.Float32,
}
# Capacity basis of each region in each published issue (issue #17): capacity_series or seasonal_peak.
HEADROOM_BASIS = {
    REGION: pl.String,
    ISSUED_AT: UTC_TS,
    "basis": pl.String,
}
# Planned capacity additions (mw > 0) and retirements (mw < 0) per region, fed into the outlook.
CAPACITY_PLAN = {
    "id": pl.String,
    REGION: pl.String,
    "mw": pl.Float64,
    "from_date": pl.Date,
    "note": pl.String,
    "added_at": UTC_TS,
}
RUNS = {
    "run_id": pl.String,
    "job": pl.String,
    "started_at": UTC_TS,
    "finished_at": UTC_TS,
    "status": pl.String,
    "error": pl.String,
    "figures": pl.String,
}
TABLES: dict[str, Mapping[str, pl.DataType]] = {
    "observations": OBSERVATIONS,
    "quarantine": QUARANTINE,
    "queue_requests": QUEUE_REQUESTS,
    "forecasts": FORECASTS,
    "runs": RUNS,
    "headroom_paths": HEADROOM_PATHS,
    "headroom_basis": HEADROOM_BASIS,
    "capacity_plan": CAPACITY_PLAN,
}
QUEUE_KINDS = ("load", "generation")
QUEUE_STATUSES = ("active", "in_service", "withdrawn")


class MissingColumnsError(UserError, ValueError):
    """A frame lacks columns that a boundary requires."""

    def __init__(self, where: str, expected: Iterable[str], found: Iterable[str]) -> None:
        self.where = where
        self.expected = list(expected)
        self.found = list(found)
        missing = [c for c in self.expected if c not in self.found]
        super().__init__(
            f"{where}: missing column(s) {missing}; expected {self.expected}, found {self.found}"
        )


def require_columns(frame: pl.DataFrame | pl.LazyFrame, columns: Iterable[str], where: str) -> None:
    """Raise MissingColumnsError unless every one of `columns` is in `frame`."""
    found = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    wanted = list(columns)
    if any(c not in found for c in wanted):
        raise MissingColumnsError(where, wanted, found)


def conform(frame: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast `frame` to `schema`; columns absent from the frame are filled with nulls."""
    exprs = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(exprs)


def empty(schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given schema."""
    return pl.DataFrame(schema=dict(schema))
