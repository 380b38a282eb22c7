"""Answer a placement query from a headroom cube: the one entry point the CLI and HTTP layers call."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from forecast.placement.answer import InterruptiblePlan, Placement, Plan, Share, hhmm
from forecast.placement.cube import HeadroomCube
from forecast.placement.interruptible import finishes
from forecast.placement.query import (
    HOUR,
    PlacementParams,
    PlacementQuery,
    Window,
    check_query,
    resolve_window,
)
from forecast.placement.rank import Candidates, select
from forecast.placement.split import split_candidates
from forecast.placement.windows import (
    expected_curtailed,
    run_counts,
    shortfall,
    tightest_hour,
    window_minima,
)


def place(
    cube: HeadroomCube, query: PlacementQuery, now: datetime, params: PlacementParams | None = None
) -> Placement:
    """Plans for `query` best first, ranked by p_uninterrupted (ties: earlier start, then region name).

    `now` is passed in (the core reads no clock). Raises a PlacementQueryError subclass naming the
    field at fault; UnknownRegionsError (a LookupError) when regions have no paths.
    """
    params = params or PlacementParams()
    regions = check_query(query, cube.regions)
    window = resolve_window(query, now, cube.start, cube.n_hours)
    rows = [cube.regions.index(r) for r in regions]
    values = cube.values[rows, :, window.first : window.stop]
    if query.interruptible:
        plans: tuple[Plan, ...] | tuple[InterruptiblePlan, ...] = _interruptible(
            values, regions, query, window, params
        )
    else:
        plans = _uninterrupted(values, regions, query, window, params)
    return Placement(
        issued_at=cube.issued_at, model_version=cube.model_version, mw=float(query.mw),
        hours=query.hours, window_start=window.start, window_end=window.end,
        n_samples=cube.n_samples, plans=plans, notes=_notes(cube, query, window),
    )


def _notes(cube: HeadroomCube, query: PlacementQuery, window: Window) -> tuple[str, ...]:
    notes = []
    if query.earliest is not None and query.earliest < window.start - HOUR:
        notes.append(f"Earliest start moved to {hhmm(window.start)}: a job cannot start in the past "
                     "or before the published horizon.")
    if query.deadline is not None and query.deadline > cube.end:
        notes.append(f"The deadline is past the published horizon; plans end by {hhmm(cube.end)}.")
    if cube.missing:
        notes.append(f"{cube.missing} path hours had no forecast and count as 0 MW of headroom.")
    return tuple(notes)


def _uninterrupted(
    values: np.ndarray, regions: tuple[str, ...], query: PlacementQuery, window: Window,
    params: PlacementParams,
) -> tuple[Plan, ...]:
    mw, hours = float(query.mw), query.hours
    counts = run_counts(values, mw, hours)  # regions x starts
    n_regions, n_starts = counts.shape
    units: list[tuple[int, ...]] = [(r,) for r in range(n_regions)]
    unit = np.repeat(np.arange(n_regions), n_starts)
    start = np.tile(np.arange(n_starts), n_regions)
    count = counts.ravel()
    shares = np.full(unit.size, mw)
    if query.split and n_regions > 1:
        minima = window_minima(values, hours)
        pairs = split_candidates(minima, mw, params.split_candidates, params.split_quantile)
        pair_ids: dict[tuple[int, int], int] = {}
        pair_unit = np.empty(pairs.first.size, dtype=np.int64)
        for i, key in enumerate(zip(pairs.first.tolist(), pairs.second.tolist(), strict=True)):
            pair_unit[i] = pair_ids.setdefault(key, len(units) + len(pair_ids))
        units.extend(pair_ids)
        unit = np.concatenate([unit, pair_unit])
        start = np.concatenate([start, pairs.start])
        count = np.concatenate([count, pairs.count])
        shares = np.concatenate([shares, pairs.share])
    names = [tuple(regions[r] for r in u) for u in units]
    unit_rank = np.empty(len(units), dtype=np.int64)
    unit_rank[sorted(range(len(units)), key=names.__getitem__)] = np.arange(len(units))
    cands = Candidates(unit=unit, start=start, count=count)
    chosen = select(cands, unit_rank, hours, query.top, params.per_region)
    curtailed = expected_curtailed(values, mw, hours) if not query.split else None
    plans = []
    for i in chosen:
        members, s = units[int(unit[i])], int(start[i])
        mws = (mw,) if len(members) == 1 else (float(shares[i]), mw - float(shares[i]))
        run = values[list(members), :, s : s + hours]
        if curtailed is not None:
            lost = float(curtailed[members[0], s])
        else:
            lost = float(sum(shortfall(run[k], m).sum(axis=1).mean() for k, m in enumerate(mws)))
        t0 = window.start + s * HOUR
        plans.append(_plan(tuple(Share(regions[r], m) for r, m in zip(members, mws, strict=True)),
                           t0, hours, int(count[i]), values.shape[1], lost, run, mws))
    return tuple(plans)


def _plan(
    shares: tuple[Share, ...], t0: datetime, hours: int, count: int, n: int, lost: float,
    run: np.ndarray, mws: tuple[float, ...],
) -> Plan:
    end = t0 + hours * HOUR
    p = count / n
    where = " + ".join(f"{s.mw:.4g} MW in {s.region}" for s in shares)
    worst = max(((*tightest_hour(run[k], m), shares[k].region) for k, m in enumerate(mws)),
                key=lambda w: (w[1], -w[0]))
    tight = (f"; tightest hour {hhmm(t0 + worst[0] * HOUR)} in {worst[2]} falls short in {worst[1]} "
             "paths" if worst[1] else "")
    reason = (f"{where} from {hhmm(t0)} to {hhmm(end)} runs uninterrupted in {count} of {n} paths "
              f"({p:.0%}){tight}; expected {lost:.3g} MWh curtailed.")
    return Plan(shares=shares, start=t0, end=end, p_uninterrupted=p,
                expected_curtailed_mwh=round(lost, 6), reason=reason)


def _interruptible(
    values: np.ndarray, regions: tuple[str, ...], query: PlacementQuery, window: Window,
    params: PlacementParams,
) -> tuple[InterruptiblePlan, ...]:
    done = finishes(values, float(query.mw), query.hours, params.finish_quantile)
    n = values.shape[1]
    mean_key = np.where(np.isnan(done.mean), np.inf, done.mean)
    order = np.lexsort((np.arange(len(regions)), mean_key, -done.finished))[: query.top]
    q = f"P{round(params.finish_quantile * 100)}"
    plans = []
    for r in order.tolist():
        finished = int(done.finished[r])
        mean = None if finished == 0 else window.start + timedelta(hours=float(done.mean[r]))
        if mean is not None:
            mean = mean.replace(second=0, microsecond=0)
        qh = int(done.quantile_hour[r])
        pq = None if qh < 0 else window.start + qh * HOUR
        text = (f"{query.mw:g} MW for {query.hours} running hours in {regions[r]}, released "
                f"{hhmm(window.start)}, pausing when headroom is short: finishes by {hhmm(window.end)} "
                f"in {finished} of {n} paths ({finished / n:.0%})")
        if mean is not None:
            text += f"; on average at {hhmm(mean)} when it finishes"
        text += f"; {q} {hhmm(pq)}." if pq is not None else f"; {q} beyond {hhmm(window.end)}."
        plans.append(InterruptiblePlan(region=regions[r], start=window.start, deadline=window.end,
                                       p_finish_by_deadline=finished / n, expected_finish=mean,
                                       p90_finish=pq, reason=text))
    return tuple(plans)
