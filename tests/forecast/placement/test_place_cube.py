"""The long path frame becomes a dense cube on common hours and samples; gaps count as 0 MW."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.placement import UnalignedPathsError, headroom_cube

from .conftest import T0, frame_of


def test_cube__keeps_common_hours_and_samples_and_fills_gaps_with_zero():
    frame = pl.concat([
        frame_of({"a": [[1, 2, 3, 4], [5, 6, 7, 8]]}),
        frame_of({"b": [[9, 9, 9], [9, 9, 9], [9, 9, 9]]}, T0 + timedelta(hours=1)),
    ])
    gap = (pl.col(S.REGION) == "a") & (pl.col(S.SAMPLE) == 1) & (pl.col(S.TS) == T0 + timedelta(hours=2))
    frame = frame.filter(~gap)
    cube = headroom_cube(frame, T0, "v")
    assert cube.regions == ("a", "b")
    assert cube.start == T0 + timedelta(hours=1) and cube.n_hours == 3
    assert cube.n_samples == 2  # sample 2 exists only in b
    assert cube.values[0].tolist() == [[2, 3, 4], [6, 0, 8]]
    assert cube.missing == 1


def test_cube__refuses_frames_it_cannot_align():
    with pytest.raises(UnalignedPathsError):
        headroom_cube(frame_of({"a": [[1.0]]}).clear(), T0, "v")
    apart = pl.concat([frame_of({"a": [[1.0, 2.0]]}), frame_of({"b": [[1.0]]}, T0 + timedelta(hours=5))])
    with pytest.raises(UnalignedPathsError, match="share no hour"):
        headroom_cube(apart, T0, "v")
