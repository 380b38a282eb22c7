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

_INF_KEY = np.array([np.inf]).view(np.uint64)[0] << np.uint64(1)


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

    Endpoints are sorted as integer keys (the bits of a non-negative float order like the float;
    the lowest bit marks an end, so starts precede ends at a tie): one plain sort per row. Rows
    where no path can hold any share split mw in proportion to the median window minima (floored
    at 0; equal halves when both are 0); their count is 0.
    """
    lo = np.maximum(0.0, mw - m2) + 0.0  # + 0.0 turns -0.0 into 0.0 (its bits would sort last)
    hi = np.minimum(mw, m1) + 0.0
    valid = lo <= hi
    keys = np.concatenate([
        np.where(valid, lo, np.inf).view(np.uint64) << np.uint64(1),
        (np.where(valid, hi, np.inf).view(np.uint64) << np.uint64(1)) | np.uint64(1),
    ], axis=1)
    keys.sort(axis=1)
    step = np.int16(1) - np.int16(2) * (keys & np.uint64(1)).astype(np.int16)
    running = np.cumsum(step, axis=1, dtype=np.int16 if keys.shape[1] < 2**15 else np.int32)
    running[keys >= _INF_KEY] = -1  # invalid intervals: both ends at +inf, never a share
    peak = np.argmax(running, axis=1)
    rows = np.arange(len(peak))
    count = running[rows, peak]
    left = (keys[rows, peak] >> np.uint64(1)).view(np.float64)
    right = (keys[rows, np.minimum(peak + 1, keys.shape[1] - 1)] >> np.uint64(1)).view(np.float64)
    share = np.where(np.isfinite(right), (left + right) / 2, left)
    none = np.flatnonzero(count <= 0)
    if none.size:
        q1 = np.maximum(np.median(m1[none], axis=1), 0.0)
        q2 = np.maximum(np.median(m2[none], axis=1), 0.0)
        total = q1 + q2
        share[none] = np.where(total > 0, mw * q1 / np.where(total > 0, total, 1.0), mw / 2)
    share = np.clip(share, 0.0, mw)
    # recount at the share itself: rounding in mw - m2 must never overstate what a plan gets
    count = ((share[:, None] <= m1) & (mw - share[:, None] <= m2)).sum(axis=1)
    return share, count


def split_candidates(minima: np.ndarray, mw: float, k: int, quantile: float) -> PairCandidates:
    """Best split for every kept (pair, start); splits that put all MW in one region are dropped."""
    first, second, start = candidate_pairs(minima, k, quantile)
    by_start = np.ascontiguousarray(minima.transpose(0, 2, 1))  # regions x starts x samples
    share, count = best_shares(by_start[first, start], by_start[second, start], mw)
    proper = (share > 0) & (share < mw)
    return PairCandidates(
        first=first[proper], second=second[proper], start=start[proper],
        share=share[proper], count=count[proper],
    )
