"""`headroom demo`: loads real replayed grid load plus synthetic capacity, AI demand and queues."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.catalog import Region
from pipelines.config.region_files import add_regions, load_catalog
from pipelines.config.settings import Settings
from pipelines.demo import synthetic as syn
from pipelines.demo.replay import latest_hour, replay
from pipelines.demo.samples import SAMPLES, read_sample
from pipelines.store import OBSERVATION_KEY, Store


@dataclass(frozen=True)
class DemoReport:
    """What `headroom demo` loaded."""

    regions: list[str]
    observations: int
    queue_requests: int
    shift_days: dict[str, int]
    ends_at: datetime


def _region_seed(seed: int, region_id: str, what: str) -> int:
    return seed * 1_000_003 + zlib.crc32(f"{region_id}/{what}".encode())


def _series_rows(region: str, series: str, ts: pl.Series, values: np.ndarray, source: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            S.REGION: region,
            S.SERIES: series,
            S.TS: ts,
            S.VALUE: np.round(values, 3),
            S.UNIT: "MW",
            S.SOURCE: source,
        }
    )


def demo_frames(
    catalog: dict[str, Region],
    settings: Settings,
    now: datetime,
    days: int,
    seed: int,
    synthetic_regions: int = 0,
) -> tuple[pl.DataFrame, pl.DataFrame, list[Region], dict[str, int]]:
    """Observations and queue requests of the demo, the synthetic regions made, and replay shifts."""
    end = latest_hour(now)
    frames, queues, shifts = [], [], {}
    for sample in SAMPLES:
        region = catalog[sample.region]
        real, shift = replay(read_sample(settings.samples, sample.region), now, days)
        shifts[region.id] = shift
        source = f"demo:{sample.series_name};shift_days={shift}"
        frames.append(_series_rows(region.id, S.GRID_LOAD, real[S.TS], real[S.VALUE].to_numpy(), source))
        frames.extend(_synthetic_series(region, real, now, seed))
        queues.append(
            syn.queue_requests(region, now, syn.QueueParams(), _region_seed(seed, region.id, "queue"))
        )
    rng = np.random.default_rng(seed)
    made = []
    for index in range(1, synthetic_regions + 1):
        region, load_params = syn.synthetic_region(index, rng)
        ts = syn.hourly_index(end, days)
        load = syn.synthetic_load(region, ts, now, load_params, _region_seed(seed, region.id, "load"))
        frames.append(_series_rows(region.id, S.GRID_LOAD, ts, load, "demo:synthetic"))
        frames.extend(_synthetic_series(region, pl.DataFrame({S.TS: ts, S.VALUE: load}), now, seed))
        queues.append(
            syn.queue_requests(region, now, syn.QueueParams(), _region_seed(seed, region.id, "queue"))
        )
        made.append(region)
    observations = pl.concat(frames).with_columns(pl.lit(now).cast(S.UTC_TS).alias(S.INGESTED_AT))
    return S.conform(observations, S.OBSERVATIONS), pl.concat(queues), made, shifts


def _synthetic_series(region: Region, load: pl.DataFrame, now: datetime, seed: int) -> list[pl.DataFrame]:
    """Capacity and AI demand of a region, sized on its grid load."""
    ts = load[S.TS]
    ai_params = syn.AI_DEMAND.get(region.id, syn.AIDemandParams())
    ai = syn.ai_demand(region, ts, now, ai_params, _region_seed(seed, region.id, "ai"))
    full_ai = syn.ai_demand_level(ai_params, region.rack_kw[1], np.array([10.0]))[0]
    cap_params = syn.CAPACITY.get(region.id, syn.CapacityParams())
    cap = syn.capacity(float(load[S.VALUE].max()) + full_ai, len(ts), cap_params)
    return [
        _series_rows(region.id, S.AI_DEMAND, ts, ai, "demo:synthetic"),
        _series_rows(region.id, S.CAPACITY, ts, cap, "demo:synthetic"),
    ]


def run_demo(
    store: Store,
    settings: Settings,
    now: datetime,
    days: int = 730,
    seed: int = 7,
    synthetic_regions: int = 0,
) -> DemoReport:
    """Load the demo into the store; rows whose key is already stored are left as they are."""
    catalog = load_catalog(settings)
    observations, queues, made, shifts = demo_frames(catalog, settings, now, days, seed, synthetic_regions)
    if made:
        add_regions(settings, made)
    key = list(OBSERVATION_KEY)
    stored = store.scan("observations").select(key).collect()
    new = observations.join(stored, on=key, how="anti", nulls_equal=True)
    if new.height:
        store.append("observations", new)
    store.upsert("queue_requests", queues, keys=(S.REGION, "request_id"))
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "demo.json").write_text(
        json.dumps(
            {
                "ends_at": latest_hour(now).isoformat(),
                "days": days,
                "seed": seed,
                "shift_days": shifts,
                "note": "grid_load is real data shifted forward by shift_days; original ts = ts - shift_days",
            },
            indent=1,
        )
    )
    return DemoReport(
        regions=[*shifts, *(r.id for r in made)],
        observations=new.height,
        queue_requests=queues.height,
        shift_days=shifts,
        ends_at=latest_hour(now),
    )
