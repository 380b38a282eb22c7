from datetime import date

from forecast.catalog import Region
from forecast.planning.queue_risk import QueueRisk, WaitDays
from forecast.planning.siting import rank_regions


def _region(rid: str, rack_max: float) -> Region:
    return Region(
        id=rid,
        name=rid.upper(),
        timezone="UTC",
        holidays="US",
        queue_years=(1.0, 2.0),
        energy_source="wind",
        rack_kw=(10.0, rack_max),
        rack_note="cooling",
    )


def _risk(p: float) -> QueueRisk:
    return QueueRisk(
        p_energized_by_target=p,
        p_connected_by_target=min(1.0, p / 0.9),
        p_headroom_holds_given_connected=0.9,
        hold_months=12,
        wait_days=WaitDays(p10=100.0, p50=400.0, p90=900.0),
        headroom_shortfall_probability=0.1,
        risk="low" if p > 0.7 else "high",
        drivers=["wait", "withdrawals", "headroom"],
        model_version="v",
        data_as_of=date(2025, 1, 1),
    )


def test_siting__ranks_by_probability_and_flags_rack_density_in_words():
    catalog = {"aa": _region("aa", 60.0), "bb": _region("bb", 120.0)}
    siting = rank_regions(
        {"aa": _risk(0.9), "bb": _risk(0.3)}, catalog, 200.0, date(2028, 6, 1), rack_kw=80.0
    )
    assert [e.region for e in siting.ranking] == ["aa", "bb"]
    first, second = siting.ranking
    assert first.rack_density_exceeded and not second.rack_density_exceeded
    assert any("above the 60 kW" in r and "cooling" in r for r in first.reasons)
    assert first.reasons[0].startswith("#1: 90% chance")
