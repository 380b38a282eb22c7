"""Backtest input: a long file (`--data`) or the store at a table version, plus operator vintages.

The target is `region, ts, value`; the operator's day-ahead forecast, where the data holds it, is
`region, ts, issued_at, value` (series `operator_forecast`). Headroom keeps its three components
(`series, region, ts, value`), since it is scored from their joint sample paths; its observed
value is capacity - grid_load - ai_demand. Where the data came from is recorded: the file's path,
or the observations table version read; its `DataRef` lets a worker read its own regions again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import polars as pl

from forecast import schema as S
from forecast.errors import InvalidInputError, UserError
from forecast.evaluation.joint import COMPONENTS, headroom_actuals, split_components
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.store import Store, latest_observations, open_store

VALUE_NAMES = ("y", S.VALUE, "load_mw")
BACKTEST_TARGETS = (S.GRID_LOAD, S.AI_DEMAND, S.HEADROOM)


class NoDataError(UserError, ValueError):
    """The chosen data holds nothing to backtest."""


@dataclass(frozen=True)
class DataRef:
    """Where a backtest's data lives, small enough to send to a worker, which re-reads its regions.

    A file (`path`) or the store (`settings_json`, observations `version`: every task reads the
    same Delta version); `days` repeats `last_days`.
    """

    target: str
    path: str | None = None
    settings_json: str | None = None
    version: int | None = None
    days: int | None = None


@dataclass(frozen=True)
class BacktestData:
    """The target series, the operator's vintages (maybe empty) and where they came from."""

    frame: pl.DataFrame  # region, ts, value
    vintages: pl.DataFrame  # region, ts, issued_at, value
    source: dict  # {"path": ...} or {"table_version": ...}
    calendars: dict[str, str] = field(default_factory=dict)
    timezones: dict[str, str] = field(default_factory=dict)
    components: pl.DataFrame | None = None  # series, region, ts, value (headroom only)
    ref: DataRef | None = None  # how a worker reads its own regions again (None: built in memory)


def _empty_vintages() -> pl.DataFrame:
    return pl.DataFrame(
        schema={S.REGION: pl.String, S.TS: S.UTC_TS, S.ISSUED_AT: S.UTC_TS, S.VALUE: pl.Float64}
    )


def _utc(column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        return pl.col(column).str.to_datetime(time_zone="UTC").cast(S.UTC_TS)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        return pl.col(column).dt.replace_time_zone("UTC").cast(S.UTC_TS)
    return pl.col(column).dt.convert_time_zone("UTC").cast(S.UTC_TS)


def _headroom(components: pl.DataFrame, where: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(observed headroom, components) from long rows with a `series` column."""
    found = set(components[S.SERIES].unique().to_list()) if S.SERIES in components.columns else set()
    missing = [c for c in COMPONENTS if c not in found]
    if missing:
        raise NoDataError(
            f"{where}: --target headroom is scored from its components; series {missing} are missing"
            f" (found {sorted(map(str, found - {None}))})"
        )
    rows = components.filter(pl.col(S.SERIES).is_in(COMPONENTS)).drop_nulls(S.VALUE)
    rows = rows.select(S.SERIES, S.REGION, S.TS, S.VALUE).sort(S.SERIES, S.REGION, S.TS)
    return headroom_actuals(split_components(rows)), rows


def read_data_file(
    path: Path, target: str = S.GRID_LOAD, regions: Sequence[str] | None = None
) -> BacktestData:
    """A long CSV or Parquet file: `region, ts` and a value column `y`, `value` or `load_mw`.

    With a `series` column, rows of series `target` (or null) are the target and rows of series
    `operator_forecast` with an `issued_at` are the operator's vintages. `--target headroom`
    needs series `capacity`, `grid_load` and `ai_demand`.
    """
    if not path.is_file():
        raise FileNotFoundError(f"--data {path}: no such file")
    lazy = (
        pl.scan_parquet(path)
        if path.suffix.lower() in (".parquet", ".pq")
        else pl.scan_csv(path, infer_schema=False)
    )
    schema = lazy.collect_schema()
    value = next((c for c in VALUE_NAMES if c in schema), None)
    if value is None or S.REGION not in schema or S.TS not in schema:
        raise S.MissingColumnsError(f"--data {path}", [S.REGION, S.TS, "y|value|load_mw"], schema.names())
    rows = lazy.select(
        pl.col(S.REGION).cast(pl.String),
        _utc(S.TS, schema[S.TS]),
        pl.col(value).cast(pl.Float64).alias(S.VALUE),
        *([pl.col(S.SERIES).cast(pl.String)] if S.SERIES in schema else []),
        *([_utc(S.ISSUED_AT, schema[S.ISSUED_AT]).alias(S.ISSUED_AT)] if S.ISSUED_AT in schema else []),
    )
    if regions:
        rows = rows.filter(pl.col(S.REGION).is_in(list(regions)))
    rows = rows.collect()
    ref = DataRef(target, path=str(path.resolve()))
    vintages = _empty_vintages()
    if S.SERIES in rows.columns and S.ISSUED_AT in rows.columns:
        vintages = (
            rows.filter(pl.col(S.SERIES) == S.OPERATOR_FORECAST)
            .select(S.REGION, S.TS, S.ISSUED_AT, S.VALUE)
            .drop_nulls()
        )
    if target == S.HEADROOM:
        frame, components = _headroom(rows, f"--data {path}")
        return BacktestData(frame, vintages, {"path": str(path)}, components=components, ref=ref)
    if S.SERIES in rows.columns:
        rows = rows.filter(pl.col(S.SERIES).is_null() | (pl.col(S.SERIES) == target))
    frame = rows.select(S.REGION, S.TS, S.VALUE).sort(S.REGION, S.TS)
    if frame.height == 0:
        raise NoDataError(f"--data {path}: no rows" + (f" for regions {list(regions)}" if regions else ""))
    return BacktestData(frame, vintages, {"path": str(path)}, ref=ref)


def _series(observations: pl.LazyFrame, name: str, regions: Sequence[str] | None) -> pl.LazyFrame:
    lazy = observations.filter(pl.col(S.SERIES) == name)
    if regions:
        lazy = lazy.filter(pl.col(S.REGION).is_in(list(regions)))
    return latest_observations(lazy)


def read_store_data(
    store: Store,
    settings: Settings,
    target: str = S.GRID_LOAD,
    regions: Sequence[str] | None = None,
    version: int | None = None,
) -> BacktestData:
    """The target (headroom = capacity - grid_load - ai_demand) and operator vintages at `version`."""
    if target not in BACKTEST_TARGETS:
        raise InvalidInputError(
            f"--target must be one of {', '.join(BACKTEST_TARGETS)} or queue, not {target!r}"
        )
    current = store.version("observations")
    if current is None:
        raise NoDataError(
            "the store has no observations: load data with `headroom demo` or `headroom ingest`"
        )
    used = current if version is None else version
    if used > current or used < 0:
        raise InvalidInputError(f"--as-of {version}: observations has versions 0 to {current}")
    obs = store.scan("observations", used)

    def values(name: str) -> pl.LazyFrame:
        return _series(obs, name, regions).select(S.REGION, S.TS, S.VALUE)

    components = None
    if target == S.HEADROOM:
        long = pl.concat(
            [values(c).select(pl.lit(c).alias(S.SERIES), S.REGION, S.TS, S.VALUE) for c in COMPONENTS]
        ).collect()
        frame, components = _headroom(long, f"store version {used}") if long.height else (long, None)
    else:
        frame = values(target).sort(S.REGION, S.TS).collect()
    if frame.height == 0:
        raise NoDataError(
            f"no {target} observations at version {used}" + (f" for {list(regions)}" if regions else "")
        )
    vintages = _empty_vintages()
    if target == S.GRID_LOAD:
        vintages = (
            _series(obs, S.OPERATOR_FORECAST, regions)
            .select(S.REGION, S.TS, S.ISSUED_AT, S.VALUE)
            .drop_nulls()
            .collect()
        )
    catalog = load_catalog(settings)
    return BacktestData(
        frame,
        vintages,
        {"table_version": used},
        {r: c.holidays for r, c in catalog.items() if c.holidays},
        {r: c.timezone for r, c in catalog.items()},
        components,
        DataRef(target, settings_json=settings.model_dump_json(), version=used),
    )


def last_days(data: BacktestData, days: int) -> BacktestData:
    """Only each region's last `days` days (vintages of those hours too)."""
    ends = data.frame.drop_nulls(S.VALUE).group_by(S.REGION).agg(pl.col(S.TS).max().alias("_end"))

    def keep(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.join(ends, on=S.REGION)
            .filter(pl.col(S.TS) > pl.col("_end") - timedelta(days=days))
            .drop("_end")
        )

    return BacktestData(
        keep(data.frame),
        keep(data.vintages),
        {**data.source, "last_days": days},
        data.calendars,
        data.timezones,
        None if data.components is None else keep(data.components),
        None if data.ref is None else replace(data.ref, days=min(days, data.ref.days or days)),
    )


def read_ref(ref: DataRef, regions: Sequence[str]) -> BacktestData:
    """Only `regions` of the data `ref` names, read again (in a worker: lazy scan, then filter)."""
    if ref.path is not None:
        data = read_data_file(Path(ref.path), ref.target, regions)
    else:
        settings = Settings.model_validate_json(ref.settings_json or "{}")
        data = read_store_data(open_store(settings), settings, ref.target, regions, ref.version)
    return data if ref.days is None else last_days(data, ref.days)


def select_regions(data: BacktestData, regions: Sequence[str]) -> BacktestData:
    """Only `regions` of data already in memory (what `read_ref` reads, without reading)."""

    def keep(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col(S.REGION).is_in(list(regions)))

    components = None if data.components is None else keep(data.components)
    return replace(data, frame=keep(data.frame), vintages=keep(data.vintages), components=components)
