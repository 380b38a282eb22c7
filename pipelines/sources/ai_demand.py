"""AI (data-centre) demand per region in long format, metered or contracted.

Columns `region, ts, value[, unit]` and `kind` (`metered` or `contracted`). Contracted or
pipeline load is series `ai_demand` (it adds to grid load in headroom); metered load is already
inside the grid's own metering, so it is kept as `ai_demand_metered` and never subtracted twice.
A row with another kind is quarantined as unknown_series.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecast import schema as S
from pipelines.sources.base import Adapted, Catalog, SourceFormatError
from pipelines.sources.long import adapt_long, scan_table
from pipelines.validation.checks import AI_DEMAND_METERED

KINDS = {"contracted": S.AI_DEMAND, "pipeline": S.AI_DEMAND, "metered": AI_DEMAND_METERED}


def read_ai_demand(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """A data-centre load file with a `kind` column."""
    frame = scan_table(path)
    names = frame.collect_schema().names()
    if "kind" not in names:
        raise SourceFormatError(path, "a 'kind' column (metered or contracted)", f"columns {names}")
    series = pl.col("kind").cast(pl.String).str.strip_chars().str.to_lowercase()
    frame = frame.with_columns(
        series.replace_strict(KINDS, default=pl.concat_str(pl.lit("ai_demand:"), series)).alias(S.SERIES)
    )
    adapted = adapt_long(frame, catalog, path.name, None, region, f"ai-demand:{path.name}")
    return adapted
