"""`GET /v1/models` from the registry; a failed retrain shows in /readyz and /metrics."""

import pytest
from fastapi.testclient import TestClient

from pipelines.demo import run_demo
from pipelines.jobs.runner import run_job
from pipelines.training.train import run_train
from service.app import create_app
from tests.conftest import NOW
from tests.service.conftest import options


def test_models__each_target_names_its_champions_with_backtest(demo_client):
    models = demo_client.get("/v1/models").json()["models"]
    by_key = {(m["region"], m["target"]): m for m in models}
    headroom = by_key[("us-nova", "headroom")]
    assert [c["target"] for c in headroom["champions"]] == ["grid_load", "ai_demand"]
    load = by_key[("us-nova", "grid_load")]["champions"][0]
    assert load["version"] in by_key[("us-nova", "grid_load")]["model_version"]
    assert load["backtest"]["mase"] > 0 and 0 <= load["backtest"]["coverage_80"] <= 1
    assert load["reason"] == "trained by `headroom train`"
    assert by_key[("us-nova", "capacity")]["champions"] == []


def test_failed_retrain__shows_in_readyz_and_metrics_while_the_champion_serves(
    settings, store, monkeypatch
):
    run_demo(store, settings, NOW, days=20, seed=4)
    trained = run_train(store, settings, NOW)
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("pipelines.jobs.schedule.run_retrain", broken)
    with pytest.raises(OSError):
        run_job("retrain", settings, store)
    with TestClient(create_app(settings, options())) as client:
        ready = client.get("/readyz")
        metrics = client.get("/metrics").text
        forecast = client.get("/v1/regions/us-nova/forecast").json()
    assert ready.status_code == 200
    assert any("retrain failed" in w and "disk full" in w for w in ready.json()["warnings"])
    assert 'headroom_job_last_run_failed{job="retrain"} 1.0' in metrics
    assert 'headroom_job_last_run_failed{job="train"} 0.0' in metrics
    assert forecast["model_version"] == trained.model_version
    assert forecast["issued_at"].startswith(NOW.strftime("%Y-%m-%dT%H:%M"))
