"""What `make run` does, against a real server: demo, train, serve, then ask over HTTP."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HEADROOM = [sys.executable, "-m", "pipelines.cli"]
REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)  # polling a starting server; bounded by the deadline
    raise AssertionError(f"{url} did not answer within {timeout}s")


@pytest.fixture
def served(tmp_path: Path):
    port = _free_port()
    env = {**os.environ, "HEADROOM_HOME": str(tmp_path / "home"), "HEADROOM_PORT": str(port)}
    for args in (["demo", "--if-empty", "--days", "60"], ["train"]):
        done = subprocess.run([*HEADROOM, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    proc = subprocess.Popen(
        [*HEADROOM, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", proc)
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
