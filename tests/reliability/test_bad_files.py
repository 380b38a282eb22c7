# ruff: noqa: E501  (the catalog is a table: one case a line reads better than wrapped)
"""Bad-input catalog, files: through `ingest_file`, `headroom ingest` and the inbox.

Every case names the error it must produce. A refused file raises one error naming the file and
what was wrong, commits nothing, and reaches the CLI as one line (exit 1) and the inbox's
`failed/` folder with a reason. A file with bad rows is accepted: each bad row is quarantined with
its row number, field and reason, the rest is stored, and the accounting balances. In every case
the rows already stored are all still there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from forecast import schema as S
from pipelines.cli import main as cli_main
from pipelines.ingest.inbox import drain_inbox, inbox_dir
from pipelines.ingest.observations import ingest_file
from pipelines.sources import SourceFormatError
from pipelines.store import load_series
from tests.conftest import NOW
from tests.reliability.conftest import (
    assert_every_table_readable,
    assert_kept,
    assert_unchanged,
    snapshot,
)

H = "region,series,ts,value,unit\n"
ENTSOE = ('"Time (CET/CEST)","Day-ahead Total Load Forecast [MW] - BZN|DE-LU",'
          '"Actual Total Load [MW] - BZN|DE-LU"\n')


def row(hour: int, value: str = "1000", region: str = "de-fra", series: str = "grid_load",
        unit: str = "MW", day: int = 1) -> str:
    return f"{region},{series},2024-02-{day:02d}T{hour:02d}:00:00Z,{value},{unit}\n"


def good(n: int = 10) -> str:
    return H + "".join(row(h, str(1000 + 13 * h)) for h in range(n))


def quarter(day: str, h: int, m: int, v: int) -> str:
    h2, m2 = (h, m + 15) if m < 45 else (h + 1, 0)
    return f'"{day} {h:02d}:{m:02d} - {day} {h2:02d}:{m2:02d}","{v}","{v + 100}"\n'


@dataclass(frozen=True)
class FileCase:
    """A bad file and what it must produce: `refused` (regex on the one error) or row outcomes."""

    id: str
    name: str
    data: bytes | str
    refused: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    accepted: int | None = None
    stored: dict[datetime, float] | None = None  # grid_load values that must be stored (UTC)
    fmt: str = "auto"
    region: str | None = None
    bug: str | None = None  # a known bug in another engineer's file: strict xfail for the file door

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.data if isinstance(self.data, bytes) else self.data.encode())
        return path


def t(day: int, hour: int) -> datetime:
    return datetime(2024, 2, day, hour, tzinfo=UTC)


TRUNCATED = good(5) + "de-fra,grid_load,2024-02-01T05:00:00Z,10"  # the unit field and newline cut off
CASES = [
    # --- refused: the file cannot be read as what it claims to be -------------------------------
    FileCase("wrong_delimiter", "semi.csv", good().replace(",", ";"), refused=r"semi\.csv: expected a timestamp column"),
    FileCase("tab_delimited_as_csv", "tabs.csv", good().replace(",", "\t"), refused=r"tabs\.csv: expected a timestamp"),
    FileCase("no_header", "nohead.csv", good()[len(H):], refused=r"nohead\.csv: expected a timestamp column.*found columns"),
    FileCase("missing_value_column", "noval.csv", "region,series,ts\nde-fra,grid_load,2024-02-01T00:00:00Z\n",
             refused=r"noval\.csv: expected a value column"),
    FileCase("duplicated_region_header", "duphead.csv", "region,region,ts,value\nde-fra,de-fra,2024-02-01T00:00:00Z,1\n",
             refused=r"duphead\.csv: expected each column once; found repeated column\(s\) \['region'\]"),
    FileCase("binary_garbage", "garbage.csv", b"\x00\x01\x02\xff\xfe\n\x00", refused=r"garbage\.csv"),
    FileCase("unsupported_suffix", "notes.txt", good(), refused=r"notes\.txt: expected a \.csv"),
    FileCase("unknown_region_option", "opt.csv", good(), region="atlantis", refused=r"unknown region 'atlantis'"),
    FileCase("unknown_format_option", "fmt.csv", good(), fmt="xls", refused=r"fmt\.csv: expected a format"),
    FileCase("empty_file", "empty.csv", b"", refused=r"empty\.csv"),
    FileCase("unbalanced_quote", "quote.csv", H + 'de-fra,grid_load,2024-02-01T00:00:00Z,"1,5\n',
             refused=r"quote\.csv"),
    FileCase("ragged_line", "ragged.csv", H + "de-fra,grid_load,2024-02-01T00:00:00Z,5,MW,extra,more\n",
             refused=r"ragged\.csv"),
    FileCase("latin1_bytes", "latin1.csv", (H + row(0, region="dé-fra")).encode("latin-1"),
             refused=r"latin1\.csv"),
    FileCase("broken_json", "rows.json", '{"region": "de-fra", "ts": [1,2', refused=r"rows\.json"),
    FileCase("corrupt_parquet", "rows.parquet", b"PAR1 not really", refused=r"rows\.parquet"),
    FileCase("duplicated_value_column", "dupval.csv", "region,series,ts,value,value\nde-fra,grid_load,2024-02-01T00:00:00Z,5,7\n",
             refused=r"dupval\.csv.*repeated column.*value"),
    # --- accepted: bad rows quarantined with row, field and reason; good rows stored -------------
    FileCase("bom", "bom.csv", "\ufeff" + good(3), accepted=3, stored={t(1, 0): 1000.0}),
    FileCase("crlf_line_ends", "crlf.csv", good(3).replace("\n", "\r\n"), accepted=3, stored={t(1, 2): 1026.0}),
    FileCase("header_only", "head.csv", H, accepted=0),
    FileCase("truncated_mid_timestamp", "trunc_ts.csv", good(3) + "de-fra,grid_load,2024-02-0",
             reasons={"malformed_ts": 1}, accepted=3),
    FileCase("truncated_mid_row", "trunc.csv", TRUNCATED, reasons={"missing_unit": 1}, accepted=5),
    FileCase("mixed_units", "units.csv", H + row(0, "5000", unit="kW") + row(1, "5", unit="GW") + row(2, "7", unit="MW")
             + row(3, "9", unit="furlongs"), reasons={"unknown_unit": 1}, accepted=3,
             stored={t(1, 0): 5.0, t(1, 1): 5000.0, t(1, 2): 7.0}),
    FileCase("unknown_region", "region.csv", H + row(0, region="atlantis") + row(1), reasons={"unknown_region": 1}, accepted=1),
    FileCase("unknown_series", "series.csv", H + row(0, series="bitcoin"), reasons={"unknown_series": 1}, accepted=0),
    FileCase("timestamp_without_zone_is_utc", "naive.csv", "region,series,ts,value\nde-fra,grid_load,2024-02-01 05:00,5\n",
             accepted=1, stored={t(1, 5): 5.0}),
    FileCase("zone_less_stamp_among_zoned", "mixedzone.csv", H + row(0, "1") + "de-fra,grid_load,2024-02-01 01:00,2,MW\n"
             + "de-fra,grid_load,2024-02-01T03:00:00+01:00,3,MW\n", reasons={"malformed_ts": 1}, accepted=2,
             stored={t(1, 0): 1.0, t(1, 2): 3.0}),
    FileCase("garbage_timestamp", "badts.csv", H + "de-fra,grid_load,yesterday,5,MW\n" + row(1), reasons={"malformed_ts": 1}, accepted=1),
    FileCase("dst_missing_hour_entsoe", "spring.csv", ENTSOE + "".join(
        quarter("31.03.2019", h, m, 40000 + 10 * h + m) for h in (1, 2, 3) for m in (0, 15, 30, 45)),
        reasons={"nonexistent_local_time": 8}, accepted=16),
    FileCase("dst_repeated_hour_entsoe", "autumn.csv", ENTSOE + "".join(
        quarter("27.10.2019", h, m, 40000 + 10 * h + m) for h in (1, 2, 2, 3) for m in (0, 15, 30, 45)),
        accepted=32, stored={datetime(2019, 10, 27, 0, tzinfo=UTC): 40142.5, datetime(2019, 10, 27, 1, tzinfo=UTC): 40142.5}),
    FileCase("dst_repeated_hour_pjm", "DOM_hourly.csv", "Datetime,DOM_MW\n2014-11-02 01:00:00,8839.0\n"
             "2014-11-02 02:00:00,8555.0\n2014-11-02 02:00:00,8562.0\n2014-11-02 03:00:00,8522.0\n", accepted=4,
             stored={datetime(2014, 11, 2, 5, tzinfo=UTC): 8555.0, datetime(2014, 11, 2, 6, tzinfo=UTC): 8562.0}),
    FileCase("non_numeric", "text.csv", H + row(0, "abc") + row(1, "1.2.3") + row(2, "12MW"), reasons={"non_numeric": 3}, accepted=0),
    FileCase("missing_markers", "missing.csv", H + row(0, "") + row(1, "n/e") + row(2, "-") + row(3, "MISSING"),
             reasons={"missing_value": 4}, accepted=0),
    FileCase("nan_and_infinities", "nan.csv", H + row(0, "NaN") + row(1, "inf") + row(2, "-inf") + row(3, "1e6000"),
             reasons={"not_a_number": 4}, accepted=0),
    FileCase("huge_and_negative", "huge.csv", H + row(0, "1e300") + row(1, "2000000") + row(2, "-5") + row(3, "0"),
             reasons={"implausible_physical": 2, "negative": 1}, accepted=1, stored={t(1, 3): 0.0}),
    FileCase("temperature_out_of_range_and_wrong_unit", "temp.csv", H + row(0, "-100", series="temperature", unit="degC")
             + row(1, "20", series="temperature", unit="degF"), reasons={"implausible_physical": 1, "unknown_unit": 1}, accepted=0),
    FileCase("thousands_separator", "thousands.csv", H + 'de-fra,grid_load,2024-02-01T00:00:00Z,"1,234",MW\n', accepted=1,
             stored={t(1, 0): 1234.0}),
    FileCase("control_chars_and_markup_in_region", "ctrl.csv", H + row(0, region="de-fra\x07<script>alert(1)</script>"),
             reasons={"unknown_region": 1}, accepted=0),
    FileCase("formula_injection_region", "formula.csv", H + row(0, region="=cmd|' /C calc'!A0"), reasons={"unknown_region": 1}, accepted=0),
    FileCase("duplicate_key_in_batch", "dup.csv", H + row(0, "5") + row(0, "6"), reasons={"duplicate_in_batch": 1}, accepted=1,
             stored={t(1, 0): 6.0}),
    FileCase("flatline", "flat.csv", H + "".join(row(h, "777") for h in range(8)), reasons={"flatline": 8}, accepted=0),
    FileCase("far_past_timestamp", "past.csv", H + "de-fra,grid_load,0001-01-01T00:00:00Z,5,MW\n" + row(0),
             reasons={"ts_out_of_range": 1}, accepted=1),
    FileCase("far_future_actual", "future.csv", H + "de-fra,grid_load,9999-12-31T23:00:00Z,5,MW\n" + row(0),
             reasons={"ts_out_of_range": 1}, accepted=1),
]
IDS = [c.id for c in CASES]


def _file_door(case: FileCase) -> list:
    marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
    return [pytest.param(case, id=case.id, marks=marks)]


FILE_PARAMS = [p for c in CASES for p in _file_door(c)]


def check_report(case: FileCase, report, store) -> None:
    assert report.balanced, report
    assert report.by_reason == case.reasons
    if case.accepted is not None:
        assert report.accepted == case.accepted
    if report.quarantined:
        mine = store.read("quarantine").filter(pl.col("batch_id") == report.batch_id)
        assert mine.height == report.quarantined
        assert mine["row"].null_count() == 0 and mine["field"].null_count() == 0
        assert set(mine["reason"]) == set(case.reasons)
        for raw in mine["raw"]:
            json.loads(raw)  # the raw row is kept, as JSON, exactly as read
    if case.stored:
        current = load_series(store, S.GRID_LOAD)
        values = dict(zip(current[S.TS].to_list(), current[S.VALUE].to_list(), strict=True))
        for ts, value in case.stored.items():
            assert values.get(ts) == pytest.approx(value), ts


@pytest.mark.parametrize("case", FILE_PARAMS)
def test_ingest_file__bad_file_gives_its_error_and_loses_nothing(seeded, tmp_path, case):
    settings, store = seeded
    before = snapshot(store)
    path = case.write(tmp_path)
    if case.refused:
        with pytest.raises((SourceFormatError, LookupError, ValueError), match=case.refused):
            ingest_file(store, settings, path, fmt=case.fmt, region=case.region, now=NOW)
        assert_unchanged(store, before)
    else:
        report = ingest_file(store, settings, path, fmt=case.fmt, region=case.region, now=NOW)
        check_report(case, report, store)
        again = ingest_file(store, settings, path, fmt=case.fmt, region=case.region, now=NOW)
        assert again.observations_written == 0 and again.quarantine_written == 0
    assert_kept(store, before)
    assert_every_table_readable(store)


def fixed_at_the_doors(case: FileCase) -> bool:
    """The CLI and the inbox turn polars' read errors into one-line errors and failed files."""
    return case.bug is None or "polars" in case.bug


CLI_PARAMS = [pytest.param(c, id=c.id) for c in CASES if fixed_at_the_doors(c)]


@pytest.mark.parametrize("case", CLI_PARAMS)
def test_cli_ingest__bad_file_is_one_line_or_a_report_never_a_traceback(seeded, tmp_path, capsys, case):
    _, store = seeded  # the CLI reads the same home from HEADROOM_HOME
    before = snapshot(store)
    path = case.write(tmp_path)
    args = ["ingest", str(path), "--format", case.fmt] + (["--region", case.region] if case.region else [])
    with pytest.raises(SystemExit) as exit_info:
        cli_main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if case.refused:
        assert exit_info.value.code == 1
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        named = [case.name, *([case.region] if case.region else []), *([case.fmt] if case.fmt != "auto" else [])]
        assert any(n in lines[0] for n in named), lines[0]
        assert_unchanged(store, before)
    else:
        assert exit_info.value.code == 0, err
        assert path.name in out
    assert_kept(store, before)


INBOX_PARAMS = [
    pytest.param(c, id=c.id) for c in CASES
    if c.fmt == "auto" and c.region is None and fixed_at_the_doors(c)
]


@pytest.mark.parametrize("case", INBOX_PARAMS)
def test_inbox__bad_file_is_set_aside_with_its_reason_and_the_next_file_still_ingests(seeded, case):
    settings, store = seeded
    before = snapshot(store)
    inbox = inbox_dir(settings)
    case.write(inbox)
    (inbox / "zz-after.csv").write_text(H + row(20, "4321", day=3))  # sorted after every case file
    reports = drain_inbox(store, settings)
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []
    if case.refused:
        reason = (inbox / "failed" / f"{case.name}.reason.txt").read_text()
        assert case.name in reason or "Error" in reason
        assert (inbox / "failed" / case.name).exists()
        assert len(reports) == 1
    else:
        assert len(reports) == 2
        check_report(case, reports[0], store)
    assert load_series(store, S.GRID_LOAD).filter(pl.col(S.TS) == t(3, 20))[S.VALUE].to_list() == [4321.0]
    assert_kept(store, before)


def test_catalog__has_at_least_forty_file_cases():
    assert len(CASES) >= 40 and len(set(IDS)) == len(IDS)
