"""A fitted model as files in each library's own format, and back.

LightGBM boosters are written as LightGBM model text, statsmodels results with statsmodels' own
`save`, polars frames (histories, calibration residuals) as Parquet; the small object tree that
ties them together (parameters, region choices) is `model.pickle`, which refers to those files by
name. Load only what the registry has checked against its recorded checksums.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import lightgbm as lgb
import polars as pl
from statsmodels.base.wrapper import ResultsWrapper
from statsmodels.iolib.smpickle import load_pickle

from forecast.models.base import ForecastModel

TREE = "model.pickle"


class _Writer(pickle.Pickler):
    """Pickles the object tree, writing library objects to their own files beside it."""

    def __init__(self, handle: io.BufferedWriter, folder: Path) -> None:
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder = folder
        self.written: dict[int, str] = {}
        self._keep: list[Any] = []  # holds objects alive so that their ids stay unique

    def persistent_id(self, obj: Any) -> str | None:
        kind = (
            "lightgbm" if isinstance(obj, lgb.Booster)
            else "statsmodels" if isinstance(obj, ResultsWrapper)
            else "parquet" if isinstance(obj, pl.DataFrame)
            else None
        )
        if kind is None:
            return None
        if id(obj) not in self.written:
            suffix = {"lightgbm": "txt", "statsmodels": "pickle", "parquet": "parquet"}[kind]
            name = f"{kind}-{len(self.written)}.{suffix}"
            path = self.folder / name
            if kind == "lightgbm":
                obj.save_model(str(path))
            elif kind == "statsmodels":
                obj.save(str(path))
            else:
                obj.write_parquet(path)
            self.written[id(obj)] = name
            self._keep.append(obj)
        return self.written[id(obj)]


class _Reader(pickle.Unpickler):
    """Unpickles the object tree, reading the files it refers to."""

    def __init__(self, handle: io.BufferedReader, folder: Path) -> None:
        super().__init__(handle)
        self.folder = folder
        self.loaded: dict[str, Any] = {}

    def persistent_load(self, pid: str) -> Any:
        if pid not in self.loaded:
            path = self.folder / pid
            if pid.startswith("lightgbm-"):
                self.loaded[pid] = lgb.Booster(model_file=str(path))
            elif pid.startswith("statsmodels-"):
                self.loaded[pid] = load_pickle(str(path))
            elif pid.startswith("parquet-"):
                self.loaded[pid] = pl.read_parquet(path)
            else:
                raise pickle.UnpicklingError(f"unknown model file reference {pid!r}")
        return self.loaded[pid]


def write_model(model: ForecastModel, folder: Path) -> None:
    """Write a fitted model into `folder` (which must exist)."""
    with open(folder / TREE, "wb") as handle:
        _Writer(handle, folder).dump(model)


def read_model(folder: Path) -> ForecastModel:
    """Read a model written by `write_model` (checksums are the registry's job, done before)."""
    with open(folder / TREE, "rb") as handle:
        return _Reader(handle, folder).load()
