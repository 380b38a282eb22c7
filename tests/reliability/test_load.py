"""A short load run with writes against a real server: no errors, each accepted row stored once.

`bench/load.py --seconds 60` is the long run (memory flatness needs that long to mean anything).
"""

from __future__ import annotations

import importlib

import pytest

pytest.importorskip("psutil", reason="psutil samples the server's memory (bench extra)")



def test_load__reads_and_writes_for_a_few_seconds_without_error_and_every_write_stored_once(
    demo_copy, tmp_path
):
    load = importlib.import_module("bench.load")
    figures = load.run_load(demo_copy, seconds=4, readers=3, writers=2, rows=10, log=tmp_path / "server.log")
    checks = figures.pop("checks")
    assert checks["no_errors"], figures["first_errors"]
    assert checks["server_alive"] and checks["no_traceback_in_log"]
    assert checks["every_accepted_row_stored_once"], figures
    assert figures["reads"] > 0 and figures["writes"] > 0 and figures["accepted_rows"] > 0
