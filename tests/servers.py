"""Helpers for tests that start a real server on loopback."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll `url` until it answers 200; fail with the server's output if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"server exited with {proc.returncode}: {out}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)  # polling a starting server; bounded by the deadline
    raise AssertionError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def serving_in_thread(settings, timeout: float = 30.0) -> Iterator[str]:
    """The app of `settings` under uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    from service.app import create_app
    from service.options import ServiceOptions

    port = free_port()
    app = create_app(settings, ServiceOptions(forecast_check_seconds=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert time.monotonic() < deadline, f"server did not start within {timeout:g} s"
        time.sleep(0.05)  # waiting for a starting server; bounded by the deadline
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
