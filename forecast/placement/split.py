"""Split runs: the job's MW divided over two regions running the same hours, best share exactly.

For regions 1 and 2 and one start, let m1_i, m2_i be path i's minimum headroom over the run. Path i
carries share a in region 1 (mw - a in region 2) iff max(0, mw - m2_i) <= a <= min(mw, m1_i): an
interval. The a held by most paths is the point stabbed by most intervals: sort the 2N endpoints
(starts before ends at a tie, intervals are closed) and sweep a running count. Among the best a we
take the middle of the optimal segment, leaving margin on both sides. So a share never exceeds the
job's MW, is never negative, and the two shares sum to the job's MW.

Probabilities are over joint paths: sample i of region 1 with sample i of region 2. If the
forecaster draws each region's paths independently, sample i of one region says nothing about
sample i of another, and the answer treats the regions as independent: when their peaks are in
fact correlated (one heat wave over both), both fall short together more often than the paths
show, so the joint failure is understated and split plans look better than they are.

Pruning: all pairs of 200 regions at every start is 19,900 x 168 exact problems; per start we solve
only pairs among the `split_candidates` regions with the highest `split_quantile` of window minimum
(8 -> 28 pairs). A pair whose members are each mediocre but whose shortfalls never coincide is
missed; bench/placement.py measures what pruning loses against the exhaustive search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class PairCandidates:
    """Exact best split per (pair, start): region indices, window start, share in `first`, count."""

    first: np.ndarray
    second: np.ndarray
    start: np.ndarray
    share: np.ndarray  # MW in `first`; mw - share in `second`
    count: np.ndarray


def candidate_pairs(minima: np.ndarray, k: int, quantile: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (first < second) among the top-`k` regions per start by a low quantile of window minimum.

    `minima` is regions x samples x starts. Ties go to the lower region index (stable sort).
    """
    n_regions, n_samples, n_starts = minima.shape
    k = min(k, n_regions)
    rank = min(n_samples - 1, int(np.floor(quantile * (n_samples - 1))))
    score = np.partition(minima, rank, axis=1)[:, rank, :]  # regions x starts
    best = np.sort(np.argsort(-score, axis=0, kind="stable")[:k], axis=0)  # k x starts, ascending ids
    i, j = np.triu_indices(k, 1)
    first, second = best[i], best[j]  # pairs x starts
    start = np.broadcast_to(np.arange(n_starts), first.shape)
    return first.ravel(), second.ravel(), start.ravel()


def best_shares(m1: np.ndarray, m2: np.ndarray, mw: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row (one pair and start; columns are paths): the share in region 1 and the paths it holds.

    Rows where no path can hold any share split mw in proportion to the median window minima
    (floored at 0; equal halves when both are 0); their count is 0.
    """
    lo = np.maximum(0.0, mw - m2)
    hi = np.minimum(mw, m1)
    valid = lo <= hi
    lo = np.where(valid, lo, np.inf)
    hi = np.where(valid, hi, np.inf)
    points = np.concatenate([lo, hi], axis=1)
    step = np.concatenate([valid.astype(np.int32), -valid.astype(np.int32)], axis=1)
    order = np.argsort(points, axis=1, kind="stable")  # starts precede ends at equal points
    points = np.take_along_axis(points, order, axis=1)
    running = np.cumsum(np.take_along_axis(step, order, axis=1), axis=1)
    peak = np.argmax(running, axis=1)
    count = running[np.arange(len(peak)), peak]
    rows = np.arange(len(peak))
    left = points[rows, peak]
    right = points[rows, np.minimum(peak + 1, points.shape[1] - 1)]
    share = np.where(np.isfinite(right), (left + right) / 2, left)
    q1 = np.maximum(np.median(m1, axis=1), 0.0)
    q2 = np.maximum(np.median(m2, axis=1), 0.0)
    total = q1 + q2
    fallback = np.where(total > 0, mw * q1 / np.where(total > 0, total, 1.0), mw / 2)
    share = np.clip(np.where(count > 0, share, fallback), 0.0, mw)
    # recount at the share itself: rounding in mw - m2 must never overstate what a plan gets
    count = ((share[:, None] <= m1) & (mw - share[:, None] <= m2)).sum(axis=1)
    return share, count


def split_candidates(minima: np.ndarray, mw: float, k: int, quantile: float) -> PairCandidates:
    """Best split for every kept (pair, start); splits that put all MW in one region are dropped."""
    first, second, start = candidate_pairs(minima, k, quantile)
    share, count = best_shares(minima[first, :, start], minima[second, :, start], mw)
    proper = (share > 0) & (share < mw)
    return PairCandidates(
        first=first[proper], second=second[proper], start=start[proper],
        share=share[proper], count=count[proper],
    )
