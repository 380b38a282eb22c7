"""The model registry: atomic versions with checksums, and a champion pointer."""

from datetime import UTC, datetime

import pytest

from pipelines.registry.versions import ChecksumMismatchError, ModelVersion, Registry, RegistryError


def _record(version: str, mase: float = 0.9) -> ModelVersion:
    return ModelVersion(
        version=version,
        region="us-nova",
        target="grid_load",
        model="seasonal_naive",
        params={"season": 24},
        data_version=3,
        backtest={"mase": mase},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _write(text: str):
    def write(folder):
        (folder / "model.txt").write_text(text)

    return write


def test_registry__saves_files_with_checksums_and_reopens_them(settings):
    registry = Registry(settings)
    saved = registry.save(_record("v1"), _write("tree 1"))
    record, folder = registry.open("us-nova", "grid_load", "v1")
    assert record == saved and set(record.files) == {"model.txt"}
    assert (folder / "model.txt").read_text() == "tree 1"


def test_registry__a_tampered_file_is_never_loaded(settings):
    registry = Registry(settings)
    registry.save(_record("v1"), _write("tree 1"))
    (registry.folder("us-nova", "grid_load", "v1") / "model.txt").write_text("evil")
    with pytest.raises(ChecksumMismatchError, match="checksum"):
        registry.open("us-nova", "grid_load", "v1")
    with pytest.raises(ChecksumMismatchError):
        registry.promote("us-nova", "grid_load", "v1", "by hand")


def test_registry__a_failed_write_leaves_nothing_behind(settings):
    registry = Registry(settings)

    def broken(folder):
        (folder / "model.txt").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        registry.save(_record("v1"), broken)
    assert registry.versions() == []
    with pytest.raises(RegistryError):
        registry.metadata("us-nova", "grid_load", "v1")


def test_registry__promote_moves_the_champion_and_rolls_back(settings):
    registry = Registry(settings)
    registry.save(_record("v1"), _write("a"))
    registry.save(_record("v2"), _write("b"))
    registry.promote("us-nova", "grid_load", "v2", "better MASE")
    assert registry.champion("us-nova", "grid_load")["version"] == "v2"
    registry.promote("us-nova", "grid_load", "v1", "rollback")
    assert registry.champion("us-nova", "grid_load") | {"promoted_at": None} == {
        "version": "v1",
        "promoted_at": None,
        "reason": "rollback",
    }
    assert [r.version for r in registry.versions("us-nova")] == ["v1", "v2"]
