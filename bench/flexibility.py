"""Curtailment-enabled headroom over many regions: wall time of cleaning plus analysis at the default limits.

    .venv/bin/python bench/flexibility.py [--regions 22] [--years 9]
    .venv/bin/python bench/flexibility.py --data FILE --region EIA930_PJM=America/New_York ...

Synthetic (default): seeded hourly load for `--regions` regions over `--years` whole years in US
zones, with daily and seasonal shape, noise, a few gaps and spikes; goal <= 5 s on 2 cores.
With `--data` (a long CSV `region,ts,load_mw`, ts UTC): the named regions, whole local years.
Prints one table row per region and limit, and the wall time.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.flexibility import RegionFlexibility, flexibility  # noqa: E402

ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
GOAL_S = 5.0


def synthetic(regions: int, years: int, seed: int = 17) -> tuple[pl.DataFrame, dict[str, str]]:
    """Long hourly load of `regions` regions over `years` years (2015 on), and each one's zone."""
    rng = np.random.default_rng(seed)
    ts = pl.datetime_range(datetime(2014, 12, 31, 12), datetime(2015 + years, 1, 1, 12), "1h",
                           time_zone="UTC", eager=True)
    frames, zones = [], {}
    t = np.arange(len(ts), dtype=float)
    for r in range(regions):
        name, zone = f"syn-{r:02d}", ZONES[r % len(ZONES)]
        local = ts.dt.convert_time_zone(zone)
        day = local.dt.ordinal_day().to_numpy().astype(float)
        hour = local.dt.hour().to_numpy().astype(float)
        summer_weight = rng.uniform(0.15, 0.35)
        winter = 0.15 * np.exp(-(((day - 20) / 25) ** 2))
        season = 1 + summer_weight * np.exp(-(((day - 205) / 35) ** 2)) + winter
        daily = 1 + rng.uniform(0.1, 0.25) * np.sin(2 * np.pi * (hour - 10) / 24)
        weather = np.convolve(rng.standard_normal(len(t)), np.ones(72) / 72 ** 0.5, mode="same") * 0.02
        noise = 1 + 0.01 * rng.standard_normal(len(t))
        value = rng.uniform(2e3, 1.5e5) * season * daily * (1 + weather) * noise
        value[rng.integers(0, len(t), 20)] *= rng.choice([0.0, 3.0, 1e4], 20)  # EIA-930-like spikes and dips
        keep = rng.uniform(size=len(t)) > 0.002  # ~0.2 % of hours missing
        stamps = ts.filter(keep).cast(S.UTC_TS)
        frames.append(pl.DataFrame({S.REGION: name, S.TS: stamps, S.VALUE: value[keep]}))
        zones[name] = zone
    return pl.concat(frames), zones


def table(results: list[RegionFlexibility]) -> str:
    """Fixed-width rows: region, years, thresholds, filled hours, load factor, then one line per limit."""
    lines = [f"{'region':<14} {'years':<9} {'summer MW':>10} {'winter MW':>10} {'filled':>6} {'LF':>5} "
             f"{'limit %':>7} {'headroom MW':>11} {'h/yr':>6} {'event h':>7} {'r50':>5} {'r75':>5} "
             f"{'r90':>5} {'win':>5} {'sum':>5} {'shl':>5}"]
    for res in results:
        head = (f"{res.region:<14} {res.years[0]}-{res.years[1]} {res.thresholds_mw.summer:>10.0f} "
                f"{res.thresholds_mw.winter:>10.0f} {res.filled_hours:>6} {res.load_factor:>5.3f}")
        for i, lim in enumerate(res.limits):
            lead = head if i == 0 else " " * len(head)
            lines.append(
                f"{lead} {lim.limit_pct:>7.2f} {lim.headroom_mw:>11.0f} {lim.curtailed_hours_per_year:>6.0f} "
                f"{lim.mean_event_hours:>7.1f} {lim.retained_50:>5.2f} {lim.retained_75:>5.2f} "
                f"{lim.retained_90:>5.2f} {lim.winter_share:>5.2f} {lim.summer_share:>5.2f} "
                f"{lim.shoulder_share:>5.2f}"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=22)
    parser.add_argument("--years", type=int, default=9)
    parser.add_argument("--data", type=Path, help="long CSV region,ts,load_mw (ts UTC)")
    parser.add_argument("--region", action="append", default=[], help="NAME=IANA zone (with --data)")
    args = parser.parse_args()
    if args.data:
        frame = pl.read_csv(args.data, try_parse_dates=True).rename({"load_mw": S.VALUE})
        zones = dict(item.split("=", 1) for item in args.region)
        if not zones:
            parser.error("--data needs at least one --region NAME=ZONE")
    else:
        frame, zones = synthetic(args.regions, args.years)
    for zone in zones.values():
        ZoneInfo(zone)  # an unknown zone fails here, before any work
    start = time.perf_counter()
    results = [flexibility(frame, region, zone) for region, zone in zones.items()]
    wall = time.perf_counter() - start
    print(table(results))
    region_years = sum(r.years[1] - r.years[0] + 1 for r in results)
    print(f"\n{len(results)} region(s), {region_years} region-years, default limits: {wall:.2f} s wall"
          + ("" if args.data else f" (goal <= {GOAL_S:.0f} s: {'met' if wall <= GOAL_S else 'MISSED'})"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
