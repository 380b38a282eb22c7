from datetime import date

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.planning.survival import (
    CENSORED,
    IN_SERVICE,
    WITHDRAWN,
    completed_median_days,
    cumulative_incidence,
    curve_quantile,
    km_probability,
    km_summary,
    survival_frame,
)


def _requests(rows: list[tuple]) -> pl.DataFrame:
    keys = ("request_id", "requested_on", "in_service_on", "withdrawn_on")
    frame = pl.DataFrame(
        [dict(zip(keys, r, strict=True)) for r in rows],
        schema={
            "request_id": pl.String,
            "requested_on": pl.Date,
            "in_service_on": pl.Date,
            "withdrawn_on": pl.Date,
        },
    )
    return frame.with_columns(
        pl.lit("r").alias(S.REGION), pl.lit("load").alias("kind"), pl.lit(10.0).alias("mw")
    )


def test_survival_frame__censors_active_and_hides_outcomes_after_as_of():
    frame = survival_frame(
        _requests(
            [
                ("a", date(2020, 1, 1), date(2021, 1, 1), None),
                ("b", date(2020, 1, 1), None, date(2020, 7, 1)),
                ("c", date(2020, 1, 1), date(2026, 1, 1), None),  # in service after as_of: still waiting
                ("d", date(2026, 1, 1), None, None),  # made after as_of: not counted
            ]
        ),
        date(2022, 1, 1),
    )
    assert frame["request_id"].to_list() == ["a", "b", "c"]
    assert frame["outcome"].to_list() == [IN_SERVICE, WITHDRAWN, CENSORED]
    assert frame["duration_days"].to_list() == [366.0, 182.0, 731.0]


def test_kaplan_meier__matches_a_hand_worked_product_limit():
    # waits 1, 2(censored), 3, 4: S(1) = 3/4, S(3) = 3/4 * 1/2, S(4) = 0
    frame = pl.DataFrame(
        {
            S.REGION: ["r"] * 4,
            "duration_days": [1.0, 2.0, 3.0, 4.0],
            "outcome": [1, 0, 1, 1],
        }
    )
    assert km_probability(frame, [1, 2, 3, 4]) == pytest.approx([0.25, 0.25, 0.625, 1.0])


def test_cumulative_incidence__withdrawals_compete_so_service_stays_below_km():
    frame = pl.DataFrame(
        {
            S.REGION: ["r"] * 6,
            "duration_days": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "outcome": [1, 2, 1, 2, 1, 0],
        }
    )
    cif = cumulative_incidence(frame, [6.0])
    assert cif["in_service"][0] + cif["withdrawn"][0] <= 1.0 + 1e-9
    assert cif["in_service"][0] < km_probability(frame, [6.0])[0]


def test_cumulative_incidence__equals_km_without_withdrawals():
    frame = pl.DataFrame(
        {S.REGION: ["r"] * 4, "duration_days": [1.0, 2.0, 3.0, 4.0], "outcome": [1, 0, 1, 1]}
    )
    cif = cumulative_incidence(frame, [1, 3, 4])
    assert cif["in_service"] == pytest.approx(km_probability(frame, [1, 3, 4]))
    assert (cif["withdrawn"] == 0).all()


def test_completed_median__looks_only_at_requests_in_service():
    frame = pl.DataFrame(
        {S.REGION: ["r"] * 4, "duration_days": [100.0, 200.0, 5000.0, 9000.0], "outcome": [1, 1, 0, 2]}
    )
    assert completed_median_days(frame) == 150.0


def test_km_summary__quantile_is_null_when_the_curve_never_reaches_it():
    frame = pl.DataFrame(
        {S.REGION: ["r"] * 4, "duration_days": [1.0, 2.0, 3.0, 4.0], "outcome": [1, 0, 0, 0]}
    )
    row = km_summary(frame).row(0, named=True)
    assert row["km_p10_days"] == 1.0 and row["km_p50_days"] is None
    assert curve_quantile(np.array([1.0, 2.0]), np.array([0.2, 0.4]), 0.5) is None
