"""The inbox folder `$HEADROOM_HOME/inbox/`: files dropped there are ingested by the ingest job.

A file that ingests (even with quarantined rows) moves to `inbox/done/<batch_id>-<name>`; one
that cannot be read moves to `inbox/failed/<name>` with `<name>.reason.txt` beside it. Names
are never used as paths: only plain file names directly inside the inbox are considered, and
moved files get a sanitized name.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pipelines.config.settings import Settings
from pipelines.ingest.observations import BatchReport, ingest_file
from pipelines.sources import SourceFormatError
from pipelines.store import Store

SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# What a bad file can raise while being read; anything else is a bug and fails the job loudly.
# polars' own errors (an empty file, an unbalanced quote, bytes that are not UTF-8) are bad files
# too: left in the inbox they would fail every later run of the job before the next file.
FILE_ERRORS = (SourceFormatError, ValueError, KeyError, OSError, pl.exceptions.PolarsError)


def inbox_dir(settings: Settings) -> Path:
    """The inbox folder (created on first use)."""
    path = settings.home / "inbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_name(name: str) -> str:
    """A file name with no path separators, leading dots or unusual characters."""
    cleaned = SAFE.sub("_", Path(name).name).lstrip(".")
    return cleaned[:120] or "unnamed"


def _pending(inbox: Path) -> list[Path]:
    # Only regular files directly inside the inbox; symlinks could point anywhere.
    return sorted(
        p for p in inbox.iterdir()
        if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
    )


def drain_inbox(store: Store, settings: Settings) -> list[BatchReport]:
    """Ingest every file waiting in the inbox; archive the done ones, set aside the failed ones."""
    inbox = inbox_dir(settings)
    done, failed = inbox / "done", inbox / "failed"
    reports = []
    for path in _pending(inbox):
        name = safe_name(path.name)
        try:
            report = ingest_file(store, settings, path)
        except FILE_ERRORS as exc:
            failed.mkdir(exist_ok=True)
            path.replace(failed / name)
            (failed / f"{name}.reason.txt").write_text(f"{type(exc).__name__}: {exc}\n")
            continue
        done.mkdir(exist_ok=True)
        path.replace(done / f"{report.batch_id}-{name}")
        reports.append(report)
    return reports
