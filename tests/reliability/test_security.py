"""Security: no write without a valid key; keys never in logs, errors, tables or metrics; CORS; size limits.

In-app where that is enough, against a real `headroom serve` where the transport matters (body
limits over a socket, the log a real server writes, CORS headers as sent).
"""

from __future__ import annotations

import json
import socket

import httpx
import polars as pl
import pytest
from fastapi.testclient import TestClient

from pipelines.config.settings import Settings
from pipelines.store import Store
from service.app import create_app
from tests.reliability.conftest import WRITE_KEY, serve
from tests.service.conftest import options

# POSTs that compute an answer and store nothing: the only ones open without a key (docs/api.md).
COMPUTATIONS = {"/v1/queue-risk", "/v1/siting", "/v1/placement"}
WRONG_KEY = "wrong-secret-key-5d1c0b9e8f"


def _writes(app) -> list[tuple[str, str]]:
    spec = app.openapi()
    return [
        (method.upper(), path.replace("{name}", "compact"))
        for path, item in spec["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    ]


@pytest.mark.parametrize("configured", [True, False], ids=["keys_configured", "no_key_configured"])
def test_writes__every_write_endpoint_refuses_a_missing_or_wrong_key(settings, configured):
    keyed = Settings(home=settings.home, api_keys=WRITE_KEY if configured else "")
    app = create_app(keyed, options())
    store = Store(keyed.tables)
    with TestClient(app) as client:
        writes = _writes(app)
        assert {p for _, p in writes} - COMPUTATIONS, "no write endpoint found in the schema"
        for method, path in writes:
            if path in COMPUTATIONS:
                continue
            for headers in ({}, {"Authorization": f"Bearer {WRONG_KEY}"}, {"Authorization": "Bearer "}):
                response = client.request(method, path, headers=headers, json={"observations": [{}]})
                assert response.status_code == 401, (method, path, response.text)
                assert response.json()["error"]["code"] == "unauthorized"
                assert WRONG_KEY not in response.text
                if not configured:
                    assert "no API key is configured" in response.json()["error"]["message"]
    assert all(store.version(t) is None for t in ("observations", "quarantine", "runs"))


def test_writes__only_the_documented_computations_are_open(settings):
    app = create_app(Settings(home=settings.home, api_keys=WRITE_KEY), options())
    open_posts = set()
    with TestClient(app) as client:
        for method, path in _writes(app):
            if client.request(method, path, json={}).status_code != 401:
                open_posts.add(path)
    assert open_posts == COMPUTATIONS


def test_keys__never_in_logs_errors_tables_or_metrics(demo_copy, tmp_path):
    log = tmp_path / "server.log"
    served = serve(demo_copy, log, HEADROOM_LOG_FORMAT="json", HEADROOM_LOG_LEVEL="DEBUG")
    texts = []
    try:
        good = {"Authorization": f"Bearer {WRITE_KEY}"}
        rows = [
            {"region": "us-nova", "series": "grid_load", "ts": "2026-06-20T10:00:00Z", "value": "oops"},
            {"region": "us-nova", "series": "temperature", "ts": "2026-06-20T10:00:00Z", "value": 21.5},
        ]
        for headers in (good, {"Authorization": f"Bearer {WRONG_KEY}"}, {"Authorization": WRONG_KEY}):
            r = httpx.post(
                f"{served.base}/v1/observations", json={"observations": rows}, headers=headers, timeout=30
            )
            texts.append(r.text + json.dumps(dict(r.headers)))
        r = httpx.post(f"{served.base}/v1/observations", content=b"{bad", headers=good, timeout=30)
        texts.append(r.text)
        r = httpx.post(f"{served.base}/v1/jobs/nope/run", headers=good, timeout=30)
        texts.append(r.text)
        texts.append(httpx.get(f"{served.base}/metrics", timeout=30).text)
        texts.append(httpx.get(f"{served.base}/v1/jobs", timeout=30).text)
    finally:
        served.stop()
    server_log = log.read_text(errors="replace")
    assert "POST /v1/observations" in server_log
    store = Store(Settings(home=demo_copy).tables)
    for table in ("observations", "quarantine", "runs"):
        frame = store.read(table)
        for column, dtype in frame.schema.items():
            if dtype == pl.String:
                texts.extend(v for v in frame[column].unique().to_list() if v)
    everything = "\n".join([server_log, *texts])
    for secret in (WRITE_KEY, WRONG_KEY):
        assert secret not in everything


def _preflight(base: str, origin: str) -> httpx.Response:
    return httpx.options(
        f"{base}/v1/observations",
        timeout=10,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


def test_cors__closed_by_default_on_a_real_server(shared_server):
    live_server = shared_server
    for response in (
        _preflight(live_server.base, "https://evil.example"),
        httpx.get(f"{live_server.base}/v1/regions", headers={"Origin": "https://evil.example"}, timeout=10),
    ):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_cors__configured_origin_only(demo_settings):
    app = create_app(demo_settings, options(cors_origins="https://planner.example"))
    with TestClient(app) as client:
        allowed = client.options(
            "/v1/observations",
            headers={"Origin": "https://planner.example", "Access-Control-Request-Method": "POST"},
        )
        other = client.options(
            "/v1/observations",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        simple = client.get("/v1/regions", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://planner.example"
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in simple.headers
    assert allowed.headers.get("access-control-allow-credentials") is None  # no cookies, keys only


def _raw_request(base: str, head: bytes, body_chunks: list[bytes]) -> bytes:
    """Send a raw HTTP/1.1 request; return what the server answered before closing (bounded)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the whole body: what we want
        received = b""
        try:
            while len(received) < 65536:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
                if b"\r\n\r\n" in received and b"body_too_large" in received:
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return received


def test_body_limit__50mb_declared_or_streamed_is_413_and_the_server_keeps_serving(shared_server):
    live_server = shared_server
    declared = (
        f"POST /v1/observations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WRITE_KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n"
    ).encode()
    answer = _raw_request(live_server.base, declared, [b"x" * 65536])  # the rest is never sent
    assert answer.startswith(b"HTTP/1.1 413") and b"body_too_large" in answer
    chunked = (
        f"POST /v1/observations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WRITE_KEY}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"%x\r\n" % (1024 * 1024) + b"x" * (1024 * 1024) + b"\r\n"
    answer = _raw_request(live_server.base, chunked, [chunk] * 50)
    assert answer.startswith(b"HTTP/1.1 413") and b"body_too_large" in answer
    assert httpx.get(f"{live_server.base}/healthz", timeout=10).status_code == 200
    assert live_server.proc.poll() is None


def test_headers__oversized_header_is_refused_with_431(shared_server):
    live_server = shared_server
    try:
        response = httpx.get(f"{live_server.base}/healthz", headers={"X-Big": "a" * 200_000}, timeout=10)
        assert response.status_code == 431 and response.json()["error"]["code"] == "headers_too_large"
    except httpx.RemoteProtocolError:
        pass  # the server dropped the connection: also a refusal
    assert httpx.get(f"{live_server.base}/healthz", timeout=10).status_code == 200
