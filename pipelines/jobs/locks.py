"""One exclusive lock per job name across processes, so that no job overlaps itself."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from pipelines.config.settings import Settings


@contextmanager
def job_lock(settings: Settings, name: str) -> Iterator[bool]:
    """An exclusive, non-blocking lock per job across processes; yields False when already held."""
    folder = settings.home / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
