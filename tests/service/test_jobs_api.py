"""`GET /v1/jobs` and `POST /v1/jobs/{name}/run`: the schedule, and running a job now."""

import pytest
from fastapi.testclient import TestClient

from pipelines.config.settings import Settings
from pipelines.demo import run_demo
from pipelines.store import Store
from service.app import create_app
from tests.conftest import NOW
from tests.service.conftest import WRITE_KEY, options

AUTH = {"Authorization": f"Bearer {WRITE_KEY}"}


@pytest.fixture
def client(settings):
    keyed = Settings(home=settings.home, api_keys=WRITE_KEY)
    run_demo(Store(keyed.tables), keyed, NOW, days=14, seed=4)
    with TestClient(create_app(keyed, options())) as client:
        yield client


def test_jobs__list_every_job_with_its_schedule(client):
    jobs = {j["name"]: j for j in client.get("/v1/jobs").json()["jobs"]}
    assert {"ingest", "refresh", "compact"} <= set(jobs)
    assert jobs["refresh"]["schedule"] == "interval:30" and jobs["refresh"]["last"] is None


def test_jobs__run_now_then_the_list_shows_its_last_result(client):
    response = client.post("/v1/jobs/refresh/run", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["last"]["status"] == "ok"
    listed = {j["name"]: j for j in client.get("/v1/jobs").json()["jobs"]}
    assert listed["refresh"]["last"]["status"] == "ok"
    assert client.get("/v1/regions/us-nova/forecast").status_code == 200


def test_jobs__unknown_job_is_404_naming_the_jobs(client):
    response = client.post("/v1/jobs/nope/run", headers=AUTH)
    assert response.status_code == 404
    assert "refresh" in response.json()["error"]["message"]
