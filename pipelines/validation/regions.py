"""Source identifiers (EIA balancing authority, ENTSO-E bidding zone, ...) to catalog regions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from forecast.catalog import Region

# Prefixes of the shared long files (`EIA930_PJM-DOM`, `ERCOT_FWEST`, ...) and the catalog
# source keys the rest of the name is looked up in.
PREFIX_KEYS = {
    "ERCOT": ("ercot_weather_zone",),
    "ENTSOE": ("entsoe_bidding_zone", "entsoe_eic"),
    "NORDPOOL": ("nordpool_area",),
    "PJM": ("pjm_zone",),
}


@dataclass(frozen=True)
class RegionMap:
    """Identifier -> region id; identifiers absent from `mapping` go to `override` (or nowhere)."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    override: str | None = None
    # Known identifiers that measure a larger area than any region they could map to (the PJM
    # balancing authority for a region measured at the PJM-DOM sub-BA): never mapped, and not
    # sent to `override` either, so they cannot clash with the finer series.
    larger: frozenset[str] = frozenset()

    def ids(self) -> list[str]:
        """Every region id an identifier can map to, sorted."""
        return sorted({*self.mapping.values(), self.override} - {None})

    def get(self, ident: str) -> str | None:
        """Region id of one identifier."""
        if ident in self.larger:
            return None
        return self.mapping.get(ident, self.override)


def source_map(catalog: Mapping[str, Region], keys: Iterable[str], override: str | None = None) -> RegionMap:
    """Map the identifiers that catalog regions declare under `keys` (first key wins on a clash)."""
    mapping: dict[str, str] = {}
    for key in keys:
        for region in catalog.values():
            ident = region.sources.get(key)
            if ident is not None:
                mapping.setdefault(ident, region.id)
    return RegionMap(mapping, override)


def eia_demand_map(catalog: Mapping[str, Region], override: str | None = None) -> RegionMap:
    """EIA-930 demand: sub-BAs map to their region; a BA maps only where no sub-BA is declared."""
    mapping = dict(source_map(catalog, ("eia930_subregion",)).mapping)
    larger: set[str] = set()
    for region in catalog.values():
        ba = region.sources.get("eia930_ba")
        if ba is None:
            continue
        if "eia930_subregion" in region.sources:
            larger.add(ba)
        else:
            mapping.setdefault(ba, region.id)
    return RegionMap(mapping, override, frozenset(larger - mapping.keys()))


def long_map(
    catalog: Mapping[str, Region], idents: Iterable[str], override: str | None = None
) -> RegionMap:
    """Map the region column of a long file: a catalog id, a source identifier, or PREFIX_ident.

    A bare identifier is mapped only when exactly one region declares it (under any key).
    """
    by_value: dict[str, set[str]] = {}
    for region in catalog.values():
        for value in region.sources.values():
            by_value.setdefault(value, set()).add(region.id)
    mapping: dict[str, str] = {}
    larger: set[str] = set()
    for ident in idents:
        if ident is None:
            continue
        if ident in catalog:
            mapping[ident] = ident
            continue
        prefix, _, rest = ident.partition("_")
        if prefix.upper() == "EIA930" and rest:
            eia = eia_demand_map(catalog)
            if rest in eia.larger:
                larger.add(ident)
                continue
            if rest in eia.mapping:
                mapping[ident] = eia.mapping[rest]
                continue
        keys = PREFIX_KEYS.get(prefix.upper())
        # `PJM_DOM_kaggle`: try the rest, then its first token.
        for candidate in (rest, rest.split("_")[0]):
            found = source_map(catalog, keys).mapping.get(candidate) if keys and candidate else None
            if found is not None:
                mapping[ident] = found
                break
        if ident in mapping:
            continue
        owners = by_value.get(ident, set())
        if len(owners) == 1:
            mapping[ident] = next(iter(owners))
    return RegionMap(mapping, override, frozenset(larger))
