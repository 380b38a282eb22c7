"""Fitted models as files in each library's own format, read back to the same forecasts."""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from statsmodels.base.wrapper import ResultsWrapper
from statsmodels.iolib.smpickle import load_pickle

from forecast import schema as S
from forecast.models.calibrated import CalibrationParams
from forecast.models.gbm import LightGBMParams
from forecast.models.statsm import SARIMAXModel, SARIMAXParams
from forecast.selection import SelectionParams, fit_default
from pipelines.registry.files import TREE, read_model, write_model

START = datetime(2026, 1, 1, tzinfo=UTC)


def _series(days: int = 42) -> pl.DataFrame:
    hours = days * 24
    rng = np.random.default_rng(0)
    ts = pl.datetime_range(START, START + timedelta(hours=hours - 1), "1h", eager=True, time_zone="UTC")
    frames = []
    for i, region in enumerate(("aa", "bb")):
        t = np.arange(hours)
        value = 1000 * (i + 1) + 200 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 20, hours)
        frames.append(pl.DataFrame({S.REGION: region, S.TS: ts, S.VALUE: value}))
    return pl.concat(frames)


CALIBRATION = CalibrationParams(max_horizon=24, origins=4, stride=24, min_train=336)


@pytest.fixture(scope="module")
def fitted():
    """A selection over seasonal naive and a small LightGBM fitted on 40 of 42 days."""
    frame = _series()
    params = SelectionParams(
        candidates=("seasonal_naive", "lightgbm"), calibration=CALIBRATION,
        lightgbm=LightGBMParams(n_estimators=20, num_threads=1),
    )
    cut = frame.filter(pl.col(S.TS) < START + timedelta(days=40))
    model, _ = fit_default(cut, {"aa": "US", "bb": "DE"}, horizon=24, params=params)
    return frame, model


def test_model_files__lightgbm_as_its_own_model_text_and_frames_as_parquet(fitted, tmp_path):
    _, model = fitted
    write_model(model, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    boosters = [n for n in names if n.startswith("lightgbm-")]
    assert len(boosters) == 1 and (tmp_path / boosters[0]).read_text().startswith("tree\n")
    assert any(n.startswith("parquet-") for n in names)  # histories and calibration residuals
    assert TREE in names
    loaded = read_model(tmp_path)
    assert loaded.choice == model.choice
    assert loaded.predict(24, (0.1, 0.5, 0.9)).equals(model.predict(24, (0.1, 0.5, 0.9)))


def test_model_files__statsmodels_results_with_statsmodels_own_save(tmp_path):
    frame = _series(days=30)
    params = SARIMAXParams(window_hours=24 * 14, filter_hours=24 * 7, maxiter=10)
    model = SARIMAXModel(params, CALIBRATION).fit(frame)
    write_model(model, tmp_path)
    saved = [p for p in tmp_path.iterdir() if p.name.startswith("statsmodels-")]
    assert len(saved) == 2  # one results object per region
    assert isinstance(load_pickle(str(saved[0])), ResultsWrapper)
    assert read_model(tmp_path).predict(24).equals(model.predict(24))


def test_model_files__a_loaded_model_re_anchors_on_newer_data(fitted, tmp_path):
    frame, model = fitted
    write_model(model, tmp_path)
    loaded = read_model(tmp_path).update(frame)
    first = loaded.predict(3, (0.5,)).group_by(S.REGION).agg(pl.col(S.TS).min())
    assert (first[S.TS] == frame[S.TS].max() + timedelta(hours=1)).all()
