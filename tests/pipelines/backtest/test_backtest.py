"""`run_backtest`: data from a file or a store version, the JSON document, predictions, the report."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation.plan import BacktestSpec
from forecast.evaluation.results import result_fields
from pipelines.backtest.data import (
    NoDataError,
    last_days,
    read_data_file,
    read_store_data,
)
from pipelines.backtest.engine import run_backtest, write_json, write_predictions
from pipelines.backtest.report import write_report

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SPEC = BacktestSpec(horizon=6, folds=2, step=6)


def long(hours: int = 24 * 6, regions=("a", "b")) -> pl.DataFrame:
    t = np.arange(hours)
    return pl.concat(
        [
            pl.DataFrame(
                {
                    S.REGION: r,
                    S.TS: [T0 + timedelta(hours=int(h)) for h in t],
                    "load_mw": 100 * (i + 1)
                    + 10 * np.sin(2 * np.pi * t / 24)
                    + np.random.default_rng(i).normal(0, 1, hours),
                }
            )
            for i, r in enumerate(regions)
        ]
    ).with_columns(pl.col(S.TS).cast(S.UTC_TS))


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "load.csv"
    long().write_csv(path)
    return path


def test_read_data_file__takes_load_mw_y_or_value_and_parquet(tmp_path, csv_file):
    frame = read_data_file(csv_file).frame
    assert frame.columns == [S.REGION, S.TS, S.VALUE] and frame.schema[S.TS] == S.UTC_TS
    pq = tmp_path / "load.parquet"
    long().rename({"load_mw": "y"}).write_parquet(pq)
    assert read_data_file(pq, regions=["a"]).frame.equals(frame.filter(pl.col(S.REGION) == "a"))


def test_read_data_file__names_the_columns_it_needs(tmp_path):
    path = tmp_path / "bad.csv"
    pl.DataFrame({"region": ["a"], "ts": ["2024-01-01T00:00:00Z"], "mwh": [1.0]}).write_csv(path)
    with pytest.raises(S.MissingColumnsError, match=r"y\|value\|load_mw"):
        read_data_file(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_data_file(tmp_path / "none.csv")


def test_read_data_file__series_column_splits_target_and_operator_vintages(tmp_path):
    target = long(48, ("a",)).rename({"load_mw": S.VALUE}).with_columns(pl.lit(S.GRID_LOAD).alias(S.SERIES))
    forecast = target.with_columns(
        pl.lit(S.OPERATOR_FORECAST).alias(S.SERIES), (pl.col(S.TS) - timedelta(hours=12)).alias(S.ISSUED_AT)
    )
    path = tmp_path / "both.parquet"
    pl.concat([target, forecast], how="diagonal").write_parquet(path)
    data = read_data_file(path)
    assert data.frame.height == 48 and data.vintages.height == 48


def test_run_backtest__json_has_exactly_the_documented_shape(tmp_path, csv_file):
    report = run_backtest(read_data_file(csv_file), SPEC)
    write_json(report, tmp_path / "out.json", by_step=True)
    doc = json.loads((tmp_path / "out.json").read_text())
    assert list(doc) == ["horizon", "folds", "step", "season", "levels", "data", "results", "best_model"]
    assert doc["data"] == {"path": str(csv_file), "regions": ["a", "b"], "rows": 2 * 24 * 6}
    plain = [r for r in doc["results"] if "step" not in r]
    assert [(r["model"], r["region"]) for r in plain] == [
        ("seasonal_naive_baseline", "a"),
        ("seasonal_naive_baseline", "b"),
        ("seasonal_naive_baseline", "ALL"),
    ]
    assert list(plain[0]) == ["model", "region", *result_fields()]
    stepped = [r for r in doc["results"] if "step" in r]
    assert len(stepped) == 3 * 6 and sorted({r["step"] for r in stepped}) == list(range(1, 7))
    assert doc["best_model"] == "seasonal_naive_baseline"
    all_row = plain[-1]
    assert all_row["mae"] == pytest.approx(report.per_fold["mae"].mean())


def test_write_predictions__every_fold_and_step_with_the_documented_columns(tmp_path, csv_file):
    report = run_backtest(read_data_file(csv_file), SPEC)
    for name in ("p.csv", "p.parquet"):
        write_predictions(report, tmp_path / name)
        frame = pl.read_csv(tmp_path / name) if name.endswith("csv") else pl.read_parquet(tmp_path / name)
        assert frame.columns == [
            "region",
            "cutoff",
            "ts",
            "model",
            "y",
            "yhat",
            "lo_80",
            "hi_80",
            "lo_95",
            "hi_95",
        ]
        assert frame.height == 2 * 2 * 6


def test_write_report__is_one_self_contained_html_page(tmp_path, csv_file):
    pytest.importorskip("matplotlib")
    report = run_backtest(read_data_file(csv_file), SPEC)
    page = write_report(report, tmp_path / "out").read_text()
    assert page.startswith("<!doctype html>") and "seasonal_naive_baseline" in page
    assert (
        not re.search(r"(src|href)=[\"'](https?:)?//", page)
        and "http://" not in page
        and "https://" not in page
    )
    assert page.count('src="data:image/png;base64,') == 4  # steps, coverage, best and worst region


def test_read_store_data__records_the_version_and_replays_an_older_one(settings, store):
    frame = long(24 * 6, ("us-nova",)).select(
        S.REGION,
        S.TS,
        pl.col("load_mw").alias(S.VALUE),
        pl.lit(S.GRID_LOAD).alias(S.SERIES),
        pl.lit(T0).cast(S.UTC_TS).alias(S.INGESTED_AT),
    )
    first = store.append("observations", frame.head(24 * 5))
    store.append("observations", frame.tail(24))
    vintages = frame.with_columns(
        pl.lit(S.OPERATOR_FORECAST).alias(S.SERIES), (pl.col(S.TS) - timedelta(hours=12)).alias(S.ISSUED_AT)
    )
    latest = store.append("observations", vintages)
    now = read_store_data(store, settings)
    assert now.source == {"table_version": latest} and now.frame.height == 24 * 6
    assert now.vintages.height == 24 * 6 and now.timezones["us-nova"] == "America/New_York"
    old = read_store_data(store, settings, version=first)
    assert old.source == {"table_version": first} and old.frame.height == 24 * 5 and old.vintages.height == 0
    report = run_backtest(now, BacktestSpec(horizon=24, folds=2))
    assert set(report.table[S.MODEL]) == {"seasonal_naive_baseline", "operator"}
    assert report.to_json()["data"]["table_version"] == latest
    with pytest.raises(ValueError, match="versions 0 to"):
        read_store_data(store, settings, version=latest + 5)


def test_read_store_data__an_empty_store_says_how_to_fill_it(settings, store):
    with pytest.raises(NoDataError, match="headroom demo"):
        read_store_data(store, settings)


def test_run_backtest__local_and_dask_executors_give_the_inline_numbers(csv_file, monkeypatch):
    pytest.importorskip("distributed")
    from pipelines.backtest import tasks as backtest_tasks
    from pipelines.executor import get_executor

    monkeypatch.setattr(backtest_tasks, "REGIONS_PER_TASK", 1)  # one task per region

    data = read_data_file(csv_file)
    spec = BacktestSpec(horizon=6, folds=3, step=6, seed=5)
    inline = run_backtest(data, spec)
    for kind in ("local", "dask"):
        with get_executor(kind, workers=2) as pool:
            fanned = run_backtest(data, spec, pool)
        assert fanned.predictions.equals(inline.predictions), kind
        assert fanned.table.drop("fit_seconds", "predict_seconds").equals(
            inline.table.drop("fit_seconds", "predict_seconds")
        ), kind


def test_last_days__keeps_each_regions_last_days_and_says_so(csv_file):
    data = last_days(read_data_file(csv_file), 2)
    assert data.frame.group_by(S.REGION).len().sort(S.REGION)["len"].to_list() == [48, 48]
    assert data.source["last_days"] == 2


def test_read_store_data__headroom_keeps_its_components_and_is_scored_jointly(settings, store):
    load = long(24 * 6, ("us-nova",)).select(S.REGION, S.TS, pl.col("load_mw").alias(S.VALUE))
    parts = {S.CAPACITY: pl.lit(500.0), S.GRID_LOAD: pl.col(S.VALUE), S.AI_DEMAND: pl.col(S.VALUE) / 4}
    rows = pl.concat(
        load.select(
            S.REGION, S.TS, value.alias(S.VALUE), pl.lit(name).alias(S.SERIES),
            pl.lit(T0).cast(S.UTC_TS).alias(S.INGESTED_AT),
        )
        for name, value in parts.items()
    )
    store.append("observations", rows)
    data = read_store_data(store, settings, target=S.HEADROOM)
    assert data.components is not None and data.components[S.SERIES].n_unique() == 3
    expected = load.sort(S.TS)[S.VALUE] * -1.25 + 500
    assert data.frame.sort(S.TS)[S.VALUE].to_list() == pytest.approx(expected.to_list())
    report = run_backtest(data, BacktestSpec(horizon=24, folds=2, models=("seasonal_naive_baseline",)))
    assert report.table.filter(pl.col(S.REGION) == "ALL")["coverage_80"][0] is not None
    with pytest.raises(NoDataError, match="cannot score headroom"):
        run_backtest(data, BacktestSpec(horizon=24, folds=2), compare=["statsforecast"])
