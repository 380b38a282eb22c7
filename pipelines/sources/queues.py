"""Interconnection-queue files to `queue_requests` rows, with every rejected row and its reason.

Layouts read: the PJM planning-queue export (xlsx), the MISO interactive queue (csv), the ERCOT
GIS report (xlsx), the project's normalized queue csv, LBNL "Queued Up" and gridstatus-style
standardized tables. Region rule: a row whose ISO and transmission owner (PJM) or zone (ERCOT)
match a catalog region's sources gets that region (PJM + Dominion -> us-nova); every other row
is kept with the ISO as its region (`pjm`, `miso`, `ercot`), because those requests still inform
the pooled waiting-time models. Rows that cannot be placed in time are rejected, never dropped.

Longer than 300 lines because the six layouts are staged into one vocabulary (STAGED) side by
side, so that a reader compares how each ISO says "withdrawn" or "in service" on one screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from forecast import schema as S
from forecast.catalog import Region
from forecast.errors import InvalidInputError, UserError

STAGED = (
    "row",
    "iso",
    "request_id",
    "zone",
    "project_type",
    "mw",
    "requested_on",
    "status_raw",
    "status",
    "in_service_on",
    "withdrawn_on",
)
# Catalog source keys that name a queue's transmission owner or zone, per ISO.
ZONE_KEYS = {"PJM": ("pjm_transmission_owner", "pjm_zone"), "ERCOT": ("ercot_weather_zone",)}
# ERCOT's GIS report uses CDR reporting zones; its WEST zone spans the Far West and West weather
# zones, so it is read as the catalog's Far West region (an approximation, docs/planning.md).
ZONE_ALIASES = {"ERCOT": {"WEST": "FWEST", "FAR WEST": "FWEST", "FAR_WEST": "FWEST"}}
TRANSMISSION_TYPES = ("Long-Term Firm Transmission", "Merchant Transmission", "Upgrade Request")
PLACEHOLDER_DATES = ("1900-01-01",)  # ERCOT: "a 1-1-1900 date ... actual date not available"
LAYOUTS = ("pjm", "miso", "ercot", "normalized", "lbnl", "gridstatus")


class UnknownQueueLayoutError(UserError, ValueError):
    """A queue file whose columns match none of the known layouts."""

    def __init__(self, path: Path, found: list[str]) -> None:
        super().__init__(
            f"{path}: not a known queue layout ({', '.join(LAYOUTS)}); first columns found: "
            f"{found[:8]}; pass --layout to name it"
        )


@dataclass(frozen=True)
class QueueBatch:
    """Rows for `queue_requests` and the rejected source rows (row, raw, field, reason)."""

    requests: pl.DataFrame
    rejected: pl.DataFrame
    source: str


def parse_date(column: str) -> pl.Expr:
    """Dates written as ISO (with or without time/zone), US m/d/Y or Excel serials; placeholders null."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    serial = text.cast(pl.Float64, strict=False)
    parsed = pl.coalesce(
        text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        text.str.strptime(pl.Date, "%m/%d/%Y", strict=False),
        pl.when(serial.is_between(20000, 80000)).then(
            pl.lit("1899-12-30").str.to_date() + pl.duration(days=serial.cast(pl.Int64))
        ),
    )
    return pl.when(parsed.cast(pl.String).is_in(PLACEHOLDER_DATES)).then(None).otherwise(parsed)


def _number(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .cast(pl.String)
        .str.replace_all(",", "")
        .str.strip_chars()
        .cast(pl.Float64, strict=False)
    )


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars()


def _stage(frame: pl.DataFrame, iso: pl.Expr, exprs: Mapping[str, pl.Expr]) -> pl.DataFrame:
    return frame.with_row_index("row", offset=1).select(
        pl.col("row").cast(pl.Int64),
        iso.alias("iso"),
        *[exprs.get(c, pl.lit(None, dtype=pl.String)).alias(c) for c in STAGED[2:]],
    )


def stage_pjm(frame: pl.DataFrame) -> pl.DataFrame:
    """PJM planning-queue export (`Data` sheet): Submitted / Withdrawal / Actual In Service dates."""
    status = _text("Status")
    served = parse_date("Actual In Service Date")
    mapped = (
        pl.when(status == "In Service")
        .then(pl.lit("in_service"))
        .when(status.is_in(["Withdrawn", "Retracted", "Annulled", "Canceled"]))
        .then(pl.lit("withdrawn"))
        # Deactivated: a unit that reached service and later retired; partial service is service.
        .when(
            status.is_in(["Deactivated", "Partially in Service - Under Construction"]) & served.is_not_null()
        )
        .then(pl.lit("in_service"))
        .when(status == "Deactivated")
        .then(pl.lit("withdrawn"))
        .otherwise(pl.lit("active"))  # Active, Confirmed, Engineering..., Under Construction, Suspended
    )
    return _stage(
        frame,
        pl.lit("PJM"),
        {
            "request_id": _text("Project ID"),
            "zone": _text("Transmission Owner"),
            "project_type": _text("Project Type"),
            # Size = maximum facility output (else energy, else capacity MW): capacity MW is 0 for
            # many energy-only requests, which are still real interconnection requests.
            "mw": pl.coalesce(_number("MFO"), _number("MW Energy"), _number("MW Capacity")),
            "requested_on": parse_date("Submitted Date"),
            "status_raw": status,
            "status": mapped,
            "in_service_on": served,
            "withdrawn_on": parse_date("Withdrawal Date"),
        },
    )


def stage_miso(frame: pl.DataFrame) -> pl.DataFrame:
    """MISO interactive queue: no actual in-service date, so the negotiated one stands in for it."""
    request, post = _text("Request Status"), _text("Post GIA Status")
    mapped = (
        pl.when((request == "Withdrawn") | (post == "Withdrawn"))
        .then(pl.lit("withdrawn"))
        .when(post == "In Service")
        .then(pl.lit("in_service"))
        .otherwise(pl.lit("active"))
    )
    return _stage(
        frame,
        pl.lit("MISO"),
        {
            "request_id": _text("Project #"),
            "zone": _text("Transmission Owner"),
            "project_type": _text("Fuel"),
            "mw": _number("Summer MW"),
            "requested_on": parse_date("Queue Date"),
            "status_raw": request + "|" + post.fill_null(""),
            "status": mapped,
            "in_service_on": parse_date("Negotiated In Service Date"),
            "withdrawn_on": parse_date("Withdrawn Date"),
        },
    )


def stage_ercot(frame: pl.DataFrame) -> pl.DataFrame:
    """ERCOT GIS report, Large Gen details: screening start is the request; synchronization is service."""
    served = parse_date("Approved for Synchronization")
    return _stage(
        frame,
        pl.lit("ERCOT"),
        {
            "request_id": _text("INR"),
            "zone": _text("CDR Reporting Zone"),
            "project_type": _text("Fuel"),
            "mw": _number("Capacity (MW)"),
            "requested_on": parse_date("Screening Study Started"),
            "status_raw": _text("GIM Study Phase"),
            "status": pl.when(served.is_not_null()).then(pl.lit("in_service")).otherwise(pl.lit("active")),
            "in_service_on": served,
            "withdrawn_on": pl.lit(None, dtype=pl.Date),
        },
    )


def stage_normalized(frame: pl.DataFrame) -> pl.DataFrame:
    """The project's normalized csv (`iso, project_id, zone_or_to, ..., status, *_date`)."""
    status = _text("status")
    return _stage(
        frame,
        _text("iso"),
        {
            "request_id": _text("project_id"),
            "zone": _text("zone_or_to"),
            "project_type": _text("project_type"),
            "mw": _number("mw"),
            "requested_on": parse_date("request_date"),
            "status_raw": _text("status_raw"),
            "status": pl.when(status == "suspended").then(pl.lit("active")).otherwise(status),
            "in_service_on": parse_date("in_service_date"),
            "withdrawn_on": parse_date("withdrawn_date"),
        },
    )


def stage_lbnl(frame: pl.DataFrame) -> pl.DataFrame:
    """LBNL "Queued Up" data file: q_id, q_status, q_date, on_date, wd_date, region, utility, mw1."""
    status = _text("q_status").str.to_lowercase()
    return _stage(
        frame,
        _text("region").str.to_uppercase(),
        {
            "request_id": _text("q_id"),
            "zone": _text("utility"),
            "project_type": _text("type_clean"),
            "mw": _number("mw1"),
            "requested_on": parse_date("q_date"),
            "status_raw": status,
            "status": status.replace({"operational": "in_service", "suspended": "active"}),
            "in_service_on": parse_date("on_date"),
            "withdrawn_on": parse_date("wd_date"),
        },
    )


def stage_gridstatus(frame: pl.DataFrame, iso: str) -> pl.DataFrame:
    """gridstatus standardized queue (`Queue ID`, `Status` Active/Withdrawn/Completed, ...)."""
    status = _text("Status")
    return _stage(
        frame,
        pl.lit(iso.upper()),
        {
            "request_id": _text("Queue ID"),
            "zone": _text("Transmission Owner"),
            "project_type": _text("Generation Type"),
            "mw": _number("Capacity (MW)"),
            "requested_on": parse_date("Queue Date"),
            "status_raw": status,
            "status": status.str.to_lowercase().replace({"completed": "in_service"}),
            "in_service_on": parse_date("Actual Completion Date"),
            "withdrawn_on": parse_date("Withdrawn Date"),
        },
    )


def region_expr(catalog: Mapping[str, Region]) -> pl.Expr:
    """Catalog region where ISO and zone match a region's sources, else the ISO in lower case."""
    keys = []
    for region in catalog.values():
        for iso, source_keys in ZONE_KEYS.items():
            for key in source_keys:
                if key in region.sources:
                    keys.append((iso, region.sources[key].upper(), region.id))
    zone = pl.col("zone").str.to_uppercase()
    for iso, aliases in ZONE_ALIASES.items():
        zone = pl.when(pl.col("iso") == iso).then(zone.replace(aliases)).otherwise(zone)
    out = pl.col("iso").str.to_lowercase()
    for iso, ident, region_id in reversed(keys):
        out = pl.when((pl.col("iso") == iso) & (zone == ident)).then(pl.lit(region_id)).otherwise(out)
    return out


def finish(staged: pl.DataFrame, catalog: Mapping[str, Region], source: str) -> QueueBatch:
    """Map regions, check each row, and split into stored requests and rejected rows."""
    # Only the date that matches the status is kept: an active request has no outcome yet.
    checked = staged.with_columns(
        pl.when(pl.col("status") == "in_service").then(pl.col("in_service_on")).alias("in_service_on"),
        pl.when(pl.col("status") == "withdrawn").then(pl.col("withdrawn_on")).alias("withdrawn_on"),
    ).with_columns(
        pl.when(pl.col("request_id").is_null())
        .then(pl.lit("missing_request_id|request_id"))
        .when(pl.col("project_type").is_in(TRANSMISSION_TYPES))
        .then(pl.lit("transmission_service_request|project_type"))
        .when(~pl.col("status").is_in(S.QUEUE_STATUSES) | pl.col("status").is_null())
        .then(pl.lit("unknown_status|status"))
        .when(pl.col("requested_on").is_null())
        .then(pl.lit("missing_request_date|requested_on"))
        .when(pl.col("mw").is_null() | (pl.col("mw") <= 0))
        .then(pl.lit("missing_or_non_positive_mw|mw"))
        .when((pl.col("status") == "in_service") & pl.col("in_service_on").is_null())
        .then(pl.lit("in_service_without_date|in_service_on"))
        .when((pl.col("status") == "withdrawn") & pl.col("withdrawn_on").is_null())
        .then(pl.lit("withdrawn_without_date|withdrawn_on"))
        .when(pl.coalesce("in_service_on", "withdrawn_on") < pl.col("requested_on"))
        .then(pl.lit("outcome_before_request|requested_on"))
        .when(pl.col("request_id").is_duplicated())
        .then(pl.lit("duplicate_request_id|request_id"))
        .alias("problem"),
        region_expr(catalog).alias(S.REGION),
    )
    good = checked.filter(pl.col("problem").is_null()).with_columns(
        pl.lit("generation").alias("kind"),
        pl.lit(source).alias(S.SOURCE),
        pl.col("request_id").alias("request_id"),
    )
    bad = checked.filter(pl.col("problem").is_not_null())
    rejected = bad.select(
        "row",
        pl.struct(pl.exclude("row", "problem", S.REGION)).struct.json_encode().alias("raw"),
        pl.col("problem").str.split("|").list.last().alias("field"),
        pl.col("problem").str.split("|").list.first().alias("reason"),
    )
    return QueueBatch(S.conform(good, S.QUEUE_REQUESTS), rejected, source)


def _sheet_below_header(path: Path, sheet: str, first_cell: str) -> pl.DataFrame:
    """A sheet whose header row (first cell `first_cell`) sits below notes, as text columns."""
    grid = pl.read_excel(path, sheet_name=sheet, infer_schema_length=0, has_header=False)
    first = grid.to_series(0).str.strip_chars()
    hits = (first == first_cell).arg_true()
    if hits.len() == 0:
        raise UnknownQueueLayoutError(path, [str(v) for v in grid.row(0)])
    header = [str(v).strip() if v is not None else f"column_{i}" for i, v in enumerate(grid.row(hits[0]))]
    return grid.slice(hits[0] + 1).rename(dict(zip(grid.columns, header, strict=True)))


def read_table(path: Path, layout: str) -> pl.DataFrame:
    """The raw table of a queue file, every cell as text."""
    if layout == "ercot":
        frame = _sheet_below_header(path, "Project Details - Large Gen", "INR")
        return frame.filter(pl.col("INR").str.contains(r"^\d{2}INR"))
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pl.read_excel(path, infer_schema_length=0)
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path).cast(pl.String)
    return pl.read_csv(path, infer_schema_length=0)


def detect_layout(path: Path) -> str:
    """Name the layout of a queue file from its columns (ERCOT GIS reports by their sheets)."""
    if path.suffix.lower() == ".xlsx":
        import fastexcel

        if "Project Details - Large Gen" in fastexcel.read_excel(path).sheet_names:
            return "ercot"
    columns = (
        set(read_table(path, "probe").columns)
        if path.suffix.lower() != ".xlsx"
        else set(pl.read_excel(path, infer_schema_length=0, read_options={"n_rows": 1}).columns)
    )
    signatures = {
        "pjm": {"Project ID", "Submitted Date", "Transmission Owner"},
        "miso": {"Project #", "Queue Date", "Request Status"},
        "normalized": {"iso", "project_id", "request_date"},
        "lbnl": {"q_id", "q_status", "q_date"},
        "gridstatus": {"Queue ID", "Queue Date", "Status"},
    }
    for layout, needed in signatures.items():
        if needed <= columns:
            return layout
    raise UnknownQueueLayoutError(path, sorted(columns))


def read_queue_file(
    path: Path, catalog: Mapping[str, Region], layout: str | None = None, iso: str | None = None
) -> QueueBatch:
    """Read one queue file of a known layout into a QueueBatch (source = layout:file name)."""
    path = Path(path)
    layout = layout or detect_layout(path)
    table = read_table(path, layout)
    if layout == "gridstatus":
        if not iso:
            raise InvalidInputError(f"{path}: gridstatus tables do not name their ISO; pass iso (e.g. PJM)")
        staged = stage_gridstatus(table, iso)
    else:
        stagers = {
            "pjm": stage_pjm,
            "miso": stage_miso,
            "ercot": stage_ercot,
            "normalized": stage_normalized,
            "lbnl": stage_lbnl,
        }
        if layout not in stagers:
            raise InvalidInputError(f"unknown queue layout {layout!r}; known: {', '.join(LAYOUTS)}")
        staged = stagers[layout](table)
    return finish(staged, catalog, f"{layout}:{path.name}")
