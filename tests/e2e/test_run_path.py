"""What `make run` does, against a real server: demo, train, serve, then ask over HTTP."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, wait_until_up

HEADROOM = [sys.executable, "-m", "pipelines.cli"]
REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx")


@pytest.fixture
def served(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "HEADROOM_HOME": str(tmp_path / "home"), "HEADROOM_PORT": str(port)}
    for args in (["demo", "--if-empty", "--days", "60"], ["train"]):
        done = subprocess.run([*HEADROOM, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    proc = subprocess.Popen(
        [*HEADROOM, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", proc)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_run_path__serves_health_and_headroom_for_every_region(served):
    base, _ = served
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    for region in REGIONS:
        response = httpx.get(
            f"{base}/v1/regions/{region}/forecast",
            params={"target": "headroom", "horizon": 48, "quantiles": "0.1,0.5,0.9"},
        )
        assert response.status_code == 200, response.text
        assert len(response.json()["points"]) == 48 * 3


def test_run_path__demo_if_empty_leaves_a_loaded_store_alone(served, tmp_path):
    env = {**os.environ, "HEADROOM_HOME": str(tmp_path / "home")}
    done = subprocess.run([*HEADROOM, "demo", "--if-empty"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "already holds data" in done.stdout
