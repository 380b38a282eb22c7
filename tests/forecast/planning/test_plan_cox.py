import numpy as np
import pytest

from forecast.models.base import NotFittedError
from forecast.planning.cox import LOG_MW, QueueCox, concordance
from forecast.planning.survival import IN_SERVICE, NoQueueDataError, survival_frame


def test_cox__finds_that_larger_requests_connect_more_slowly(cox):
    assert cox.coefficients()["in_service"][LOG_MW] < 0


def test_cox__curves_are_probabilities_that_add_up(cox, as_of):
    request = cox.request_frame("slow", 100.0, "load", as_of)
    curves = cox.curves(request, np.arange(1, 4000, dtype=float))
    total = curves["cif_service"] + curves["cif_withdrawn"] + curves["waiting"]
    assert np.allclose(total, 1.0, atol=1e-6)
    assert np.all(np.diff(curves["cif_service"][0]) >= -1e-12)
    assert np.all(curves["cif_service"] <= curves["net_service"] + 1e-12)


def test_cox__drops_a_size_effect_that_would_make_larger_requests_faster(make_queue, as_of):
    queue = make_queue(seed=5)
    flipped = queue.with_columns((1e5 / queue["mw"]).alias("mw"))  # now larger requests wait less
    model = QueueCox().fit(survival_frame(flipped, as_of), as_of)
    assert model.models[IN_SERVICE]["mw_dropped"]
    assert LOG_MW not in model.coefficients()["in_service"]


def test_cox__unknown_region_and_unfitted_model_are_clear_errors(cox, as_of):
    with pytest.raises(NoQueueDataError, match="nowhere"):
        cox.request_frame("nowhere", 10.0, "load", as_of)
    with pytest.raises(NotFittedError):
        QueueCox().coefficients()


def test_concordance__matches_a_plain_loop_over_pairs():
    rng = np.random.default_rng(0)
    time, event, score = rng.uniform(0, 10, 40), rng.uniform(size=40) < 0.7, rng.normal(size=40)
    score[:5] = score[5]  # some ties
    good = usable = 0.0
    for i in range(40):
        for j in range(40):
            if event[i] and time[i] < time[j]:
                usable += 1
                good += 1.0 if score[i] > score[j] else 0.5 if score[i] == score[j] else 0.0
    assert concordance(time, event, score) == pytest.approx(good / usable)
