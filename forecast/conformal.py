"""Conformal intervals per horizon step from backtest residual paths, and joint residual resampling.

A calibrated model keeps, per region, the residual paths `actual - point` of forecasts it made at
K past origins (rows: origins, newest first; columns: steps 1..H). Quantiles at step h are the
point forecast plus the split-conformal order statistics of the residuals at steps near h;
sample paths add whole residual rows, so errors keep their correlation across the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def conformal_rank(q: float, n: int) -> int:
    """Rank (1 = smallest) of the split-conformal quantile q among n residuals.

    The ceil((n+1)q)-th smallest for an upper quantile, the floor((n+1)q)-th for a lower one: the
    finite-sample rule under which a new exchangeable residual falls below it with probability
    >= q (above, for a lower one). Clamped to the sample when n is too small for that.
    """
    rank = math.ceil((n + 1) * q - 1e-9) if q >= 0.5 else math.floor((n + 1) * q + 1e-9)
    return min(max(rank, 1), n)


def step_pool(residuals: np.ndarray, step: int, neighbours: int) -> np.ndarray:
    """Residuals of step `step` (0-based) and its `neighbours` steps either side, flattened."""
    lo = max(0, step - neighbours)
    hi = min(residuals.shape[1], step + neighbours + 1)
    pool = residuals[:, lo:hi].ravel()
    return pool[np.isfinite(pool)]


WEEK = 168  # hours: `lead_widen` is the relative widening per week of lead
TAIL = 0.4  # quantiles further than this from the median are the tails `tail_widen` acts on


def conformal_offsets(
    residuals: np.ndarray,
    quantiles: Sequence[float],
    horizon: int,
    neighbours: int = 1,
    tail_widen: float = 1.0,
    lead_widen: float = 0.0,
) -> np.ndarray:
    """Offsets to add to the point forecast: shape (len(quantiles), horizon), ordered in q per step.

    Pooling a few neighbouring steps steadies the tails when there are few origins; it does not
    mix lead times far apart, so the interval still widens with the horizon. Quantiles beyond the
    80 % interval (|q - 0.5| > 0.4) lie `tail_widen` times as far from the pool's median, and every
    quantile of step s (1-based) 1 + `lead_widen` * s / 168 times as far.
    """
    if residuals.shape[1] < horizon:
        raise ValueError(f"calibrated for {residuals.shape[1]} steps, asked for {horizon}")
    qs = sorted(quantiles)
    out = np.zeros((len(qs), horizon))
    for h in range(horizon):
        pool = step_pool(residuals, h, neighbours)
        if pool.size == 0:
            continue
        ranks = [conformal_rank(q, pool.size) for q in qs]
        out[:, h] = np.sort(pool)[np.array(ranks) - 1]
        median = float(np.median(pool))
        if tail_widen != 1.0:
            tails = np.abs(np.array(qs) - 0.5) > TAIL + 1e-9
            out[tails, h] = median + tail_widen * (out[tails, h] - median)
        if lead_widen:
            out[:, h] = median + (1.0 + lead_widen * (h + 1) / WEEK) * (out[:, h] - median)
    # Quantiles of one sample at increasing levels are ordered already; this guards ties and NaN.
    return np.maximum.accumulate(out, axis=0)


def lead_columns(shift: int, horizon: int, calibrated: int) -> np.ndarray:
    """Residual columns (0-based) for steps 1..horizon of a forecast `shift` hours of day after the
    calibration origins.

    Step s takes the errors at lead s + shift, whose target hours have step s's hour of day (load
    errors differ far more between night and peak than between nearby leads); past the calibrated
    leads one day less; where neither exists, its own lead. Never a shorter lead except that wrap.
    """
    steps = np.arange(1, horizon + 1)
    lead = steps + shift % 24
    lead = np.where(lead > calibrated, lead - 24, lead)
    lead = np.where((lead < 1) | (lead > calibrated), steps, lead)
    return lead - 1


def draw_origins(n_origins: int, n_samples: int, seed: int) -> np.ndarray:
    """Which residual rows the samples use; same seed and K -> same origins in every component."""
    return np.random.default_rng(seed).integers(0, n_origins, size=n_samples)


def residual_paths(residuals: np.ndarray, horizon: int, n_samples: int, seed: int) -> np.ndarray:
    """Whole residual rows drawn with `seed`, shape (n_samples, horizon); NaN treated as 0."""
    rows = draw_origins(residuals.shape[0], n_samples, seed)
    return np.nan_to_num(residuals[rows, :horizon])
