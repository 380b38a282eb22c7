"""Forecast serving latency and throughput against 127.0.0.1, beside a bare endpoint with the same bytes.

    .venv/bin/python bench/serve.py [--seconds 10] [--clients 64] [--workers 1] [--home PATH]

Starts `service.app:create_app` under uvicorn (access log off, as behind a proxy that logs) and a
bare FastAPI app that returns the same response bytes from memory, then drives
`GET /v1/regions/us-nova/forecast?horizon=168` on each with N keep-alive connections for a fixed
time. The client is a minimal asyncio HTTP/1.1 loop (lighter than httpx, so that the client
steals less of the 2 cores from the server). Prints p50/p99 latency and requests/s; bounded in
time, loopback only. Goal (issue 6): p99 <= 10 ms and >= 80 % of the bare endpoint's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATH = "/v1/regions/us-nova/forecast?horizon=168"
BARE_APP = """
import sys
from fastapi import FastAPI
from fastapi.responses import Response
BODY = open(sys.argv[1], "rb").read()
app = FastAPI()
@app.get("/v1/regions/{region}/forecast")
async def bare(region: str) -> Response:
    return Response(BODY, media_type="application/json")
import uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_home(home: Path) -> None:
    """60 days of demo data and one trained issue (skipped when the home already has forecasts)."""
    sys.path.insert(0, str(ROOT))
    from pipelines.config.settings import Settings
    from pipelines.demo import run_demo
    from pipelines.store import Store
    from pipelines.training.train import run_train

    settings = Settings(home=home)
    store = Store(settings.tables)
    if store.version("forecasts") is None:
        now = datetime.now(UTC)
        run_demo(store, settings, now, days=60, seed=7)
        run_train(store, settings, now)


def wait_up(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)  # polling a starting server, bounded by the deadline
    raise SystemExit(f"server on {port} did not start within {timeout}s")


async def fetch_once(port: int) -> bytes:
    """One GET of PATH; returns the body (also warms the server's cache)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"unexpected answer: {head[:200]!r}")
    return body


async def client(port: int, stop: float, latencies: list[float], warm_until: float) -> None:
    """One keep-alive connection sending GETs back to back until `stop`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    while (start := time.perf_counter()) < stop:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        if start >= warm_until:
            latencies.append(time.perf_counter() - start)
    writer.close()


async def drive(port: int, clients: int, seconds: float, warmup: float) -> tuple[list[float], float]:
    now = time.perf_counter()
    warm_until, stop = now + warmup, now + warmup + seconds
    latencies: list[float] = []
    await asyncio.gather(*(client(port, stop, latencies, warm_until) for _ in range(clients)))
    return latencies, seconds


def summary(name: str, latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000  # noqa: E731
    return {"name": name, "requests": len(ordered), "rps": len(ordered) / seconds,
            "p50_ms": pick(0.50), "p99_ms": pick(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per case")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--clients", type=int, default=64, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes per server")
    parser.add_argument("--home", type=Path, default=None, help="HEADROOM_HOME to serve (default: a demo)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "home"
        prepare_home(home)
        env = {**os.environ, "HEADROOM_HOME": str(home), "PYTHONPATH": str(ROOT)}
        app_port, bare_port = free_port(), free_port()
        app = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(app_port), "--workers", str(args.workers), "--no-access-log",
             "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        procs = [app]
        try:
            wait_up(app_port, app)
            body = asyncio.run(fetch_once(app_port))
            (Path(tmp) / "body.json").write_bytes(body)
            bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(Path(tmp) / "body.json"),
                                     str(bare_port)], env=env, stdout=subprocess.DEVNULL)
            procs.append(bare)
            wait_up(bare_port, bare)
            results = []
            for name, port in (("service", app_port), ("bare", bare_port)):
                asyncio.run(fetch_once(port))
                results.append(summary(name, *asyncio.run(drive(port, args.clients, args.seconds,
                                                                 args.warmup))))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=20)

    print(f"GET {PATH}  ({len(body)} bytes), {args.clients} clients, {args.workers} worker(s), "
          f"{args.seconds:g}s per case, {os.cpu_count()} cores")
    print(f"{'endpoint':<10}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for r in results:
        print(f"{r['name']:<10}{r['requests']:>10}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}")
    service, bare = results
    ratio = service["rps"] / bare["rps"]
    print(f"service/bare throughput: {ratio:.0%}  (goal >= 80 %);  service p99 {service['p99_ms']:.2f} ms "
          f"(goal <= 10 ms)")


if __name__ == "__main__":
    main()
