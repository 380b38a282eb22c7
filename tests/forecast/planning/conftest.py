"""Tiny seeded queues, a fitted queue model and synthetic headroom paths for the planning tests."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.planning.cox import QueueCox
from forecast.planning.outlook import Outlook, OutlookResult, add_months
from forecast.planning.survival import survival_frame

AS_OF = date(2025, 6, 30)


def make_queue(seed: int = 3, n: int = 150, regions: dict[str, float] | None = None) -> pl.DataFrame:
    """Requests whose wait grows with MW; some withdraw, recent ones still wait at AS_OF."""
    regions = regions or {"fast": 1.0, "slow": 3.0}
    rng = np.random.default_rng(seed)
    frames = []
    for region, years in regions.items():
        mw = np.exp(rng.normal(np.log(150), 0.8, n))
        wait = years * 365.25 * (mw / 150) ** 0.4 * rng.lognormal(0, 0.25, n)
        requested = [AS_OF - timedelta(days=int(d)) for d in rng.uniform(0, 10 * 365, n)]
        withdraws = rng.uniform(size=n) < 0.25
        rows = []
        for i in range(n):
            end = requested[i] + timedelta(days=int(wait[i] * (0.5 if withdraws[i] else 1.0)))
            done = end <= AS_OF
            status = ("withdrawn" if withdraws[i] else "in_service") if done else "active"
            rows.append(
                {
                    S.REGION: region,
                    "request_id": f"{region}-{i}",
                    "kind": "load" if i % 2 else "generation",
                    "mw": float(mw[i]),
                    "requested_on": requested[i],
                    "status": status,
                    "in_service_on": end if status == "in_service" else None,
                    "withdrawn_on": end if status == "withdrawn" else None,
                    S.SOURCE: "test",
                }
            )
        frames.append(pl.DataFrame(rows, schema=S.QUEUE_REQUESTS))
    return pl.concat(frames)


def headroom_result(
    level: float, slope: float, months: int = 72, n: int = 200, seed: int = 1
) -> OutlookResult:
    """Headroom paths around a linear trend (MW), as the outlook would hand them to queue risk."""
    rng = np.random.default_rng(seed)
    paths = level + slope * np.arange(months)[None, :] + rng.normal(0, 50, (n, months))
    outlook = Outlook(
        region="fast",
        scenario="base",
        months=months,
        data_as_of=AS_OF,
        model_version="test",
        ai_growth_method="none",
        rows=[],
    )
    return OutlookResult(outlook, paths, [add_months(date(2025, 6, 1), k) for k in range(months)])


@pytest.fixture(scope="package")
def queue() -> pl.DataFrame:
    return make_queue()


@pytest.fixture(scope="package")
def cox(queue: pl.DataFrame) -> QueueCox:
    return QueueCox().fit(survival_frame(queue, AS_OF), AS_OF)


@pytest.fixture(name="make_queue")
def make_queue_fixture():
    return make_queue


@pytest.fixture(name="headroom_result")
def headroom_result_fixture():
    return headroom_result


@pytest.fixture(name="as_of")
def as_of_fixture() -> date:
    return AS_OF
