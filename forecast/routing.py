"""One model per region behind the common interface: serving mixes versions region by region."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self

import polars as pl

from forecast import schema as S
from forecast.models.base import DEFAULT_QUANTILES, ForecastModel


class ByRegion(ForecastModel):
    """Routes each region to its own fitted model (several regions may share one model object).

    Built from already fitted models: `fit` is not offered, `update` re-anchors each model on its
    regions' rows, and forecasts are gathered region by region.
    """

    name = "by_region"

    def __init__(self, models: Mapping[str, ForecastModel]) -> None:
        if not models:
            raise ValueError("ByRegion needs a model for at least one region")
        self.models = dict(models)

    @property
    def is_fitted(self) -> bool:
        return all(m.is_fitted for m in self.models.values())

    def _groups(self) -> list[tuple[ForecastModel, list[str]]]:
        """Distinct model objects with the regions each one serves."""
        groups: dict[int, tuple[ForecastModel, list[str]]] = {}
        for region, model in self.models.items():
            groups.setdefault(id(model), (model, []))[1].append(region)
        return list(groups.values())

    def fit(self, frame: pl.DataFrame) -> Self:
        raise TypeError("ByRegion combines fitted models; fit each model, then use update()")

    def update(self, frame: pl.DataFrame) -> Self:
        for model, regions in self._groups():
            part = frame.filter(pl.col(S.REGION).is_in(regions))
            if part.height:
                model.update(part)
        return self

    def _gather(self, method: str, *args) -> pl.DataFrame:
        frames = [
            getattr(model, method)(*args).filter(pl.col(S.REGION).is_in(regions))
            for model, regions in self._groups()
        ]
        return pl.concat(frames).sort(S.REGION, S.TS)

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pl.DataFrame:
        return self._gather("predict", horizon, quantiles)

    def sample_paths(self, horizon: int, n_samples: int, seed: int) -> pl.DataFrame:
        return self._gather("sample_paths", horizon, n_samples, seed)
