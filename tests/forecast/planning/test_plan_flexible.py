"""Firm and flexible headroom side by side: the flexible side against the historical method, ranking."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.flexibility import OutlookSamples, analyse, clean_load
from forecast.planning.flexible import (
    FlexibleRequest,
    InvalidCurtailmentError,
    firm_headroom,
    flexible_headroom,
)
from forecast.planning.siting import RankByError, check_rank_by, ranked_p


@pytest.fixture(scope="module")
def clean():
    ts = pl.datetime_range(datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC), "1h",
                           closed="left", eager=True, time_zone="UTC")
    h = np.arange(len(ts))
    rng = np.random.default_rng(1)
    value = 1000 + 200 * np.sin(2 * np.pi * h / 24) + 150 * np.cos(4 * np.pi * h / 8784)
    value = value + 20 * rng.random(len(h))
    frame = pl.DataFrame({S.REGION: "r", S.TS: ts, S.VALUE: value}).with_columns(pl.col(S.TS).cast(S.UTC_TS))
    return clean_load(frame, "r", "UTC")


def same_year_samples(clean, n: int = 4) -> OutlookSamples:
    """Every sample repeats 2024's monthly peaks in 2026, no AI demand, no capacity (seasonal peak)."""
    load, _, month, _ = clean.arrays()
    peaks = np.array([load[month == m].max() for m in range(1, 13)])
    months = tuple(date(2026, m, 1) for m in range(1, 13))
    return OutlookSamples(months, np.tile(peaks, (n, 1)), {"base": np.zeros(12)}, None)


def test_flexible__same_load_as_history_gives_the_historical_headroom_and_its_probabilities(clean):
    samples = same_year_samples(clean)
    for limit in (0.5, 1.0, 5.0):
        measured = analyse(clean, [limit]).limits[0].headroom_mw
        flex = flexible_headroom(clean, samples, "base", date(2026, 6, 1), 10.0, 0.5, FlexibleRequest(limit))
        assert flex.year == 2026 and flex.basis == "seasonal_peak"
        assert flex.headroom_mw.p50 == pytest.approx(measured, abs=0.1)
        assert flex.p_headroom_fits == 1.0 and flex.p_energized == 0.5
    big = flexible_headroom(clean, samples, "base", date(2026, 6, 1), 1e6, 0.5, FlexibleRequest(1.0))
    assert big.p_headroom_fits == 0.0 and big.p_energized == 0.0


def test_flexible__headroom_rises_with_the_curtailment_limit(clean):
    samples = same_year_samples(clean)
    p50 = [
        flexible_headroom(clean, samples, "base", date(2026, 3, 1), 1.0, 1.0, FlexibleRequest(c))
        .headroom_mw.p50
        for c in (0.25, 1.0, 5.0)
    ]
    assert p50[0] < p50[1] < p50[2]


def test_firm__band_and_p_energized_from_the_paths():
    paths = np.array([[0.0, 100.0], [0.0, 300.0], [0.0, 200.0], [0.0, 400.0], [0.0, 500.0]])
    firm = firm_headroom(paths, 1, date(2027, 2, 1), 0.6, 0.5)
    assert firm.headroom_mw.p50 == 300.0 and firm.headroom_mw.p10 == pytest.approx(140.0)
    assert firm.p_energized == 0.3


@pytest.mark.parametrize("value", [0.0, -1.0, 100.0])
def test_flexible__curtailment_outside_0_100_is_refused_naming_the_field(value):
    with pytest.raises(InvalidCurtailmentError, match="curtailment_pct"):
        FlexibleRequest(value)


def test_rank_by__unknown_or_flexible_without_a_flexible_request_is_refused():
    with pytest.raises(RankByError, match="choose one of firm, flexible"):
        check_rank_by("cheapest", None)
    with pytest.raises(RankByError, match="needs flexible"):
        check_rank_by("flexible", None)
    check_rank_by("flexible", FlexibleRequest())


def test_ranked_p__flexible_reads_the_flexible_side_and_falls_back_to_firm(clean):
    from forecast.planning.flexible import HeadroomAtTarget
    from forecast.planning.queue_risk import QueueRisk, WaitDays

    firm = firm_headroom(np.full((3, 2), 500.0), 0, date(2026, 1, 1), 1.0, 0.4)
    flex = flexible_headroom(clean, same_year_samples(clean), "base", date(2026, 6, 1), 1.0, 0.9,
                             FlexibleRequest(1.0))
    risk = QueueRisk(
        p_energized_by_target=0.4, p_connected_by_target=0.9, p_headroom_holds_given_connected=0.44,
        hold_months=12, wait_days=WaitDays(p10=1, p50=2, p90=3), headroom_shortfall_probability=0.5,
        risk="high", drivers=[], model_version="m", data_as_of=date(2025, 6, 1),
        headroom_at_target=HeadroomAtTarget(firm=firm, flexible=flex),
    )
    assert ranked_p(risk, "firm") == 0.4 and ranked_p(risk, "flexible") == 0.9
    plain = risk.model_copy(update={"headroom_at_target": HeadroomAtTarget(firm=firm)})
    assert ranked_p(plain, "flexible") == 0.4
