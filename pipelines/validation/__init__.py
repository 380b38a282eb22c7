"""Validation of ingested rows: local time to UTC, region mapping, and the one set of checks."""

from pipelines.validation.checks import ADAPTER_COLUMNS, REASON_FIELDS, Validated, validate
from pipelines.validation.regions import RegionMap, eia_demand_map, long_map, source_map

__all__ = [
    "ADAPTER_COLUMNS", "REASON_FIELDS", "RegionMap", "Validated", "eia_demand_map", "long_map",
    "source_map", "validate",
]
