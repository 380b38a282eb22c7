"""Adapters from the formats people download to the validation contract, and format detection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipelines.sources.base import Adapted, Catalog, SourceFormatError

FORMATS = ("auto", "long", "eia930", "entsoe", "pjm", "ercot", "nordpool", "ai-demand")


def detect_format(path: Path) -> str:
    """Guess a file's format from its suffix and first bytes (no file name is trusted as a path)."""
    suffix = path.suffix.lower()
    head = b""
    if suffix not in (".parquet", ".pq"):
        with path.open("rb") as handle:  # the first bytes only: a file may be gigabytes
            head = handle.read(4096)
    text = head.decode("utf-8", errors="replace")
    if suffix == ".xlsx":
        return "ercot"
    if suffix == ".xls" or text.lstrip().lower().startswith("<html"):
        return "nordpool"
    if suffix == ".xml" or "GL_MarketDocument" in text:
        return "entsoe"
    if suffix == ".json" and '"response"' in text:
        return "eia930"
    first = text.splitlines()[0] if text else ""
    if "Time (CET" in first or "Total Load" in first:
        return "entsoe"
    if "Balancing Authority" in first or "demand (MW)" in first:
        return "eia930"
    if "datetime_beginning_utc" in first or ("Datetime" in first and "_MW" in first):
        return "pjm"
    # A per-zone PJM file whose header a copy renamed to `ds,y` (PJME_hourly.csv).
    if first.strip() == "ds,y" and path.stem.upper().endswith("_HOURLY"):
        return "pjm"
    if "Hour Ending" in first:
        return "ercot"
    if "kind" in [c.strip().strip('"') for c in first.split(",")]:
        return "ai-demand"
    return "long"


def reader(fmt: str, path: Path) -> Callable[..., Adapted]:
    """The adapter function of a format (`auto` detects it)."""
    from pipelines.sources import ai_demand, eia930, entsoe, ercot, long, nordpool, pjm

    fmt = detect_format(path) if fmt == "auto" else fmt
    suffix = path.suffix.lower()
    table: dict[str, Callable[..., Adapted]] = {
        "long": long.read_long,
        "eia930": eia930.read_eia930_json if suffix == ".json" else eia930.read_eia930_csv,
        "entsoe": entsoe.read_entsoe_xml if suffix == ".xml" else entsoe.read_entsoe_csv,
        "pjm": pjm.read_pjm_csv,
        "ercot": ercot.read_ercot,
        "nordpool": nordpool.read_nordpool,
        "ai-demand": ai_demand.read_ai_demand,
    }
    if fmt not in table:
        raise SourceFormatError(path, f"a format among {list(FORMATS)}", repr(fmt))
    return table[fmt]


__all__ = ["FORMATS", "Adapted", "Catalog", "SourceFormatError", "detect_format", "reader"]
