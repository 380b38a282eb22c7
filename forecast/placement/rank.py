"""Choosing a varied top list of candidate runs: best first, non-overlapping within a place."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Candidates:
    """Candidate runs: `unit[i]` indexes a place (a region or a region pair), `start[i]` a window hour."""

    unit: np.ndarray
    start: np.ndarray
    count: np.ndarray  # paths in which the run goes through uninterrupted


def rank_order(cands: Candidates, unit_rank: np.ndarray) -> np.ndarray:
    """Indices best first: more paths succeeding, then earlier start, then place name."""
    return np.lexsort((unit_rank[cands.unit], cands.start, -cands.count))


def select(cands: Candidates, unit_rank: np.ndarray, hours: int, top: int, per_unit: int) -> list[int]:
    """Up to `top` candidates, best first, chosen for variety.

    Within one place, a run that overlaps a better chosen run is skipped (one slot, not ten starts
    an hour apart). A first pass takes at most `per_unit` runs per place, so several places show;
    if that leaves fewer than `top`, a second pass fills up with further non-overlapping runs.
    """
    order = rank_order(cands, unit_rank)
    chosen: list[int] = []
    taken: dict[int, list[int]] = {}
    for cap in (per_unit, None):
        for i in order:
            if len(chosen) == top:
                break
            unit, start = int(cands.unit[i]), int(cands.start[i])
            starts = taken.setdefault(unit, [])
            if cap is not None and len(starts) >= cap:
                continue
            if any(abs(start - s) < hours for s in starts):
                continue
            starts.append(start)
            chosen.append(int(i))
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    return sorted(chosen, key=lambda j: int(position[j]))
