"""Reads the shipped region catalog and the regions added at run time under HEADROOM_HOME."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import tomli_w

from forecast.catalog import CatalogError, Region, parse_catalog, region_entry
from pipelines.config.settings import Settings


def read_catalog_file(path: Path) -> dict[str, Region]:
    """Regions of one TOML catalog file; a missing file holds none."""
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError("<file>", str(path), f"not valid TOML: {exc}") from None
    entries = doc.get("region", [])
    if not isinstance(entries, list):
        raise CatalogError("<file>", "region", "must be an array of tables ([[region]])")
    return parse_catalog(entries)


def load_catalog(settings: Settings) -> dict[str, Region]:
    """Shipped regions plus those added at run time; an added region may not shadow a shipped one."""
    shipped = read_catalog_file(settings.catalog)
    added = read_catalog_file(settings.user_catalog)
    for region_id in added.keys() & shipped.keys():
        raise CatalogError(region_id, "id", f"already defined in {settings.catalog}")
    return {**shipped, **added}


def add_regions(settings: Settings, regions: Iterable[Region]) -> None:
    """Add or replace regions in the run-time catalog (written atomically)."""
    current = read_catalog_file(settings.user_catalog)
    current.update({r.id: r for r in regions})
    settings.user_catalog.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings.user_catalog.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps({"region": [region_entry(r) for r in current.values()]}))
    tmp.replace(settings.user_catalog)
