"""Generic long format: CSV, Parquet or NDJSON with `region, series, ts, value[, unit]`.

Also reads the Nixtla layout `unique_id, ds, y` (series from `--series`) and the shared long
files `region, ts, load_mw` (series grid_load, unit MW). Timestamps are ISO 8601; one without an
offset is read as UTC.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecast import schema as S
from pipelines.sources.base import Adapted, Catalog, SourceFormatError, as_utc, with_row
from pipelines.validation import long_map
from pipelines.validation.checks import IDENT, PROBLEM, PROBLEM_FIELD, RAW

REGION_ALIASES = (S.REGION, "unique_id")
TS_ALIASES = (S.TS, "ds", "datetime", "timestamp")
# value column -> unit it implies (None: the unit column or MW)
VALUE_ALIASES = {S.VALUE: None, "y": None, "load_mw": "MW", "mw": "MW", "value_mw": "MW"}
SUFFIXES = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
            ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "ndjson"}


def scan_table(path: Path) -> pl.LazyFrame:
    """Lazy view of a CSV (text columns), Parquet or NDJSON file, chosen by suffix."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = suffixes[-1:] == [".gz"] and len(suffixes) > 1
    kind = SUFFIXES.get(suffixes[-2] if gz else path.suffix.lower())
    if kind == "parquet":
        return pl.scan_parquet(path)
    if kind == "ndjson":
        return pl.read_ndjson(path, infer_schema_length=None).lazy()
    if kind == "csv":
        sep = "\t" if ".tsv" in suffixes else ","
        if suffixes[-1:] == [".gz"]:
            return pl.read_csv(path, separator=sep, infer_schema=False).lazy()
        # Values stay text so that `n/e` or `1,234` reach validation instead of failing the read.
        return pl.scan_csv(path, separator=sep, infer_schema=False)
    expected = "a .csv, .tsv, .parquet, .ndjson or .jsonl file"
    raise SourceFormatError(path, expected, path.suffix or "no suffix")


def _pick(names: list[str], aliases: tuple[str, ...] | dict, what: str, where: str) -> str:
    lowered = {n.lower(): n for n in names}
    for alias in aliases:
        if alias in lowered:
            return lowered[alias]
    raise SourceFormatError(where, f"a {what} column (one of {list(aliases)})", f"columns {names}")


def adapt_long(
    frame: pl.LazyFrame, catalog: Catalog, where: str, series: str | None = None,
    region: str | None = None, source: str = "long", unit_required: bool = False,
) -> Adapted:
    """Long rows to the validation contract; `series`/`region` fill what the file lacks."""
    schema = frame.collect_schema()
    names = schema.names()
    # Readers rename a repeated header (`value_duplicated_0`) and names may differ only in case:
    # either way it is unclear which column holds the data, so the file is refused.
    repeated = sorted({n.split("_duplicated_")[0] for n in names if "_duplicated_" in n} | {
        n.lower() for n in names if [m.lower() for m in names].count(n.lower()) > 1
    })
    if repeated:
        raise SourceFormatError(where, "each column once", f"repeated column(s) {repeated}")
    ts_col = _pick(names, TS_ALIASES, "timestamp", where)
    value_col = _pick(names, VALUE_ALIASES, "value", where)
    lowered = {n.lower(): n for n in names}
    region_col = next((lowered[a] for a in REGION_ALIASES if a in lowered), None)
    if region_col is None and region is None:
        raise SourceFormatError(where, "a region (or unique_id) column, or --region", f"columns {names}")
    series_col = lowered.get(S.SERIES)
    if series_col is None and series is None and value_col.lower() not in ("load_mw", "mw", "value_mw"):
        raise SourceFormatError(where, "a series column, or --series", f"columns {names}")
    implied_unit = VALUE_ALIASES[value_col.lower()]
    unit_col = lowered.get(S.UNIT)
    issued_col = lowered.get(S.ISSUED_AT)
    ident = pl.col(region_col).cast(pl.String) if region_col else pl.lit(region, dtype=pl.String)
    series_expr = (
        pl.lit(series) if series is not None
        else pl.col(series_col).cast(pl.String) if series_col else pl.lit(S.GRID_LOAD)
    )
    unit = (
        pl.col(unit_col).cast(pl.String) if unit_col
        else pl.lit(implied_unit, dtype=pl.String)
    )
    sample = frame.select(ts_col, *([issued_col] if issued_col else [])).head(1000).collect()
    issued = (
        as_utc(pl.col(issued_col), schema[issued_col], sample[issued_col].drop_nulls()) if issued_col
        else pl.lit(None, dtype=S.UTC_TS)
    )
    value = pl.col(value_col)
    if not schema[value_col].is_numeric():
        value = value.cast(pl.String)
    out = with_row(frame).select(
        "row",
        pl.struct([pl.col(n) for n in names]).alias(RAW),
        ident.alias(IDENT),
        series_expr.alias(S.SERIES),
        as_utc(pl.col(ts_col), schema[ts_col], sample[ts_col].drop_nulls()).alias(S.TS),
        value.alias(S.VALUE),
        unit.alias(S.UNIT),
        issued.alias(S.ISSUED_AT),
    )
    if unit_col is not None and unit_required:  # files; an API record may omit its unit (MW)
        out = out.with_columns(*_missing_unit())
    idents = (
        frame.select(pl.col(region_col).cast(pl.String).unique()).collect().to_series().to_list()
        if region_col else []
    )
    mapping = long_map(catalog, idents, region)
    return Adapted(out, mapping, source)


def _missing_unit() -> list[pl.Expr]:
    """With a unit column, a row without a unit (a line cut short, say) is not guessed to be MW;
    a row whose timestamp is already unreadable keeps that reason."""
    empty = (pl.col(S.UNIT).str.strip_chars().fill_null("") == "") & pl.col(S.TS).is_not_null()
    return [
        pl.when(empty).then(pl.lit("missing_unit")).alias(PROBLEM),
        pl.when(empty).then(pl.lit(S.UNIT)).alias(PROBLEM_FIELD),
    ]


def read_long(
    path: Path, catalog: Catalog, series: str | None = None, region: str | None = None
) -> Adapted:
    """Read a long-format file."""
    return adapt_long(
        scan_table(path), catalog, path.name, series, region, f"long:{path.name}", unit_required=True
    )
