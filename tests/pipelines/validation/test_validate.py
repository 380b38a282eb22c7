"""Validation: DST rules, units, the hourly rule and every quarantine reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from forecast import schema as S
from pipelines.validation import RegionMap, validate
from pipelines.validation.localtime import occurrence, to_utc

REGIONS = RegionMap({"A": "de-fra", "B": "us-nova"})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rows(values, ts=None, ident="A", series=S.GRID_LOAD, unit="MW") -> pl.DataFrame:
    n = len(values)
    ts = ts or [utc(2024, 1, 1, h) for h in range(n)]
    return pl.DataFrame({
        "row": list(range(1, n + 1)), "ident": [ident] * n, S.SERIES: [series] * n,
        S.TS: pl.Series(ts, dtype=S.UTC_TS), S.VALUE: [None if v is None else str(v) for v in values],
        S.UNIT: [unit] * n,
    })


def reasons(result) -> dict[str, int]:
    return dict(result.rejected.group_by("reason").len().iter_rows())


def local_frame(labels: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"t": labels}).with_columns(pl.col("t").str.to_datetime("%Y-%m-%d %H:%M"))


def test_localtime__repeated_autumn_hour_is_read_in_file_order():
    frame = local_frame(["2019-10-27 02:00", "2019-10-27 02:00", "2019-10-27 03:00"])
    out = frame.select(to_utc(pl.col("t"), "Europe/Berlin", occurrence(pl.col("t")))).to_series()
    assert out.to_list() == [utc(2019, 10, 27, 0), utc(2019, 10, 27, 1), utc(2019, 10, 27, 2)]


def test_localtime__skipped_spring_hour_has_no_instant():
    frame = local_frame(["2019-03-31 01:00", "2019-03-31 02:00", "2019-03-31 03:00"])
    out = frame.select(to_utc(pl.col("t"), "Europe/Berlin")).to_series().to_list()
    assert out == [utc(2019, 3, 31, 0), None, utc(2019, 3, 31, 1)]


def test_localtime__hour_ending_labels_cover_dst_days_without_gaps():
    spring = local_frame(["2017-03-12 01:00", "2017-03-12 03:00", "2017-03-12 04:00"])
    out = spring.select(to_utc(pl.col("t"), "America/Chicago", hour_ending=True)).to_series()
    assert out.to_list() == [utc(2017, 3, 12, 6), utc(2017, 3, 12, 7), utc(2017, 3, 12, 8)]
    autumn = local_frame(["2017-11-05 02:00", "2017-11-05 02:00", "2017-11-05 03:00"])
    out = autumn.select(
        to_utc(pl.col("t"), "America/Chicago", occurrence(pl.col("t")), hour_ending=True)
    ).to_series()
    assert out.to_list() == [utc(2017, 11, 5, 6), utc(2017, 11, 5, 7), utc(2017, 11, 5, 8)]


@pytest.mark.parametrize(
    ("unit", "factor"), [("W", 1e-6), ("kW", 1e-3), ("MW", 1.0), ("GW", 1e3), ("mwh", 1.0)]
)
def test_validate__units_become_mw(unit, factor):
    result = validate(rows([5.0], unit=unit), REGIONS)
    assert result.hourly[S.VALUE].item() == pytest.approx(5.0 * factor)
    assert result.hourly[S.UNIT].item() == "MW"


def test_validate__each_bad_row_is_quarantined_with_its_reason():
    frame = rows(["100", "abc", "", "n/e", "NaN", "-5", "2e9", "120"])
    frame = pl.concat([frame, rows(["1"], ident="ZZ"), rows(["1"], unit="furlongs"),
                       rows(["1"], series="wind")]).with_columns(pl.int_range(1, 12).alias("row"))
    frame = frame.with_columns(pl.when(pl.col("row") == 8).then(None).otherwise(pl.col(S.TS)).alias(S.TS))
    result = validate(frame, REGIONS)
    assert reasons(result) == {
        "non_numeric": 1, "missing_value": 2, "not_a_number": 1, "negative": 1,
        "implausible_physical": 1, "malformed_ts": 1, "unknown_region": 1, "unknown_unit": 1,
        "unknown_series": 1,
    }
    assert result.hourly.height == 1
    assert result.rows_read == 11
    by_row = dict(result.rejected.select("row", "field").iter_rows())
    assert by_row[2] == S.VALUE and by_row[8] == S.TS and by_row[9] == S.REGION


def test_validate__subhourly_rows_average_to_the_hour():
    ts = [utc(2024, 1, 1, 0, m) for m in (0, 15, 30, 45)] + [utc(2024, 1, 1, 1, 0)]
    result = validate(rows([10, 20, 30, 40, 50], ts=ts), REGIONS)
    assert result.hourly.sort(S.TS)[S.VALUE].to_list() == [25.0, 50.0]
    assert result.hourly["n_rows"].sum() == 5


def test_validate__duplicate_in_batch_keeps_the_last_delivery():
    ts = [utc(2024, 1, 1, 0)] * 2 + [utc(2024, 1, 1, 1)]
    result = validate(rows([10, 11, 12], ts=ts), REGIONS)
    assert result.hourly.sort(S.TS)[S.VALUE].to_list() == [11.0, 12.0]
    assert result.rejected.select("row", "reason").rows() == [(1, "duplicate_in_batch")]


def test_validate__six_equal_hours_are_a_flatline_five_are_not():
    result = validate(rows([1, 2, 7, 7, 7, 7, 7, 7, 3, 4, 4, 4, 4, 4, 5]), REGIONS)
    assert sorted(result.rejected["row"].to_list()) == [3, 4, 5, 6, 7, 8]
    assert reasons(result) == {"flatline": 6}


def test_validate__flatline_does_not_apply_to_contracted_series():
    result = validate(rows([50] * 24, series=S.CAPACITY), REGIONS)
    assert result.rejected.is_empty()


def test_validate__value_far_beyond_history_is_quarantined():
    history = pl.LazyFrame({S.REGION: ["de-fra"] * 500, S.SERIES: [S.GRID_LOAD] * 500,
                            S.VALUE: [1000.0 + i % 50 for i in range(500)]})
    result = validate(rows([1000, 1020, 9000, 100]), REGIONS, history)
    assert reasons(result) == {"implausible_vs_history": 2}


def test_validate__temperature_may_be_negative():
    result = validate(rows([-12.5], series=S.TEMPERATURE, unit="degC"), REGIONS)
    assert result.hourly[S.VALUE].item() == -12.5 and result.hourly[S.UNIT].item() == "degC"


def test_validate__missing_columns_name_expected_and_found():
    with pytest.raises(S.MissingColumnsError, match=r"expected .*'value'.* found"):
        validate(rows([1]).drop(S.VALUE), REGIONS)


def test_validate__parts_are_summed_and_an_hour_missing_a_part_is_held_back():
    frame = pl.concat([rows([10, 20, 30]), rows([1, 2, None])]).with_columns(
        pl.int_range(1, 7).alias("row"), pl.Series("part", ["a"] * 3 + ["b"] * 3)
    )
    result = validate(frame, REGIONS)
    assert result.hourly.sort(S.TS)[S.VALUE].to_list() == [11.0, 22.0]
    assert result.hourly["n_rows"].to_list() == [2, 2]
    assert result.rejected.select("row", "reason").rows() == [(3, "incomplete_parts"), (6, "missing_value")]


def test_validate__duplicate_part_keeps_the_last_delivery():
    frame = rows([10, 11, 5]).with_columns(
        pl.Series(S.TS, [utc(2024, 1, 1, 0)] * 3, dtype=S.UTC_TS), pl.Series("part", ["a", "a", "b"])
    )
    result = validate(frame, REGIONS)
    assert result.hourly[S.VALUE].to_list() == [16.0]
    assert result.rejected.select("row", "reason").rows() == [(1, "duplicate_in_batch")]


def test_validate__flatline_continues_from_stored_hours():
    stored = pl.DataFrame({
        S.REGION: ["de-fra"] * 4, S.SERIES: [S.GRID_LOAD] * 4,
        S.ISSUED_AT: pl.Series([None] * 4, dtype=S.UTC_TS),
        S.TS: pl.Series([utc(2023, 12, 31, 20 + h) for h in range(4)], dtype=S.UTC_TS), S.VALUE: [7.0] * 4,
    })
    result = validate(rows([7, 7, 8, 9]), REGIONS, neighbours=lambda hours: stored)
    assert reasons(result) == {"flatline": 2}  # 4 stored + 2 new hours of 7: the new two
    alone = validate(rows([7, 7, 8, 9]), REGIONS)
    assert alone.rejected.is_empty()


def test_validate__row_order_does_not_change_the_result():
    frame = rows([5, 6, 7, 7, 7, 7, 7, 7, 9, -1]).sample(fraction=1.0, shuffle=True, seed=3)
    a, b = validate(frame, REGIONS), validate(frame.sort("row"), REGIONS)
    assert a.hourly.sort(S.TS).equals(b.hourly.sort(S.TS)) and a.rejected.equals(b.rejected)


def flatline_oracle(values: list[int]) -> set[int]:
    """Plain loop: rows (1-based) inside runs of >= 6 equal consecutive hourly values."""
    flagged, start = set(), 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            if i - start >= 6:
                flagged.update(range(start + 1, i + 1))
            start = i
    return flagged


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=60))
def test_validate__flatline_matches_a_plain_loop(values):
    ts = [utc(2024, 1, 1) + timedelta(hours=h) for h in range(len(values))]
    result = validate(rows(values, ts=ts), REGIONS)
    assert set(result.rejected["row"].to_list()) == flatline_oracle(values)
    assert result.hourly.height + result.rejected.height == len(values)


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("AB"), st.integers(0, 9), st.integers(1, 2)),
                min_size=1, max_size=40),
       st.randoms(use_true_random=False))
def test_validate__any_row_order_gives_the_same_hours_and_rejections(cells, rnd):
    frame = pl.DataFrame({
        "row": list(range(1, len(cells) + 1)), "ident": [c[0] for c in cells],
        S.SERIES: [S.GRID_LOAD] * len(cells),
        S.TS: pl.Series([utc(2024, 1, 1, c[1]) for c in cells], dtype=S.UTC_TS),
        S.VALUE: [str(c[2]) for c in cells], S.UNIT: ["MW"] * len(cells),
    })
    order = list(range(len(cells)))
    rnd.shuffle(order)
    a, b = validate(frame, REGIONS), validate(frame[order], REGIONS)
    key = [S.REGION, S.TS]
    assert a.hourly.sort(key).equals(b.hourly.sort(key)) and a.rejected.equals(b.rejected)
    assert a.hourly["n_rows"].sum() + a.rejected.height == len(cells)
