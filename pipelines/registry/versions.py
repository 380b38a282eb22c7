"""The model registry (HEADROOM_HOME/models or HEADROOM_MODELS_DIR): versions per region and target.

A version is a folder of model files (each library's own format) and `metadata.json` with the
training data version, parameters, features, backtest figures, code version, creation time and a
SHA-256 per file. Nothing is loaded from a file whose checksum differs from the recorded one.
Writes go to a temporary folder renamed into place, and the champion pointer is replaced
atomically, so a process killed mid-write leaves the registry as it was (a left-over staging
folder is never listed, and is removed by the next save). A model fitted across a group of
regions is written once and hard-linked into each region's version folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from forecast.errors import UserError
from forecast.models.base import ForecastModel
from pipelines.config.settings import Settings
from pipelines.registry.files import read_model

METADATA = "metadata.json"
CHAMPION = "champion.json"
STALE_SECONDS = 3600  # a staging folder older than this belongs to a dead process


class RegistryError(UserError, LookupError):
    """A version or champion that the registry does not hold."""


class ChecksumMismatchError(RuntimeError):
    """A model file differs from what the registry recorded: it is not loaded."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"model file {path} does not match its recorded checksum; refusing to load it")


class ModelVersion(BaseModel):
    """What the registry records about one fitted model."""

    version: str
    region: str
    target: str
    model: str = Field(description="Model name, e.g. lightgbm, mstl_ets, seasonal_naive.")
    params: dict[str, Any] = Field(default_factory=dict)
    features: list[str] = Field(default_factory=list)
    data_version: int | None = None
    backtest: dict[str, float | None] = Field(default_factory=dict, description="mase, coverage_80, ...")
    code_version: str = ""
    created_at: datetime
    files: dict[str, str] = Field(default_factory=dict, description="file name -> sha256")


def code_version() -> str:
    """The installed package version (and the git commit when known, from HEADROOM_GIT_SHA)."""
    try:
        base = version("grid-headroom")
    except PackageNotFoundError:
        base = "unknown"
    sha = os.environ.get("HEADROOM_GIT_SHA", "")
    return f"{base}+{sha[:12]}" if sha else base


def _sha256(path: Path, memo: dict[tuple, str] | None = None) -> str:
    """SHA-256 of a file; `memo` skips files already hashed (same inode, size and mtime)."""
    if memo is not None:
        st = path.stat()
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if key not in memo:
            memo[key] = _sha256(path)
        return memo[key]
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class Registry:
    """Model versions on disk, one folder per region/target/version."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.models
        self._hashes: dict[tuple, str] = {}  # files hashed by this instance (hard links share one)

    def folder(self, region: str, target: str, version_id: str | None = None) -> Path:
        base = self.root / region / target
        return base / version_id if version_id else base

    def save(self, record: ModelVersion, write: Callable[[Path], None]) -> ModelVersion:
        """Write a version: `write(folder)` puts the model files there; checksums are recorded."""
        return self.save_group([record], write)[0]

    def save_group(self, records: list[ModelVersion], write: Callable[[Path], None]) -> list[ModelVersion]:
        """Write one set of model files as a version of each record's region (hard links, not copies)."""
        first = self._stage(records[0])
        stagings = [first]
        try:
            write(first)
            files = {p.name: _sha256(p, self._hashes) for p in sorted(first.iterdir()) if p.is_file()}
            for _ in records[1:]:
                stagings.append(self._stage(records[0]))
                for name in files:
                    _link_or_copy(first / name, stagings[-1] / name)
            saved = []
            for record, staging in zip(records, stagings, strict=True):
                done = record.model_copy(update={"files": files})
                (staging / METADATA).write_text(done.model_dump_json(indent=1))
                saved.append(done)
            # The first staging folder (the link source) is moved last.
            for record, staging in reversed(list(zip(records, stagings, strict=True))):
                final = self.folder(record.region, record.target, record.version)
                self._replace(staging, final)
        except BaseException:
            for staging in stagings:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        return saved

    @staticmethod
    def _replace(staging: Path, final: Path) -> None:
        """Move a staged version into place; a version written again (a retried task) replaces it."""
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            old = final.with_name(f".staging-old-{final.name}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)

    def _stage(self, record: ModelVersion) -> Path:
        """A fresh staging folder beside the version's final place; stale ones are removed."""
        parent = self.folder(record.region, record.target)
        parent.mkdir(parents=True, exist_ok=True)
        for stale in parent.glob(".staging-*"):  # left by a process killed mid-write
            if stale.stat().st_mtime < time.time() - STALE_SECONDS:
                shutil.rmtree(stale, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))

    def metadata(self, region: str, target: str, version_id: str) -> ModelVersion:
        path = self.folder(region, target, version_id) / METADATA
        if not path.exists():
            raise RegistryError(f"no model version {version_id!r} for {region}/{target}")
        return ModelVersion.model_validate_json(path.read_text())

    def open(self, region: str, target: str, version_id: str) -> tuple[ModelVersion, Path]:
        """A version's metadata and folder, after checking every file against its checksum."""
        record = self.metadata(region, target, version_id)
        folder = self.folder(region, target, version_id)
        for name, expected in record.files.items():
            path = folder / name
            if not path.exists() or _sha256(path, self._hashes) != expected:
                raise ChecksumMismatchError(path)
        return record, folder

    def versions(self, region: str | None = None, target: str | None = None) -> list[ModelVersion]:
        """Every recorded version, oldest first."""
        pattern = f"{region or '*'}/{target or '*'}/*/{METADATA}"
        records = [
            ModelVersion.model_validate_json(p.read_text())
            for p in self.root.glob(pattern)
            if not p.parent.name.startswith(".")  # staging folders are not versions
        ]
        return sorted(records, key=lambda r: (r.created_at, r.version))

    def promote(self, region: str, target: str, version_id: str, reason: str) -> None:
        """Make a version the champion (it must exist and pass its checksums)."""
        self.open(region, target, version_id)
        pointer = {"version": version_id, "promoted_at": datetime.now(UTC).isoformat(), "reason": reason}
        _atomic_write(self.folder(region, target) / CHAMPION, json.dumps(pointer))

    def champion(self, region: str, target: str) -> dict | None:
        """The champion pointer `{version, promoted_at, reason}`, or None."""
        path = self.folder(region, target) / CHAMPION
        return json.loads(path.read_text()) if path.exists() else None

    def champion_record(self, region: str, target: str) -> ModelVersion | None:
        """The champion's metadata, or None when the region and target have no champion."""
        pointer = self.champion(region, target)
        return None if pointer is None else self.metadata(region, target, pointer["version"])

    def load(self, region: str, target: str, version_id: str) -> ForecastModel:
        """The fitted model of a version, after its checksums pass."""
        _, folder = self.open(region, target, version_id)
        return read_model(folder)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)
