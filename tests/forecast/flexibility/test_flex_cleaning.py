"""Cleaning: whole local years, DST, filled hours counted, spikes set no threshold, short regions refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from forecast import schema as S
from forecast.flexibility import (
    DuplicateHoursError,
    InsufficientYearsError,
    analyse,
    clean_load,
    flexibility,
)
from tests.forecast.flexibility.conftest import TZ, synthetic_load


def test_clean__keeps_whole_local_years_with_dst_days_of_23_and_25_hours(three_years: pl.DataFrame) -> None:
    # Start mid-2019 (local) so 2019 is partial and dropped.
    zone = ZoneInfo(TZ)
    extra = synthetic_load(start=datetime(2019, 6, 1, tzinfo=zone), end=datetime(2020, 1, 1, tzinfo=zone))
    clean = clean_load(pl.concat([extra, three_years]), "r1", TZ)
    assert clean.years == (2020, 2022)
    assert clean.hours.height == 8784 + 8760 + 8760
    first = clean.hours.row(0, named=True)
    assert first[S.TS] == datetime(2020, 1, 1, 5, tzinfo=ZoneInfo("UTC"))  # local midnight, EST
    assert (first["year"], first["month"], first["hour"]) == (2020, 1, 0)
    per_day = clean.hours.group_by(
        pl.col(S.TS).dt.convert_time_zone(TZ).dt.date().alias("day")).len()
    lengths = dict(per_day.iter_rows())
    assert lengths[datetime(2021, 3, 14).date()] == 23
    assert lengths[datetime(2021, 11, 7).date()] == 25


def test_clean__counts_gaps_nulls_and_implausible_values_as_filled(three_years: pl.DataFrame) -> None:
    frame = three_years.with_row_index("i")
    frame = frame.filter(~pl.col("i").is_in([100, 101, 102]))  # three missing hours
    bad = {5000: None, 5001: None, 9000: 2e9, 12000: 0.0, 15000: -5.0}
    value = pl.col(S.VALUE)
    for i, v in bad.items():
        value = pl.when(pl.col("i") == i).then(pl.lit(v, pl.Float64)).otherwise(value)
    clean = clean_load(frame.with_columns(value.alias(S.VALUE)).drop("i"), "r1", TZ)
    assert clean.filled_hours == 8
    assert clean.hours[S.VALUE].null_count() == 0
    assert clean.hours[S.VALUE].max() < 2000


@pytest.mark.parametrize("factor", [1.6, 3.0, 2e6])
def test_spike__moves_nothing_beyond_removing_that_hour(three_years: pl.DataFrame, factor: float) -> None:
    peak_ts = three_years.sort(S.VALUE)[-1, S.TS]
    spiked = three_years.with_columns(
        pl.when(pl.col(S.TS) == peak_ts).then(pl.col(S.VALUE) * factor).otherwise(pl.col(S.VALUE))
        .alias(S.VALUE)
    )
    removed = three_years.filter(pl.col(S.TS) != peak_ts)
    with_spike = flexibility(spiked, "r1", TZ)
    without = flexibility(removed, "r1", TZ)
    assert with_spike.model_dump() == without.model_dump()


def test_short_region__refused_by_name_with_what_it_has() -> None:
    short = synthetic_load("tiny", start=datetime(2021, 3, 1, tzinfo=ZoneInfo(TZ)),
                           end=datetime(2022, 2, 1, tzinfo=ZoneInfo(TZ)))
    with pytest.raises(InsufficientYearsError, match=rf"region 'tiny' has {short.height} hour\(s\)") as err:
        clean_load(short, "tiny", TZ)
    assert err.value.region == "tiny" and err.value.hours == short.height == 8088


def test_short_region__a_year_ending_an_hour_early_is_not_whole(three_years: pl.DataFrame) -> None:
    one = three_years.filter(pl.col(S.TS) < datetime(2021, 1, 1, 4, tzinfo=ZoneInfo("UTC")))  # 23:00 local
    with pytest.raises(InsufficientYearsError):
        clean_load(one, "r1", TZ)


def test_years__filter_keeps_only_the_asked_years(three_years: pl.DataFrame) -> None:
    result = analyse(clean_load(three_years, "r1", TZ, years=(2021, 2021)))
    assert result.years == (2021, 2021)
    with pytest.raises(InsufficientYearsError, match="within years 2030-2031"):
        clean_load(three_years, "r1", TZ, years=(2030, 2031))


def test_duplicates__refused(three_years: pl.DataFrame) -> None:
    with pytest.raises(DuplicateHoursError, match="r1"):
        clean_load(pl.concat([three_years, three_years.head(2)]), "r1", TZ)
