"""Interruptible jobs: run whenever headroom >= MW, pause otherwise; when do they finish?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Finishes:
    """Per region: paths finishing in the window, mean finish hour of those, and a finish quantile.

    Hours are counted from the window start; a finish at hour h means the job's last running hour
    is [h - 1, h). `mean` is over finishing paths only (NaN when none finish): a path that never
    finishes has no finish time to average, and is counted in `1 - finished / n` instead.
    `quantile_hour` is over all paths with non-finishers last: -1 when it falls on one of them.
    """

    finished: np.ndarray
    mean: np.ndarray
    quantile_hour: np.ndarray


def finish_hours(values: np.ndarray, mw: float, hours: int) -> np.ndarray:
    """Per (region, path): hours from the window start until `hours` running hours are done; -1 never.

    `values` is regions x samples x window hours; the job runs in an hour iff headroom >= mw.
    """
    done = np.cumsum(values >= mw, axis=-1) >= hours
    ends = np.argmax(done, axis=-1) + 1
    return np.where(done[..., -1], ends, -1)


def finishes(values: np.ndarray, mw: float, hours: int, quantile: float) -> Finishes:
    """Summaries of `finish_hours` per region (see Finishes)."""
    ends = finish_hours(values, mw, hours)
    ok = ends >= 0
    finished = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, ends, 0).sum(axis=1) / finished
    n = ends.shape[1]
    ranked = np.sort(np.where(ok, ends, np.iinfo(np.int64).max), axis=1)
    pick = max(0, int(np.ceil(quantile * n)) - 1)  # smallest finish reached by >= quantile of paths
    quantile_hour = ranked[:, pick]
    quantile_hour = np.where(quantile_hour == np.iinfo(np.int64).max, -1, quantile_hour)
    return Finishes(finished=finished, mean=np.where(finished > 0, mean, np.nan), quantile_hour=quantile_hour)
