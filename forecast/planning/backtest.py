"""Queue-model backtest on held-out requests: Cox concordance, and Brier scores vs a per-region KM.

Requests are split at random within each region. The model is fitted on the rest and scored on
the held-out ones at fixed horizons after each request was made. A held-out request counts at a
horizon only when its outcome there is known: in service by then (1), withdrawn, or seen still
waiting or in service later (0); requests censored earlier are left out of that horizon. The
headroom factor is 1 here: past connections already happened on the grid as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.planning.cox import QueueCox, concordance
from forecast.planning.survival import DAYS_PER_YEAR, IN_SERVICE, km_probability


@dataclass(frozen=True)
class BacktestParams:
    """How the queue backtest splits and scores."""

    test_share: float = field(
        default=0.3, metadata={"description": "Share of each region's requests held out."}
    )
    seed: int = field(default=7, metadata={"description": "Seed of the split."})
    horizons_years: tuple[float, ...] = field(
        default=(1.0, 2.0, 3.0, 5.0), metadata={"description": "Horizons after the request, years."}
    )


def split(frame: pl.DataFrame, params: BacktestParams) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Random held-out share per region (seeded): (train, test)."""
    rng = np.random.default_rng(params.seed)
    held = frame.with_columns(pl.Series("u", rng.uniform(size=frame.height)))
    held = held.with_columns(
        (pl.col("u").rank().over(S.REGION) <= params.test_share * pl.len().over(S.REGION)).alias("test")
    )
    return held.filter(~pl.col("test")).drop("u", "test"), held.filter(pl.col("test")).drop("u", "test")


def known_outcomes(test: pl.DataFrame, horizon_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Mask of requests whose outcome at the horizon is known, and that outcome (1 in service)."""
    t, o = test["duration_days"].to_numpy(), test["outcome"].to_numpy()
    served = (o == IN_SERVICE) & (t <= horizon_days)
    known = served | (o == 2) | (t >= horizon_days)
    return known, served.astype(float)


def queue_backtest(survival: pl.DataFrame, as_of: date, params: BacktestParams | None = None) -> pl.DataFrame:
    """Per region and horizon: n scored, Brier of the model and of the region's KM, and concordance."""
    params = params or BacktestParams()
    train, test = split(survival, params)
    cox = QueueCox().fit(train, as_of)
    score = cox.risk_score(test)
    rows = []
    for (region,), part in test.group_by(S.REGION, maintain_order=True):
        mask = (test[S.REGION] == region).to_numpy()
        c_index = concordance(
            part["duration_days"].to_numpy(), (part["outcome"] == IN_SERVICE).to_numpy(), score[mask]
        )
        region_train = train.filter(pl.col(S.REGION) == region)
        days = np.array([h * DAYS_PER_YEAR for h in params.horizons_years])
        model_p = cox.incidence_at(part, days)
        km_p = km_probability(region_train, days) if region_train.height else np.full(len(days), np.nan)
        for j, (years, horizon) in enumerate(zip(params.horizons_years, days, strict=True)):
            known, outcome = known_outcomes(part, horizon)
            if not known.any():
                continue
            rows.append(
                {
                    S.REGION: region,
                    "horizon_years": years,
                    "n": int(known.sum()),
                    "observed_rate": float(outcome[known].mean()),
                    "brier_model": float(((model_p[known, j] - outcome[known]) ** 2).mean()),
                    "brier_km": float(((km_p[j] - outcome[known]) ** 2).mean()),
                    "concordance": c_index,
                }
            )
    pooled_c = concordance(
        test["duration_days"].to_numpy(), (test["outcome"] == IN_SERVICE).to_numpy(), score
    )
    return (
        pl.DataFrame(rows)
        .sort(S.REGION, "horizon_years")
        .with_columns(pl.lit(pooled_c).alias("concordance_all"))
    )


def brier_summary(scores: pl.DataFrame, horizons: Sequence[float] | None = None) -> pl.DataFrame:
    """Brier scores per horizon pooled over regions (weighted by n)."""
    frame = scores if horizons is None else scores.filter(pl.col("horizon_years").is_in(list(horizons)))
    return (
        frame.group_by("horizon_years")
        .agg(
            pl.col("n").sum(),
            ((pl.col("brier_model") * pl.col("n")).sum() / pl.col("n").sum()).alias("brier_model"),
            ((pl.col("brier_km") * pl.col("n")).sum() / pl.col("n").sum()).alias("brier_km"),
        )
        .sort("horizon_years")
    )
