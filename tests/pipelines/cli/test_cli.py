"""The `headroom` command: output formats and one-line errors."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from pipelines.cli import app, main
from pipelines.config.settings import get_settings

runner = CliRunner()


@pytest.fixture
def demo_env(demo_settings, monkeypatch):
    monkeypatch.setenv("HEADROOM_HOME", str(demo_settings.home))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_forecast__json_has_metadata_and_long_rows(demo_env):
    result = runner.invoke(app, ["forecast", "us-nova", "--horizon", "48", "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["region"] == "us-nova" and body["target"] == "headroom"
    assert len(body["rows"]) == 48 * 3
    assert {"ts", "quantile", "value"} == set(body["rows"][0])


def test_forecast__csv_is_long_format(demo_env):
    result = runner.invoke(
        app,
        [
            "forecast",
            "nordics",
            "--horizon",
            "5",
            "--format",
            "csv",
            "--target",
            "grid_load",
            "--quantiles",
            "0.25,0.75",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 10 and {r["quantile"] for r in rows} == {"0.25", "0.75"}


def test_forecast__table_shows_one_column_per_quantile(demo_env):
    result = runner.invoke(app, ["forecast", "us-wtx", "--horizon", "3"])
    assert result.exit_code == 0, result.output
    assert "q0.1" in result.output and "q0.9" in result.output and "model_version" in result.output


def test_main__user_error_is_one_line_and_exit_1(demo_env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["forecast", "atlantis"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown region 'atlantis'") and "\n" not in err
    assert "Traceback" not in err


def test_main__internal_bug_says_so_in_one_line_and_exits_70(demo_env, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise KeyError("a column the code forgot")  # a bug: a KeyError that is not a user's error

    monkeypatch.setattr("pipelines.serving.published.serve_forecast", broken)
    with pytest.raises(SystemExit) as exit_info:
        main(["forecast", "us-wtx", "--horizon", "3"])
    assert exit_info.value.code == 70
    err = capsys.readouterr().err.strip()
    assert err.startswith("internal error: KeyError") and "--debug" in err and "\n" not in err


def test_main__a_bad_option_value_is_a_user_error_not_a_bug(demo_env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["risk", "us-nova", "--mw", "200", "--by", "next year"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith("error: --by must be a date")


def test_help__starts_without_importing_the_model_stack():
    import subprocess
    import sys

    heavy = ("lightgbm", "statsmodels", "deltalake", "pipelines.backtest.engine")
    code = f"import sys, pipelines.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("preset", [None, "2"])
def test_cli__one_native_thread_unless_the_caller_chose_before_numpy_loads(preset):
    # `headroom serve` or `train` run by hand (not through `make run`): BLAS and OpenMP pools of
    # one thread, so a SARIMAX fit never spins beside LightGBM; a caller's own setting is kept.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    if preset:
        env["OMP_NUM_THREADS"] = preset
    code = (
        "import pipelines.cli, numpy, lightgbm\n"
        "from threadpoolctl import threadpool_info\n"
        "print(sorted({(i['user_api'], i['num_threads']) for i in threadpool_info()}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == f"[('blas', 1), ('openmp', {preset or 1})]"


@pytest.mark.parametrize(
    "needs", ["pipelines.serving.published, pipelines.store", "pipelines.ingest.observations"]
)
def test_forecast_and_ingest__start_without_the_model_stack(needs):
    """What `headroom forecast` and `headroom ingest` import: no LightGBM, statsmodels or backtest."""
    import subprocess
    import sys

    heavy = ("lightgbm", "statsmodels", "pipelines.backtest.engine")
    code = f"import sys, pipelines.cli, {needs}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_main__debug_shows_the_traceback(demo_env):
    with pytest.raises(KeyError):
        main(["--debug", "forecast", "atlantis"])


def test_forecast__outlook_prints_monthly_rows_with_intervals(settings, store):
    from pipelines.demo import run_demo
    from tests.conftest import NOW

    run_demo(store, settings, NOW, days=300, seed=3)
    result = runner.invoke(
        app, ["forecast", "us-nova", "--outlook", "--months", "12", "--scenario", "high", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["scenario"] == "high" and len(body["rows"]) == 12
    row = body["rows"][0]
    assert row["headroom_p10"] <= row["headroom_p50"] <= row["headroom_p90"]
    assert row["ai_demand_low"] <= row["ai_demand_base"] <= row["ai_demand_high"]
