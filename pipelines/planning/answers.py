"""Planning pipelines: read the store, call the pure planning models, return their response models.

The CLI (`headroom risk`, `headroom siting`, `headroom forecast --outlook`) and the HTTP routers
(`/v1/regions/{region}/outlook`, `/v1/queue-risk`, `/v1/siting`) call these and only translate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from threading import Lock

import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.errors import InvalidInputError, UserError
from forecast.planning.cox import QueueCox
from forecast.planning.flexible import FlexibleRequest
from forecast.planning.outlook import MAX_MONTHS, Outlook
from forecast.planning.provenance import QUEUE, GridScale
from forecast.planning.queue_risk import QueueRisk, RiskParams, TargetDateError, check_target, queue_risk
from forecast.planning.siting import Siting, check_rank_by, rank_regions
from forecast.planning.survival import (
    NoQueueDataError,
    survival_frame,
)
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.planning.flexible import with_flexible
from pipelines.planning.provenance import (
    plan_provenance,
    provenance_warnings,
    queue_as_of_expr,
    region_provenance,
)
from pipelines.planning.simulation import Simulation, simulate
from pipelines.store import Store


class UnknownQueueSourceError(UserError, ValueError):
    """Queue sources asked for that the store does not hold; names the ones it does."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        self.field, self.unknown, self.known = "queue_sources", unknown, known
        super().__init__(
            f"queue_sources: no queue records from {', '.join(unknown)}; known: {', '.join(known)}"
        )


def queue_data_as_of(requests: pl.DataFrame) -> date:
    """The as-of date of queue data: the latest date any request carries."""
    latest = requests.select(queue_as_of_expr().max()).item()
    if latest is None:
        raise NoQueueDataError(None, date.today())
    return latest


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _check_region(settings: Settings, region: str) -> None:
    catalog = load_catalog(settings)
    if region not in catalog:
        raise UnknownRegionError(region, catalog)


def _grid(settings: Settings, region: str, basis: str = "capacity_series") -> GridScale:
    entry = load_catalog(settings)[region]
    return GridScale(describes=entry.grid or f"{entry.name} (grid not stated in the catalog)",
                     peak_mw=entry.grid_peak_mw, capacity_basis=basis)


def _meta(store: Store, settings: Settings, region: str, sim: Simulation, inputs: dict) -> dict:
    entries = region_provenance(store, region)
    warnings = provenance_warnings(entries)
    growth = sim.result.outlook.peak_growth
    if growth and growth.share_of_samples_at_bound > 0:
        warnings.append(
            f"The peak-load trend ({growth.fitted_per_year:+.1%}/yr fitted) reached the "
            f"+/-{growth.bound_per_year:.0%}/yr bound in {growth.share_of_samples_at_bound:.0%} of samples."
        )
    if sim.basis != "capacity_series":
        warnings.append(
            "No capacity series for this region: headroom is measured against its own seasonal peak "
            "loads (basis seasonal_peak), the margin below past peaks, not a firm capacity."
        )
    if sim.planned:
        inputs = {**inputs, "capacity_plan": [
            c.model_dump(mode="json", include={"id", "mw", "from_date", "note"}) for c in sim.planned
        ]}
        entries = [*entries, plan_provenance(sim.planned)]
    return {
        "issued_at": sim.issued_at,
        "inputs": inputs,
        "provenance": entries,
        "warnings": warnings,
        "grid": _grid(settings, region, sim.basis),
    }


def run_outlook(
    store: Store,
    settings: Settings,
    region: str,
    months: int = 60,
    scenario: str = "base",
    as_of: date | datetime | None = None,
) -> Outlook:
    """Monthly outlook of a region (as of its latest grid_load hour unless given): the first
    `months` months of the region's one cached simulation."""
    _check_region(settings, region)
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_MONTHS}, got {months}")
    sim = simulate(store, settings, region, scenario, _as_date(as_of))
    outlook = sim.result.outlook
    inputs = {"region": region, "months": months, "scenario": scenario, "as_of": _as_date(as_of)}
    meta = _meta(store, settings, region, sim, inputs)
    return outlook.model_copy(update={"months": months, "rows": outlook.rows[:months], **meta})


def censored_by_source(requests: pl.DataFrame, as_of: date | None) -> tuple[pl.DataFrame, date]:
    """Survival rows with each source's requests censored at that source's own as-of date (capped
    at `as_of` when given), and the latest of those dates (when a new request is made)."""
    frames, dates = [], []
    for _, rows in requests.group_by(S.SOURCE, maintain_order=True):
        own = queue_data_as_of(rows)
        cut = min(own, as_of) if as_of else own
        frames.append(survival_frame(rows, cut))
        dates.append(cut)
    return pl.concat(frames).sort(S.REGION, "request_id"), max(dates)


_COX: dict[tuple, QueueCox] = {}  # fitted queue models by (store, queue version, as_of, sources)
_COX_LOCK = Lock()


def _queue_model(store: Store, as_of: date | None, sources: Sequence[str] | None = None) -> QueueCox:
    """The queue model fitted on the store's queue records, fitted once per queue-table version
    (a fitted QueueCox is only read, so scenarios compared in one call and repeats share it)."""
    version = store.version("queue_requests")
    key = (store.root, version, as_of, tuple(sorted(sources or ())))
    with _COX_LOCK:
        if key in _COX:
            return _COX[key]
    cox = _fit_queue_model(store, version, as_of, sources)
    with _COX_LOCK:
        if len(_COX) >= 16:
            _COX.pop(next(iter(_COX)))
        _COX[key] = cox
    return cox


def _fit_queue_model(
    store: Store, version: int | None, as_of: date | None, sources: Sequence[str] | None
) -> QueueCox:
    requests = store.read("queue_requests", version)
    if sources:
        known = set(requests[S.SOURCE].unique().to_list())
        unknown = sorted(set(sources) - known)
        if unknown:
            raise UnknownQueueSourceError(unknown, sorted(known))
        requests = requests.filter(pl.col(S.SOURCE).is_in(list(sources)))
    if requests.height == 0:
        raise NoQueueDataError(None, as_of or date.today())
    first = requests["requested_on"].min()
    if as_of is not None and first is not None and as_of < first:
        raise InvalidInputError(
            f"as_of {as_of} is before the first queue request ({first}): no request was waiting "
            f"then; give a date on or after {first}",
            field="as_of", allowed={"on_or_after": first.isoformat()},
        )
    survival, latest = censored_by_source(requests, as_of)
    return QueueCox().fit(survival, latest)


def _risk(
    store: Store,
    settings: Settings,
    cox: QueueCox,
    region: str,
    mw: float,
    target: date,
    scenario: str,
    hold_months: int,
    as_of: date | None,
    inputs: dict,
    flexible: FlexibleRequest | None = None,
) -> QueueRisk:
    sim = simulate(store, settings, region, scenario, as_of)
    starts = sim.result.month_starts
    check_target(target, max(cox.as_of, sim.as_of), starts, hold_months)
    risk = queue_risk(cox, region, mw, target, sim.result, RiskParams(hold_months=hold_months), scenario)
    if flexible is not None:
        risk = with_flexible(store, settings, region, risk, sim.as_of, scenario, target, mw, flexible)
    meta = _meta(store, settings, region, sim, inputs)
    if sources := inputs.get("queue_sources"):
        meta["provenance"] = [
            e for e in meta["provenance"] if e.series != QUEUE or e.source in sources
        ]
        meta["warnings"] = provenance_warnings(meta["provenance"])
    return risk.model_copy(update=meta)


def run_queue_risk(
    store: Store,
    settings: Settings,
    region: str,
    mw: float,
    target_date: date,
    as_of: date | datetime | None = None,
    scenario: str = "base",
    hold_months: int = 12,
    queue_sources: Sequence[str] | None = None,
    flexible: FlexibleRequest | None = None,
) -> QueueRisk:
    """Queue risk of a new request of `mw` MW in `region`, to be served from `target_date` on;
    with `flexible`, the curtailment-enabled headroom of the target's year beside the firm one."""
    _check_region(settings, region)
    as_of = _as_date(as_of)
    inputs = {
        "region": region, "mw": mw, "target_date": target_date, "scenario": scenario,
        "hold_months": hold_months, "as_of": as_of, "queue_sources": list(queue_sources or []) or None,
        **_flex_inputs(flexible),
    }
    cox = _queue_model(store, as_of, queue_sources)
    return _risk(
        store, settings, cox, region, mw, target_date, scenario, hold_months, as_of, inputs, flexible
    )


def _flex_inputs(flexible: FlexibleRequest | None) -> dict:
    return {"flexible": flexible is not None,
            "curtailment_pct": flexible.curtailment_pct if flexible else None}


def run_siting(
    store: Store,
    settings: Settings,
    mw: float,
    target_date: date,
    rack_kw: float | None = None,
    regions: Sequence[str] | None = None,
    as_of: date | datetime | None = None,
    scenario: str = "base",
    hold_months: int = 12,
    queue_sources: Sequence[str] | None = None,
    flexible: FlexibleRequest | None = None,
    rank_by: str = "firm",
) -> Siting:
    """Catalog regions (or `regions`) ranked by p_energized_by_target (`rank_by` firm) or by its
    flexible counterpart (`rank_by` flexible, which needs `flexible`); regions lacking data are
    listed in `skipped` with the reason. A target date outside every region's range is refused."""
    check_rank_by(rank_by, flexible)
    catalog = load_catalog(settings)
    wanted = list(regions) if regions else [r for r, region in catalog.items() if not region.synthetic]
    for region in wanted:
        if region not in catalog:
            raise UnknownRegionError(region, catalog)
    as_of = _as_date(as_of)
    inputs = {
        "mw": mw, "target_date": target_date, "rack_kw": rack_kw, "regions": regions and list(regions),
        "scenario": scenario, "hold_months": hold_months, "as_of": as_of,
        "queue_sources": list(queue_sources or []) or None, **_flex_inputs(flexible), "rank_by": rank_by,
    }
    cox = _queue_model(store, as_of, queue_sources)
    risks, skipped, refused = {}, [], []
    for region in wanted:
        try:
            risks[region] = _risk(
                store, settings, cox, region, mw, target_date, scenario, hold_months, as_of, inputs,
                flexible,
            )
        except TargetDateError as exc:
            refused.append(exc)
            skipped.append(f"{region}: {exc}")
        except ValueError as exc:  # no queue, load or capacity data for this region
            skipped.append(f"{region}: {exc}")
    if not risks and refused:
        raise refused[0]
    siting = rank_regions(risks, catalog, mw, target_date, rack_kw, rank_by)
    first = next(iter(risks.values()))
    return siting.model_copy(
        update={"skipped": skipped, "issued_at": first.issued_at, "inputs": inputs,
                "warnings": sorted({w for r in risks.values() for w in r.warnings})}
    )
