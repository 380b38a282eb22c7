"""`headroom models list | promote`: the registry by hand, with one-line errors."""

import json
from datetime import timedelta

import polars as pl
import pytest
from typer.testing import CliRunner

from forecast import schema as S
from pipelines.cli import app, main
from pipelines.demo import run_demo
from pipelines.serving.published import latest_issues
from pipelines.training.train import run_train
from tests.conftest import NOW

runner = CliRunner()


@pytest.fixture
def two_versions(settings, store):
    run_demo(store, settings, NOW, days=20, seed=2)
    first = run_train(store, settings, NOW)
    store.append("observations", store.read("observations").head(1).with_columns(pl.col(S.VALUE) + 1))
    second = run_train(store, settings, NOW + timedelta(hours=1))
    return store, first.model_version, second.model_version


def test_models_list__marks_the_champion_newest_first(two_versions):
    _, first, second = two_versions
    result = runner.invoke(app, ["models", "list", "--region", "nordics", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert [(r["target"], r["version"], r["champion"]) for r in rows] == [
        ("ai_demand", second, True), ("ai_demand", first, False),
        ("grid_load", second, True), ("grid_load", first, False),
    ]
    assert rows[0]["mase"] > 0 and rows[0]["reason"] == "trained by `headroom train`"


def test_models_promote__rolls_back_and_republishes(two_versions):
    store, first, _ = two_versions
    result = runner.invoke(app, ["models", "promote", "nordics", first])
    assert result.exit_code == 0, result.output
    assert f"now served by {first}" in result.output
    served = dict(latest_issues(store).select(S.REGION, S.MODEL_VERSION).unique().iter_rows())
    assert served["nordics"] == first


def test_models_promote__unknown_version_is_one_line_naming_the_known(two_versions, capsys):
    _, _, second = two_versions
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "promote", "nordics", "v-nope"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "no version 'v-nope'" in err and second in err and "Traceback" not in err
