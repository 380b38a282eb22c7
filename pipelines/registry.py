"""The model registry under HEADROOM_HOME/models: versions per region and target, and the champion.

A version is a folder of model files (each library's own format) and `metadata.json` with the
training data version, parameters, features, backtest figures, code version, creation time and a
SHA-256 per file. Nothing is loaded from a file whose checksum differs from the recorded one.
Writes go to a temporary folder renamed into place, and the champion pointer is replaced
atomically, so a process killed mid-write leaves the registry as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipelines.config import Settings

METADATA = "metadata.json"
CHAMPION = "champion.json"


class RegistryError(LookupError):
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


def _sha256(path: Path) -> str:
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
        self.root = settings.home / "models"

    def folder(self, region: str, target: str, version_id: str | None = None) -> Path:
        base = self.root / region / target
        return base / version_id if version_id else base

    def save(self, record: ModelVersion, write: Callable[[Path], None]) -> ModelVersion:
        """Write a version: `write(folder)` puts the model files there; checksums are recorded."""
        final = self.folder(record.region, record.target, record.version)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=final.parent))
        try:
            write(staging)
            files = {p.name: _sha256(p) for p in sorted(staging.iterdir()) if p.is_file()}
            saved = record.model_copy(update={"files": files})
            (staging / METADATA).write_text(saved.model_dump_json(indent=1))
            os.replace(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return saved

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
            if not path.exists() or _sha256(path) != expected:
                raise ChecksumMismatchError(path)
        return record, folder

    def versions(self, region: str | None = None, target: str | None = None) -> list[ModelVersion]:
        """Every recorded version, oldest first."""
        pattern = f"{region or '*'}/{target or '*'}/*/{METADATA}"
        records = [ModelVersion.model_validate_json(p.read_text()) for p in self.root.glob(pattern)]
        return sorted(records, key=lambda r: r.created_at)

    def promote(self, region: str, target: str, version_id: str, reason: str) -> None:
        """Make a version the champion (it must exist and pass its checksums)."""
        self.open(region, target, version_id)
        pointer = {"version": version_id, "promoted_at": datetime.now(UTC).isoformat(), "reason": reason}
        _atomic_write(self.folder(region, target) / CHAMPION, json.dumps(pointer))

    def champion(self, region: str, target: str) -> dict | None:
        """The champion pointer `{version, promoted_at, reason}`, or None."""
        path = self.folder(region, target) / CHAMPION
        return json.loads(path.read_text()) if path.exists() else None
