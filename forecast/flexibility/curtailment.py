"""Curtailment-enabled headroom on arrays: seasonal thresholds, curtailment rate and its exact root.

Method (Norris, Profeta, Patiño-Echeverri, Cowie-Haskell, "Rethinking Load Growth", Nicholas
Institute, Duke, 2025), on hourly load in local time:

- Thresholds: the highest load in summer (Jun-Aug) and in winter (Dec-Feb) over all years. Apr-Oct
  are held to the summer threshold, Nov-Mar to the winter one.
- A constant new load of L MW is added to every hour; the hour's curtailment is
  max(0, load + L - threshold(month)). A year's rate is its curtailed MWh / (L x its hours); the
  rate for L is the mean of the yearly rates.
- Headroom at limit c is the L whose rate equals c.

Solving it exactly: with d_h = threshold_h - load_h and weight w_h = 1 / (years x hours of h's
year), rate(L) = C(L) / L with C(L) = sum_h w_h max(0, L - d_h), a convex piecewise-linear
function with breaks at the d_h. g(L) = C(L) - c L is convex and ends rising (slope 1 - c), so
the largest L with rate(L) <= c lies on the segment after the last break d_k >= 0 where
g(d_k) <= 0, and there g is linear: L = S_k / (W_k - c) with W_k, S_k the cumulative weights
and weighted gaps of the sorted d up to k. One sort gives every limit; no iteration. When the
thresholds already bind at L = 0 (a shoulder month above its season's peak), rate(L) first
falls and then rises; the answer stays the largest L whose rate is within the limit, 0 if none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.errors import UserError

SUMMER_PEAK_MONTHS = (6, 7, 8)
WINTER_PEAK_MONTHS = (12, 1, 2)
SUMMER_HELD_MONTHS = (4, 5, 6, 7, 8, 9, 10)  # held to the summer threshold; the rest to the winter one
DEFAULT_LIMITS_PCT = (0.25, 0.5, 1.0, 5.0)
RETAINED = (0.5, 0.75, 0.9)  # shares of the new load still running


class NoSeasonPeakError(UserError, ValueError):
    """The years analysed have no hour in a peak season (needed for its threshold)."""

    def __init__(self, season: str) -> None:
        super().__init__(f"no hour of load in the {season} peak months; pass whole calendar years")


class InvalidLimitError(UserError, ValueError):
    """A curtailment limit outside (0, 100) %."""

    def __init__(self, limit_pct: float) -> None:
        self.limit_pct = limit_pct
        super().__init__(f"curtailment limit must be above 0 and below 100 %, got {limit_pct}")


@dataclass(frozen=True)
class Thresholds:
    """Seasonal peak thresholds (MW)."""

    summer: float
    winter: float

    def by_month(self) -> np.ndarray:
        """Threshold per month, indexed 1-12 (index 0 unused)."""
        out = np.full(13, self.winter)
        out[list(SUMMER_HELD_MONTHS)] = self.summer
        return out

    def per_hour(self, month: np.ndarray) -> np.ndarray:
        """Threshold of each hour, from its local month (1-12)."""
        return self.by_month()[np.asarray(month)]


def seasonal_thresholds(load: np.ndarray, month: np.ndarray) -> Thresholds:
    """Highest load in Jun-Aug and in Dec-Feb."""
    load, month = np.asarray(load, dtype=float), np.asarray(month)
    summer = np.isin(month, SUMMER_PEAK_MONTHS)
    winter = np.isin(month, WINTER_PEAK_MONTHS)
    if not summer.any():
        raise NoSeasonPeakError("summer")
    if not winter.any():
        raise NoSeasonPeakError("winter")
    return Thresholds(float(load[summer].max()), float(load[winter].max()))


def year_weights(year: np.ndarray) -> np.ndarray:
    """w_h = 1 / (number of years x hours of h's year): the mean of yearly rates as one sum."""
    _, inverse, counts = np.unique(np.asarray(year), return_inverse=True, return_counts=True)
    return 1.0 / (len(counts) * counts[inverse])


def curtailment_rate(load: np.ndarray, threshold: np.ndarray, year: np.ndarray, added_mw: float) -> float:
    """Mean over years of curtailed MWh / (added_mw x hours of the year); the definition, plainly."""
    curtailed = np.maximum(0.0, np.asarray(load, dtype=float) + added_mw - threshold)
    rates = [curtailed[year == y].sum() / (added_mw * (year == y).sum()) for y in np.unique(year)]
    return float(np.mean(rates))


def _check_limits(limits_pct: tuple[float, ...] | list[float]) -> np.ndarray:
    limits = np.asarray(limits_pct, dtype=float)
    for c in limits:
        if not 0.0 < c < 100.0:
            raise InvalidLimitError(float(c))
    return limits / 100.0


def _sorted(d2: np.ndarray, w2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gaps sorted ascending per row, with their weights."""
    if np.all(w2 == w2.flat[0]):  # equal weights (one year): a plain sort, no index shuffle
        return np.sort(d2, axis=1), w2
    order = np.argsort(d2, axis=1, kind="stable")
    return np.take_along_axis(d2, order, axis=1), np.take_along_axis(w2, order, axis=1)


def _solve_sorted(d: np.ndarray, w: np.ndarray, limits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(headroom per row and limit, rows whose answer may lie beyond the last column given)."""
    cum_w = np.cumsum(w, axis=1)
    cum_s = np.cumsum(w * d, axis=1)
    curtailed_at_break = cum_w * d - cum_s  # C(d_k); a tie group shares one value
    rows = np.arange(d.shape[0])
    n = d.shape[1]
    out = np.zeros((d.shape[0], len(limits)))
    beyond = np.zeros(d.shape[0], dtype=bool)
    for j, limit in enumerate(limits):
        ok = (d >= 0) & (curtailed_at_break <= limit * d)
        last = n - 1 - np.argmax(ok[:, ::-1], axis=1)
        value = cum_s[rows, last] / (cum_w[rows, last] - limit)
        out[:, j] = np.where(ok.any(axis=1), value, 0.0)
        beyond |= ok[:, -1]
    return out, beyond


PREFIX_SHARE = 0.3  # hours solved first: the smallest gaps; a row needing more is solved whole


def headroom_from_gaps(gaps: np.ndarray, weights: np.ndarray, limits_pct: tuple[float, ...]) -> np.ndarray:
    """Headroom (MW) per limit, for rows of gaps d = threshold - load with weights summing to 1.

    `gaps` and `weights` are (n,) or (samples, n); the result is (limits,) or (samples, limits).
    Only hours with d below the answer matter, so the smallest `PREFIX_SHARE` of the sorted gaps
    are solved first; rows whose last qualifying break is the prefix's edge are solved in full.
    """
    c = _check_limits(limits_pct)
    d2 = np.atleast_2d(np.asarray(gaps, dtype=float))
    w2 = np.broadcast_to(np.atleast_2d(np.asarray(weights, dtype=float)), d2.shape)
    d, w = _sorted(d2, w2)
    n = d.shape[1]
    k = min(n, max(256, int(n * PREFIX_SHARE)))
    out, beyond = _solve_sorted(d[:, :k], w[:, :k], c)
    if k < n and beyond.any():
        out[beyond], _ = _solve_sorted(d[beyond], w[beyond], c)
    return out[0] if np.ndim(gaps) == 1 else out


def headroom_mw(
    load: np.ndarray, threshold: np.ndarray, year: np.ndarray,
    limits_pct: tuple[float, ...] = DEFAULT_LIMITS_PCT,
) -> np.ndarray:
    """Headroom (MW) at each limit (%): the largest constant load whose curtailment rate is within it."""
    gaps = np.asarray(threshold, dtype=float) - np.asarray(load, dtype=float)
    return headroom_from_gaps(gaps, year_weights(year), limits_pct)


@dataclass(frozen=True)
class CurtailmentStats:
    """What curtailing a constant new load of `added_mw` looks like over the years analysed."""

    curtailed_hours_per_year: float
    mean_event_hours: float
    retained: tuple[float, float, float]  # share of curtailed hours with >= 50/75/90 % still running
    winter_share: float
    summer_share: float
    shoulder_share: float


def curtailed_mask(load: np.ndarray, threshold: np.ndarray, added_mw: float) -> np.ndarray:
    """True in the hours where a constant `added_mw` would be curtailed."""
    return np.asarray(load, dtype=float) + added_mw > threshold


def curtailment_stats(
    load: np.ndarray, threshold: np.ndarray, year: np.ndarray, month: np.ndarray, added_mw: float
) -> CurtailmentStats:
    """Hours, events, retained shares and seasons of the curtailment of `added_mw` (hours in time order)."""
    n_years = len(np.unique(year))
    curtail = np.maximum(0.0, np.asarray(load, dtype=float) + added_mw - threshold)
    hit = curtail > 0
    count = int(hit.sum())
    if added_mw <= 0 or count == 0:
        return CurtailmentStats(0.0, 0.0, (0.0, 0.0, 0.0), 0.0, 0.0, 0.0)
    starts = int(hit[0]) + int(np.count_nonzero(hit[1:] & ~hit[:-1]))
    share = curtail[hit] / added_mw
    retained = tuple(float(np.mean(share <= 1.0 - r)) for r in RETAINED)
    m = np.asarray(month)[hit]
    winter = float(np.isin(m, WINTER_PEAK_MONTHS).mean())
    summer = float(np.isin(m, SUMMER_PEAK_MONTHS).mean())
    shoulder = float((~np.isin(m, (*WINTER_PEAK_MONTHS, *SUMMER_PEAK_MONTHS))).mean())
    return CurtailmentStats(
        curtailed_hours_per_year=count / n_years,
        mean_event_hours=count / starts,
        retained=retained,  # type: ignore[arg-type]
        winter_share=winter,
        summer_share=summer,
        shoulder_share=shoulder,
    )


def load_factor(load: np.ndarray) -> float:
    """Mean load over peak load."""
    load = np.asarray(load, dtype=float)
    return float(load.mean() / load.max())
