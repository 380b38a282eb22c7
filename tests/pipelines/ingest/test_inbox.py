"""The inbox: done files archived, failed files set aside with a reason, names never paths."""

from __future__ import annotations

import polars as pl

from pipelines.ingest.inbox import drain_inbox, inbox_dir, safe_name


def test_drain_inbox__archives_done_and_sets_aside_failed(settings, store):
    inbox = inbox_dir(settings)
    pl.DataFrame({"region": ["de-fra"], "series": ["grid_load"], "ts": ["2024-01-01T00:00:00Z"],
                  "value": ["1"]}).write_csv(inbox / "good.csv")
    (inbox / "bad.csv").write_text("nothing,useful\n1,2\n")
    reports = drain_inbox(store, settings)
    assert [r.accepted for r in reports] == [1]
    assert [p.name for p in (inbox / "done").iterdir()] == [f"{reports[0].batch_id}-good.csv"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["bad.csv", "bad.csv.reason.txt"]
    assert "expected a timestamp column" in (inbox / "failed" / "bad.csv.reason.txt").read_text()
    assert drain_inbox(store, settings) == []


def test_safe_name__strips_paths_and_hidden_prefixes():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..hidden;rm -rf.csv") == "hidden_rm_-rf.csv"
    assert safe_name("") == "unnamed"
