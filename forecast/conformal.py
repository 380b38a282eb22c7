"""Conformal intervals per horizon step from backtest residual paths, and joint residual resampling.

A calibrated model keeps, per region, the residual paths `actual - point` of forecasts it made at
K past origins (rows: origins, newest first; columns: steps 1..H). Quantiles at step h are the
point forecast plus the split-conformal order statistics of the residuals at steps near h;
sample paths follow those quantiles at each step and the residual rows' ranks across steps, so
errors keep their correlation across the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import norm as normal


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


def few_origins_factor(q: float, origins: int, reference: int = 28) -> float:
    """How much further from the median quantile q lies with K = `origins` (>= 2) calibration
    origins than with `reference` (1 from there on, and for K < 2, which has no spread to widen).

    K independent rows resolve levels up to K / (K + 1); a level beyond is extrapolated from there
    as a normal tail, z(q) / z(K / (K + 1)), relative to the same extrapolation at `reference`."""
    if origins >= reference or origins < 2 or abs(q - 0.5) < 1e-9:
        return 1.0
    level = 0.5 + abs(q - 0.5)

    def beyond(k: int) -> float:
        reach = k / (k + 1)
        return 1.0 if level <= reach else float(normal.ppf(level) / normal.ppf(reach))

    return beyond(origins) / beyond(reference)


WEEK = 168  # hours: `lead_widen` is the relative widening per week of lead
TAIL = 0.4  # levels further than this from 0.5 (beyond the 80 % interval) are the tails...
FULL_TAIL = 0.475  # ...`tail_widen` acts on, fully from this one (the 95 % interval) outwards


def conformal_offsets(
    residuals: np.ndarray,
    quantiles: Sequence[float],
    horizon: int,
    neighbours: int = 1,
    tail_widen: float = 1.0,
    lead_widen: float = 0.0,
    reference_origins: int = 0,
) -> np.ndarray:
    """Offsets to add to the point forecast: shape (len(quantiles), horizon), ordered in q per step.

    Pooling a few neighbouring steps steadies the tails when there are few origins; it does not
    mix lead times far apart, so the interval still widens with the horizon. Quantiles of the 95 %
    interval and beyond (|q - 0.5| >= 0.475) lie `tail_widen` times as far from the pool's median,
    those between it and the 80 % interval by a factor rising linearly from 1 (so the quantile
    function has no jump that sample paths would straddle), and every quantile of step s
    (1-based) 1 + `lead_widen` * s / 168 times as far.

    With 2 <= K < `reference_origins` origins (rows; the K those widenings were chosen at),
    `lead_widen` grows as reference / K and the tails beyond K / (K + 1) by `few_origins_factor`.
    """
    if residuals.shape[1] < horizon:
        raise ValueError(f"calibrated for {residuals.shape[1]} steps, asked for {horizon}")
    qs = sorted(quantiles)
    ramp = np.clip(np.round((np.abs(np.array(qs) - 0.5) - TAIL) / (FULL_TAIL - TAIL), 9), 0.0, 1.0)
    tail = 1.0 + (tail_widen - 1.0) * ramp
    origins = int(np.isfinite(residuals).any(axis=1).sum())
    if 1 < origins < reference_origins:
        tail = tail * np.array([few_origins_factor(q, origins, reference_origins) for q in qs])
        lead_widen = lead_widen * reference_origins / origins
    ranks: dict[int, np.ndarray] = {}  # 0-based ranks of the levels, per pool size
    out = np.zeros((len(qs), horizon))
    for h in range(horizon):
        pool = step_pool(residuals, h, neighbours)
        if pool.size == 0:
            continue
        if pool.size not in ranks:
            ranks[pool.size] = np.array([conformal_rank(q, pool.size) for q in qs]) - 1
        out[:, h] = np.sort(pool)[ranks[pool.size]]
        median = float(np.median(pool))
        if (tail != 1.0).any():
            out[:, h] = median + tail * (out[:, h] - median)
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


# Levels at which sample paths tabulate each step's conformal quantile function: steps of 0.005,
# so every published level (0.01, 0.025, 0.05, ..., 0.99) is one of them.
LEVELS = np.round(np.linspace(0.005, 0.995, 199), 3)


def draw_origins(n_origins: int, n_samples: int, seed: int) -> np.ndarray:
    """Which residual rows the samples use: each row equally often (+-1; which rows get the extra
    ones, or the only ones when n_samples < K, drawn too), in an order drawn with `seed`; same
    seed and K -> same origins in every component."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.resize(rng.permutation(n_origins), n_samples))


def row_positions(rows: np.ndarray, seed: int) -> np.ndarray:
    """Each sample's place in (0, 1) among the samples of its row, stratified: the m samples of a
    row fall one in each of (0, 1/m), (1/m, 2/m), ... in an order drawn with `seed`."""
    rng = np.random.default_rng([seed, 1])
    out = np.empty(len(rows))
    for row in np.unique(rows):
        mine = np.flatnonzero(rows == row)
        out[mine] = (rng.permutation(mine.size) + rng.random(mine.size)) / mine.size
    return out


def step_ranks(residuals: np.ndarray, seed: int) -> np.ndarray:
    """Rank (0-based) of each row's residual among the K of its step; a missing one counts as the
    step's median, and ties are broken by one random order of the rows drawn with `seed`."""
    filled = np.where(np.isnan(residuals), np.nanmedian(residuals, axis=0, keepdims=True), residuals)
    filled = np.nan_to_num(filled)  # a step without any residual
    ties = np.broadcast_to(np.random.default_rng([seed, 2]).random((len(filled), 1)), filled.shape)
    order = np.lexsort((ties, filled), axis=0)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(len(filled))[:, None], axis=0)
    return ranks


def calibrated_paths(
    residuals: np.ndarray,
    horizon: int,
    n_samples: int,
    seed: int,
    neighbours: int = 1,
    tail_widen: float = 1.0,
    lead_widen: float = 0.0,
    reference_origins: int = 0,
) -> np.ndarray:
    """Joint error paths, shape (n_samples, horizon): at each step distributed as the conformal
    quantiles (`conformal_offsets`, so the paths' quantiles are the conformal intervals),
    across steps as the residual rows drawn with `seed` (the row's rank at each step, an empirical
    copula), so errors keep their correlation across the horizon and across components.

    A sample of row k takes, at step s, the level (rank of row k among the K residuals of step s
    + its place within the row) / K and the conformal offset at that level, interpolated between
    the tabulated `LEVELS`. Resampling the K raw rows instead would give the K-sample's quantiles,
    which miss the (K + 1) rule and the widening. Levels are spread over [0, 1] as the samples'
    plotting positions (j / (n - 1) for the j-th smallest), so the paths' linear empirical
    quantile at q is the offset at q, not one a little inside it.
    """
    k = residuals.shape[0]
    table = conformal_offsets(
        residuals, LEVELS, horizon, neighbours, tail_widen, lead_widen, reference_origins
    )
    ranks = step_ranks(residuals[:, :horizon], seed)
    rows = draw_origins(k, n_samples, seed)
    levels = (ranks[rows] + row_positions(rows, seed)[:, None]) / k
    if n_samples > 1:
        levels = np.clip((levels * n_samples - 0.5) / (n_samples - 1), 0.0, 1.0)
    # Linear interpolation in the table at every (sample, step) at once; flat beyond its ends.
    upper = np.clip(np.searchsorted(LEVELS, levels, side="right"), 1, len(LEVELS) - 1)
    lo, hi = LEVELS[upper - 1], LEVELS[upper]
    weight = np.clip((levels - lo) / (hi - lo), 0.0, 1.0)
    steps = np.arange(horizon)
    return table[upper - 1, steps] * (1 - weight) + table[upper, steps] * weight
