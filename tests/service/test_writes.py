"""Writes need a bearer key (env or hashed keys file); posted observations are ingested as one batch."""

import json

import pytest
from fastapi.testclient import TestClient

from pipelines.config.settings import Settings
from service.app import create_app
from service.security import authenticate, create_dev_key, key_hash, read_key_hashes
from tests.service.conftest import WRITE_KEY, options

ROWS = [
    {"region": "us-nova", "series": "grid_load", "ts": f"2026-06-01T{h}:00:00Z", "value": value, "unit": "MW"}
    for h, value in (("10", 14000.0), ("11", 14100.0), ("12", "n/a"))
]


@pytest.fixture
def client(settings):
    keyed = Settings(home=settings.home, api_keys=WRITE_KEY)
    with TestClient(create_app(keyed, options())) as client:
        yield client


def auth(key: str = WRITE_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_observations__without_key_is_401_and_reads_nothing(client):
    response = client.post("/v1/observations", json={"observations": ROWS})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


def test_observations__wrong_key_is_401_and_never_echoed(client):
    response = client.post("/v1/observations", json={"observations": ROWS}, headers=auth("guess"))
    assert response.status_code == 401 and "guess" not in response.text


def test_observations__json_batch_is_ingested_and_accounted(client):
    response = client.post("/v1/observations", json={"observations": ROWS}, headers=auth())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["rows_read"] == 3
    assert report["accepted"] + report["updated"] + report["unchanged"] + report["quarantined"] == 3
    assert report["quarantined"] == 1 and report["source"].startswith("api:key:")
    metrics = client.get("/metrics").text
    assert 'headroom_rows_ingested_total{outcome="quarantined"} 1.0' in metrics


def test_observations__ndjson_is_accepted_and_reingest_changes_nothing(client):
    body = "\n".join(json.dumps(r) for r in ROWS[:2]).encode()
    headers = {**auth(), "Content-Type": "application/x-ndjson"}
    first = client.post("/v1/observations", content=body, headers=headers).json()
    again = client.post("/v1/observations", content=body, headers=headers).json()
    assert first["accepted"] == 2 and again["unchanged"] == 2 and again["observations_written"] == 0


def test_observations__bad_ndjson_line_is_422_naming_the_line(client):
    body = json.dumps(ROWS[0]) + "\n{not json\n"
    response = client.post("/v1/observations", content=body,
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 422 and "line 2" in response.json()["error"]["message"]


def test_observations__empty_batch_is_422(client):
    response = client.post("/v1/observations", json={"observations": []}, headers=auth())
    assert response.status_code == 422
    assert any(d["field"].startswith("body.observations") for d in response.json()["error"]["details"])


def test_observations__body_over_the_limit_is_413_stating_it(settings):
    keyed = Settings(home=settings.home, api_keys=WRITE_KEY)
    with TestClient(create_app(keyed, options(max_body_bytes=1000))) as client:
        big = {"observations": ROWS * 20}
        response = client.post("/v1/observations", json=big, headers=auth())
        chunked = client.post("/v1/observations", content=iter([json.dumps(big).encode()]), headers=auth())
    for r in (response, chunked):
        assert r.status_code == 413
        assert r.json()["error"]["details"] == {"limit_bytes": 1000}
        assert "1000 bytes" in r.json()["error"]["message"]


def test_writes__closed_when_no_key_is_configured(settings):
    with TestClient(create_app(settings, options())) as client:
        response = client.post("/v1/observations", json={"observations": ROWS}, headers=auth())
    assert response.status_code == 401 and "no API key is configured" in response.json()["error"]["message"]


def test_dev_key__created_once_as_a_hash_and_accepted(settings):
    key, path = create_dev_key(settings.home)
    again, _ = create_dev_key(settings.home)
    keys_file = settings.home / "api_keys.sha256"
    assert again == key and path.read_text().strip() == key
    assert key not in keys_file.read_text() and keys_file.read_text().count(key_hash(key)) == 1
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with TestClient(create_app(settings, options())) as client:
        response = client.post("/v1/observations", json={"observations": ROWS[:1]}, headers=auth(key))
    assert response.status_code == 200


def test_keys__env_and_file_hashes_both_authenticate(tmp_path):
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"# comment\n{key_hash('from-file')} ops laptop\nnot-a-hash\n")
    hashes = read_key_hashes("a, b", keys_file)
    assert len(hashes) == 3
    assert authenticate("from-file", hashes).key_id == key_hash("from-file")[:12]
    assert authenticate("b", hashes)


def test_jobs__run_needs_a_key_before_anything_else(client):
    assert client.post("/v1/jobs/retrain/run").status_code == 401
