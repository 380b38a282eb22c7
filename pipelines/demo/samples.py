"""The real hourly load slices shipped in data/samples/, and how they were cut from ../shared/data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import polars as pl

from forecast import schema as S

SAMPLE_DAYS = 1095  # three years: two to replay plus up to 364 days of shift slack


@dataclass(frozen=True)
class Sample:
    """Where one region's real grid_load comes from."""

    region: str
    file: str  # under ../shared/data/long
    series_name: str  # the `region` value in that file
    publisher: str
    licence: str

    @property
    def filename(self) -> str:
        return f"grid_load_{self.region}.parquet"


SAMPLES = (
    Sample(
        "us-nova",
        "eia930_dom_fwest_west_pjm_erco_2015_2023.csv",
        "EIA930_PJM-DOM",
        "U.S. EIA Form EIA-930, PJM Dominion sub-BA (Ruggles et al., Sci Data 7, 155, 2020)",
        "CC BY 4.0",
    ),
    Sample(
        "de-fra",
        "entsoe_de_lu_2019_2021.csv",
        "ENTSOE_DE-LU",
        "ENTSO-E Transparency Platform, Actual Total Load, bidding zone DE-LU",
        "ENTSO-E Transparency Platform terms of use (re-use with attribution)",
    ),
    Sample(
        "nordics",
        "nordpool_no_areas_2013_2020.csv",
        "NORDPOOL_NO1",
        "Nord Pool, hourly consumption, area NO1 (Oslo)",
        "Nord Pool public market data terms",
    ),
    Sample(
        "us-wtx",
        "ercot_native_load_weather_zones_2016_2024.csv",
        "ERCOT_FWEST",
        "ERCOT Native Load by weather zone, Far West",
        "ERCOT public reports",
    ),
)


def cut_sample(long: pl.DataFrame, sample: Sample, days: int = SAMPLE_DAYS) -> tuple[pl.DataFrame, int]:
    """The latest `days` of one series on a complete hourly grid; gaps filled linearly (count returned)."""
    series = long.filter(pl.col(S.REGION) == sample.series_name).sort(S.TS)
    end = series[S.TS].max()
    start = end - timedelta(days=days) + timedelta(hours=1)
    grid = pl.DataFrame({S.TS: pl.datetime_range(start, end, "1h", time_zone="UTC", eager=True)})
    cut = grid.join(series.select(S.TS, pl.col("load_mw").alias(S.VALUE)), on=S.TS, how="left")
    filled = int(cut[S.VALUE].null_count())
    cut = cut.with_columns(pl.col(S.VALUE).interpolate().forward_fill().backward_fill().round(1))
    return cut, filled


def build_samples(shared_long: Path, out_dir: Path) -> list[dict]:
    """Write each region's slice as zstd Parquet under `out_dir`; returns one record per sample."""
    records = []
    for sample in SAMPLES:
        long = pl.read_csv(shared_long / sample.file, try_parse_dates=True)
        cut, filled = cut_sample(long, sample)
        cut.write_parquet(out_dir / sample.filename, compression="zstd", compression_level=19)
        records.append(
            {
                "region": sample.region,
                "file": sample.filename,
                "source_series": sample.series_name,
                "from": str(cut[S.TS].min()),
                "to": str(cut[S.TS].max()),
                "rows": cut.height,
                "filled": filled,
                "publisher": sample.publisher,
                "licence": sample.licence,
            }
        )
    return records


def read_sample(samples_dir: Path, region: str) -> pl.DataFrame:
    """One shipped slice as `ts, value` (original UTC timestamps)."""
    sample = next(s for s in SAMPLES if s.region == region)
    return pl.read_parquet(samples_dir / sample.filename)


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(build_samples(Path(sys.argv[1]), Path(sys.argv[2])), indent=1))
