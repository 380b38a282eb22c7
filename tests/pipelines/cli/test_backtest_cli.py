"""`headroom backtest`: files written, summary printed, one-line errors, the queue target."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from forecast import schema as S
from pipelines.cli import app, main
from pipelines.config.settings import get_settings
from tests.conftest import shared_data_path

runner = CliRunner()
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def csv_file(tmp_path):
    t = np.arange(24 * 6)
    path = tmp_path / "load.csv"
    pl.DataFrame(
        {
            S.REGION: "a",
            S.TS: [T0 + timedelta(hours=int(h)) for h in t],
            "y": 100 + 10 * np.sin(2 * np.pi * t / 24),
        }
    ).write_csv(path)
    return path


def test_backtest_cli__writes_json_predictions_and_report_and_prints_the_table(tmp_path, csv_file):
    pytest.importorskip("matplotlib")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "backtest",
            "--data",
            str(csv_file),
            "--horizon",
            "6",
            "--folds",
            "2",
            "--models",
            "seasonal_naive_baseline",
            "--json",
            str(out / "r.json"),
            "--predictions",
            str(out / "p.parquet"),
            "--report",
            str(out / "html"),
            "--by-step",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "seasonal_naive_baseline" in result.output and "best_model" in result.output
    doc = json.loads((out / "r.json").read_text())
    assert doc["horizon"] == 6 and doc["folds"] == 2 and any("step" in r for r in doc["results"])
    assert pl.read_parquet(out / "p.parquet").height == 12
    assert (out / "html" / "index.html").is_file()


def test_backtest_cli__json_format_prints_machine_readable_rows(csv_file):
    result = runner.invoke(
        app,
        [
            "backtest",
            "--data",
            str(csv_file),
            "--horizon",
            "6",
            "--folds",
            "2",
            "--models",
            "seasonal_naive_baseline",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["best_model"] == "seasonal_naive_baseline" and len(body["rows"]) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "nowhere.csv"], "error: --data nowhere.csv: no such file"),
        (["--models", "prophet"], "error: unknown model(s) ['prophet']"),
        (["--refit", "sometimes"], "error: --refit takes every, never or a number"),
        (["--window", "rolling"], "error: window must be one of"),
        (["--levels", "80,100"], "error: interval level 100 must be a whole percent"),
        (["--levels", "eighty"], "error: --levels takes comma-separated whole numbers"),
    ],
)
def test_backtest_cli__user_errors_are_one_line(csv_file, capsys, args, message):
    argv = ["backtest", "--horizon", "6", "--folds", "2", *args]
    if "--data" not in args:
        argv += ["--data", str(csv_file)]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(message) and "\n" not in err


def test_backtest_cli__queue_target_prints_the_queue_model_scores(demo_settings, monkeypatch):
    monkeypatch.setenv("HEADROOM_HOME", str(demo_settings.home))
    get_settings.cache_clear()
    result = runner.invoke(app, ["backtest", "--target", "queue"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Brier" in result.output and "concordance" in result.output
    assert "survival view" in result.output and "km_median_years" in result.output


REAL_SERIES = (
    "eia930_dom_fwest_west_pjm_erco_2015_2023",
    "entsoe_de_lu_2019_2021",
    "ercot_native_load_weather_zones_2016_2024",
    "nordpool_no_areas_2013_2020",
    "pjm_dom_kaggle_2005_2018",
)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", REAL_SERIES)
def test_backtest_cli__runs_on_every_real_series(tmp_path, name):
    path = shared_data_path() / "long" / f"{name}.csv"
    argv = ["backtest", "--data", str(path), "--days", "60", "--horizon", "24", "--folds", "7"]
    result = runner.invoke(app, [*argv, "--json", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out.json").read_text())
    overall = [r for r in doc["results"] if r["region"] == "ALL"]
    assert {r["model"] for r in overall} == {"seasonal_naive_baseline", "seasonal_naive"}
    assert all(0 < r["mase"] < 3 for r in overall)
    per_region = {r["region"] for r in doc["results"]} - {"ALL"}
    assert per_region == set(doc["data"]["regions"]) and per_region


def test_backtest_cli__any_levels_give_their_fields_and_prediction_columns(tmp_path, csv_file):
    out = tmp_path / "out"
    argv = ["backtest", "--data", str(csv_file), "--horizon", "6", "--folds", "2", "--levels", "50,80,90,95"]
    argv += ["--models", "seasonal_naive_baseline", "--json", str(out / "r.json")]
    result = runner.invoke(app, [*argv, "--predictions", str(out / "p.csv")])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "r.json").read_text())
    assert doc["levels"] == [50, 80, 90, 95]
    row = doc["results"][0]
    for level in (50, 80, 90, 95):
        assert {f"coverage_{level}", f"width_{level}", f"winkler_{level}"} <= set(row)
    columns = pl.read_csv(out / "p.csv").columns
    assert columns[:6] == ["region", "cutoff", "ts", "model", "y", "yhat"]
    assert columns[6:] == [f"{s}_{v}" for v in (50, 80, 90, 95) for s in ("lo", "hi")]
    shares = [row[f"coverage_{v}"] for v in (50, 80, 90, 95)]
    assert shares == sorted(shares)  # nested intervals cover more as the level grows


def test_backtest_cli__headroom_from_a_file_of_its_components(tmp_path):
    t = np.arange(24 * 6)
    load = 100 + 10 * np.sin(2 * np.pi * t / 24)
    ts = [T0 + timedelta(hours=int(h)) for h in t]
    parts = {"capacity": np.full(len(t), 300.0), "grid_load": load, "ai_demand": load / 10}
    rows = [
        pl.DataFrame({"series": name, S.REGION: "a", S.TS: ts, "value": values})
        for name, values in parts.items()
    ]
    path = tmp_path / "parts.csv"
    pl.concat(rows).write_csv(path)
    out = tmp_path / "r.json"
    argv = ["backtest", "--data", str(path), "--target", "headroom", "--horizon", "6", "--folds", "2"]
    result = runner.invoke(app, [*argv, "--models", "seasonal_naive_baseline", "--json", str(out)])
    assert result.exit_code == 0, result.output
    overall = next(r for r in json.loads(out.read_text())["results"] if r["region"] == "ALL")
    assert overall["mae"] == pytest.approx(0.0, abs=1e-9)  # a pure daily cycle: the rule is exact


def test_backtest_cli__headroom_without_its_components_is_one_line(csv_file, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["backtest", "--data", str(csv_file), "--target", "headroom", "--horizon", "6", "--folds", "2"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "scored from its components" in err and "\n" not in err


def test_backtest_cli__local_pool_on_a_relative_file_gives_the_inline_json(tmp_path, csv_file, monkeypatch):
    monkeypatch.chdir(csv_file.parent)
    args = ["backtest", "--data", csv_file.name, "--horizon", "6", "--folds", "2", "--days", "5"]
    docs = []
    for extra in ([], ["--executor", "local", "--workers", "2"]):
        out = tmp_path / f"r{len(docs)}.json"
        result = runner.invoke(app, [*args, *extra, "--json", str(out)])
        assert result.exit_code == 0, result.output
        doc = json.loads(out.read_text())
        for row in doc["results"]:
            row.pop("fit_seconds"), row.pop("predict_seconds")
        docs.append(doc)
    assert docs[0] == docs[1] and docs[0]["data"]["last_days"] == 5


def test_backtest_cli__outlook_target_scores_the_monthly_peak_from_a_file(tmp_path):
    ts = pl.datetime_range(datetime(2018, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC), "1h",
                           closed="left", eager=True, time_zone="UTC")
    hours = np.arange(len(ts))
    y = 1000 * np.exp(0.04 * hours / 8766) * (1 + 0.1 * np.sin(2 * np.pi * hours / 24))
    path = tmp_path / "long.csv"
    pl.DataFrame({S.REGION: "a", S.TS: ts, "load_mw": y}).write_csv(path)
    result = runner.invoke(app, ["backtest", "--target", "outlook", "--data", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["ahead_months"] == "12-35"
    every = next(r for r in doc["rows"] if r["ahead_months"] == "12-35")
    assert every["origins"] == 1 and every["months"] == 12 and every["p50_abs_error_pct"] < 1


def test_backtest_cli__outlook_target_refuses_a_short_region_in_one_line(csv_file, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["backtest", "--target", "outlook", "--data", str(csv_file)])
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "'a'" in err and "outlook backtest needs" in err


@pytest.mark.shared_data
def test_backtest_cli__outlook_target_on_ercot_far_west():
    path = shared_data_path() / "long" / "ercot_native_load_weather_zones_2016_2024.csv"
    argv = ["backtest", "--target", "outlook", "--data", str(path), "--region", "ERCOT_FWEST"]
    result = runner.invoke(app, [*argv, "--format", "json"])
    assert result.exit_code == 0, result.output
    every = next(r for r in json.loads(result.output)["rows"] if r["ahead_months"] == "12-35")
    assert every["origins"] == 6 and every["months"] > 100
    assert every["p50_abs_error_pct"] < 15 and 0 < every["coverage_p10_p90"] <= 1
