"""Registry-backed training: versions with backtests, refresh from champions, champion/challenger, drift."""

import hashlib
from datetime import timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.models import SeasonalNaive
from forecast.models.naive import SeasonalNaiveParams
from pipelines.demo import run_demo
from pipelines.jobs.locks import job_lock
from pipelines.jobs.runner import run_job
from pipelines.jobs.schedule import drift as run_drift
from pipelines.registry.drift import measure_drift
from pipelines.registry.listing import list_versions
from pipelines.registry.versions import ChecksumMismatchError, Registry, RegistryError
from pipelines.serving.published import latest_issues
from pipelines.training import publish as T
from pipelines.training.promote import promote_version
from pipelines.training.train import run_refresh, run_retrain, run_train
from tests.conftest import NOW

DEMANDS = (S.GRID_LOAD, S.AI_DEMAND)


@pytest.fixture
def trained(settings, store):
    """A demo home (40 days) trained once: every region has a champion per demand target."""
    run_demo(store, settings, NOW, days=40, seed=3)
    report = run_train(store, settings, NOW)
    return settings, store, report


def _served(store) -> dict[str, str]:
    return dict(latest_issues(store).select(S.REGION, S.MODEL_VERSION).unique().iter_rows())


def _wide(settings):
    """Any interval coverage passes the band: decisions turn on MASE alone."""
    return settings.model_copy(update={"retrain_coverage_low": 0.0, "retrain_coverage_high": 1.0})


def _persistence(monkeypatch) -> None:
    """Challengers become the naive last-value rule: far worse a day ahead than seasonal naive."""
    monkeypatch.setattr(
        T, "_model_factory",
        lambda settings, catalog: lambda target, longest: SeasonalNaive(SeasonalNaiveParams(season_length=1)),
    )


def test_train__registers_a_promoted_version_per_region_and_target_with_backtest(trained):
    settings, _, report = trained
    registry = Registry(settings)
    for region in report.regions:
        for target in DEMANDS:
            record = registry.champion_record(region, target)
            assert record is not None and record.version == report.model_version
            assert record.data_version == report.data_version and record.model == "seasonal_naive"
            assert record.backtest["folds"] == settings.retrain_folds
            assert 0 < record.backtest["mase"] < 5 and 0 <= record.backtest["coverage_80"] <= 1
            assert isinstance(registry.load(region, target, record.version), SeasonalNaive)


def test_registry__a_group_model_is_stored_once_and_linked_into_each_region(trained):
    settings, _, report = trained
    registry = Registry(settings)
    folders = [registry.folder(r, S.GRID_LOAD, report.model_version) / "model.pickle" for r in report.regions]
    assert len({f.stat().st_ino for f in folders}) == 1


def test_refresh__forecasts_with_the_champions_and_fits_nothing_new(trained, monkeypatch):
    settings, store, report = trained
    before = len(Registry(settings).versions())
    store.append("observations", store.read("observations").head(1).with_columns(pl.col(S.VALUE) + 1))
    refreshed = run_job("refresh", settings, store)
    assert refreshed.figures["model_version"] == report.model_version and refreshed.figures["promoted"] == []
    assert len(Registry(settings).versions()) == before
    assert latest_issues(store)[S.ISSUED_AT].unique().to_list() == [refreshed.started_at]
    assert "already made" in run_job("refresh", settings, store).figures["skipped"]  # data unchanged


def test_refresh__a_tampered_champion_is_never_loaded(trained):
    settings, store, report = trained
    registry = Registry(settings)
    (registry.folder("us-nova", S.GRID_LOAD, report.model_version) / "model.pickle").write_bytes(b"evil")
    store.append("observations", store.read("observations").head(1).with_columns(pl.col(S.VALUE) + 1))
    served_before = latest_issues(store)
    with pytest.raises(ChecksumMismatchError, match="checksum"):
        run_refresh(store, settings, NOW + timedelta(minutes=10))
    assert latest_issues(store).equals(served_before)


def test_retrain__a_worse_challenger_is_refused_and_the_champion_keeps_serving(trained, monkeypatch):
    settings, store, report = trained
    _persistence(monkeypatch)
    result = run_retrain(store, _wide(settings), NOW + timedelta(hours=1))
    for region in report.regions:
        decision = result.decisions[region][S.GRID_LOAD]
        assert not decision["promoted"]
        assert "champion" in decision["reason"]
        assert decision["challenger"]["mase"] > decision["champion"]["mase"]
        assert Registry(settings).champion(region, S.GRID_LOAD)["version"] == report.model_version
    assert set(_served(store).values()) == {report.model_version}


def test_retrain__a_better_challenger_is_promoted_with_its_reason(settings, store, monkeypatch):
    run_demo(store, settings, NOW, days=40, seed=3)
    wide = _wide(settings)
    with monkeypatch.context() as patch:
        _persistence(patch)
        first = run_train(store, wide, NOW)
    second = run_retrain(store, wide, NOW + timedelta(hours=1))
    decision = second.decisions["us-nova"][S.GRID_LOAD]
    assert decision["promoted"] and "< champion" in decision["reason"]
    assert Registry(wide).champion("us-nova", S.GRID_LOAD)["version"] == second.model_version
    assert second.model_version != first.model_version
    assert set(_served(store).values()) == {second.model_version}


def test_retrain__coverage_outside_the_band_keeps_the_champion(trained):
    settings, store, report = trained
    strict = settings.model_copy(update={"retrain_coverage_low": 0.999, "retrain_coverage_high": 1.0})
    result = run_retrain(store, strict, NOW + timedelta(hours=1))
    decision = result.decisions["de-fra"][S.AI_DEMAND]
    assert not decision["promoted"] and "outside the band" in decision["reason"]
    assert Registry(settings).champion("de-fra", S.AI_DEMAND)["version"] == report.model_version


def test_retrain_job__records_why_in_the_runs_table(trained, monkeypatch):
    settings, store, _ = trained
    _persistence(monkeypatch)
    result = run_job("retrain", _wide(settings), store)
    assert result.status == "ok" and result.figures["promoted"] == []
    reason = result.figures["decisions"]["us-nova"][S.GRID_LOAD]["reason"]
    assert ">= champion" in reason


def test_failed_retrain__leaves_the_champion_serving_and_records_the_error(trained, monkeypatch):
    settings, store, report = trained
    monkeypatch.setattr("pipelines.jobs.schedule.run_retrain", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_job("retrain", settings, store)
    runs = store.read("runs").filter(pl.col("job") == "retrain")
    assert runs["status"].to_list() == ["error"] and "ZeroDivisionError" in runs["error"][0]
    assert set(_served(store).values()) == {report.model_version}


def test_drift__a_region_whose_live_error_grew_is_retrained(trained):
    settings, store, report = trained
    published = latest_issues(store).filter(
        (pl.col(S.TARGET) == S.GRID_LOAD) & (pl.col(S.QUANTILE) == 0.5) & (pl.col(S.REGION) == "us-nova")
    ).sort(S.TS).head(24)
    store.append("observations", published.select(  # the next day came in at three times the forecast
        S.REGION, pl.lit(S.GRID_LOAD).alias(S.SERIES), S.TS, (pl.col(S.VALUE) * 3).alias(S.VALUE),
        pl.lit("MW").alias(S.UNIT), pl.lit("test").alias(S.SOURCE),
    ).pipe(lambda f: S.conform(f, S.OBSERVATIONS)))
    table = measure_drift(store, settings)
    nova = table.filter((pl.col(S.REGION) == "us-nova") & (pl.col(S.TARGET) == S.GRID_LOAD))
    nova = nova.row(0, named=True)
    assert nova["scored_hours"] == 24 and nova["ratio"] > settings.drift_ratio
    assert nova["version"] == report.model_version
    figures = run_drift(store, settings, NOW + timedelta(days=1))
    assert figures["drifted"] == ["us-nova"]
    retrain = store.read("runs").filter(pl.col("job") == "retrain").row(0, named=True)
    assert retrain["status"] == "ok" and '"triggered_by": "drift"' in retrain["figures"]


def test_drift__retrain_goes_through_the_runner_and_its_lock(trained):
    settings, store, _ = trained
    published = latest_issues(store).filter(
        (pl.col(S.TARGET) == S.GRID_LOAD) & (pl.col(S.QUANTILE) == 0.5) & (pl.col(S.REGION) == "us-nova")
    ).sort(S.TS).head(24)
    store.append("observations", published.select(
        S.REGION, pl.lit(S.GRID_LOAD).alias(S.SERIES), S.TS, (pl.col(S.VALUE) * 3).alias(S.VALUE),
        pl.lit("MW").alias(S.UNIT), pl.lit("test").alias(S.SOURCE),
    ).pipe(lambda f: S.conform(f, S.OBSERVATIONS)))
    with job_lock(settings, "retrain") as acquired:  # a retrain already running elsewhere
        assert acquired
        result = run_job("drift", settings, store)
    assert result.status == "ok" and result.figures["retrain"].startswith("skipped")
    runs = store.read("runs").sort("started_at")
    assert runs.filter(pl.col("job") == "retrain")["status"].to_list() == ["skipped"]
    assert runs.filter(pl.col("job") == "drift")["status"].to_list() == ["ok"]


def test_drift__nothing_to_do_without_live_errors(trained):
    settings, store, _ = trained
    figures = run_drift(store, settings, NOW)
    assert figures["drifted"] == [] and figures["checked"] == 0


def test_models__list_and_promote_by_hand_roll_back(trained):
    settings, store, first = trained
    store.append("observations", store.read("observations").head(1).with_columns(pl.col(S.VALUE) + 1))
    second = run_train(store, settings, NOW + timedelta(hours=1))
    versions = list_versions(settings, "us-nova", S.GRID_LOAD)
    assert versions["version"].to_list() == [second.model_version, first.model_version]
    assert versions["champion"].to_list() == [True, False]
    report = promote_version(store, settings, "us-nova", first.model_version, NOW + timedelta(hours=2))
    assert report is not None and report.served["us-nova"] == first.model_version
    assert _served(store)["us-nova"] == first.model_version
    assert _served(store)["de-fra"] == second.model_version
    with pytest.raises(RegistryError, match="no version 'nope'"):
        promote_version(store, settings, "us-nova", "nope", NOW)


def test_retrain__a_champion_that_no_longer_loads_is_replaced_with_the_reason(trained):
    settings, store, report = trained
    registry = Registry(settings)
    for region in report.regions:  # as if written by code whose classes have changed since
        folder = registry.folder(region, S.GRID_LOAD, report.model_version)
        record = registry.metadata(region, S.GRID_LOAD, report.model_version)
        (folder / "model.pickle").unlink()
        (folder / "model.pickle").write_bytes(b"not a pickle")
        files = {**record.files, "model.pickle": hashlib.sha256(b"not a pickle").hexdigest()}
        (folder / "metadata.json").write_text(record.model_copy(update={"files": files}).model_dump_json())
    result = run_retrain(store, settings, NOW + timedelta(hours=1))
    decision = result.decisions["us-wtx"][S.GRID_LOAD]
    assert decision["promoted"] and "champion unusable: UnpicklingError" in decision["reason"]
    assert registry.champion("us-wtx", S.GRID_LOAD)["version"] == result.model_version
