"""Single-region runs: per (region, start), how many joint paths hold the MW in every hour of the run."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d


def window_sums(x: np.ndarray, hours: int) -> np.ndarray:
    """Sums of `hours` consecutive values along the last axis (one per start), by cumulative sums."""
    cs = np.zeros((*x.shape[:-1], x.shape[-1] + 1), dtype=np.result_type(x.dtype, np.int64))
    np.cumsum(x, axis=-1, out=cs[..., 1:])
    return cs[..., hours:] - cs[..., :-hours]


def window_minima(values: np.ndarray, hours: int) -> np.ndarray:
    """Minimum of `hours` consecutive values along the last axis, one per start (O(n) filter)."""
    starts = values.shape[-1] - hours + 1
    return minimum_filter1d(values, size=hours, axis=-1, mode="nearest", origin=-(hours // 2))[..., :starts]


def shortfall(values: np.ndarray, mw: float) -> np.ndarray:
    """MW of the job curtailed per hour: mw - headroom, at least 0 and at most the job's mw.

    Capped at `mw` because a job cannot lose more than it draws: with negative headroom the grid
    is short already, and the job loses all of its MW, not more.
    """
    return np.clip(mw - values, 0.0, mw)


def run_counts(values: np.ndarray, mw: float, hours: int) -> np.ndarray:
    """Per (region, start): paths with headroom >= mw in every hour of the run; `values` is R x N x H.

    A failing hour is counted once into a cumulative sum, so each window is checked in O(1):
    O(R N H) overall, whatever the run length.
    """
    fails = window_sums((values < mw).astype(np.int32), hours)
    return (fails == 0).sum(axis=1)


def expected_curtailed(values: np.ndarray, mw: float, hours: int) -> np.ndarray:
    """Per (region, start): mean over paths of the MWh curtailed over the run (sum of hourly shortfall)."""
    return window_sums(shortfall(values, mw).mean(axis=1), hours)


def tightest_hour(values: np.ndarray, mw: float) -> tuple[int, int]:
    """(hour offset in the run, paths failing then) of the run hour that fails in the most paths.

    `values` is samples x hours of the run; ties go to the earlier hour.
    """
    fails = (values < mw).sum(axis=0)
    worst = int(np.argmax(fails))
    return worst, int(fails[worst])
