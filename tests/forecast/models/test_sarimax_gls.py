"""SARIMAX's regression with ARMA errors fitted by feasible GLS: the joint model's parameters."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from forecast.models.statsm import SARIMAXParams, regression_arma_gls


def simulated(seed: int, n: int = 672, mean: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Daily and weekly Fourier terms plus ARMA(2, 1) errors (AR sum 0.9) around `mean`."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    x = np.column_stack([np.sin(2 * np.pi * t / 24), np.cos(2 * np.pi * t / 24), np.sin(2 * np.pi * t / 168)])
    e, u = rng.normal(size=n), np.zeros(n)
    for i in range(2, n):
        u[i] = 1.2 * u[i - 1] - 0.3 * u[i - 2] + e[i] + 0.4 * e[i - 1]
    return mean + x @ np.array([0.8, -0.5, 0.3]) + u, x


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regression_arma_gls__reaches_the_joint_likelihood_of_the_converged_fit(seed):
    # Oracle: statsmodels' joint maximum likelihood, run to convergence. The GLS parameters,
    # plugged into the same model, give a log-likelihood within 1 of its maximum (over 672 hours).
    z, x = simulated(seed)
    model = SARIMAX(z, exog=x, order=(2, 0, 1), trend="c", concentrate_scale=True)
    joint = model.fit(disp=False, maxiter=1000)
    gls = regression_arma_gls(z, x, (2, 0, 1), maxiter=50)
    assert joint.llf - model.loglike(gls) < 1.0
    np.testing.assert_allclose(gls[1:4], joint.params[1:4], atol=0.25)  # the Fourier coefficients


def test_regression_arma_gls__constant_is_the_arma_intercept_so_forecasts_revert_to_the_mean():
    # statsmodels' trend="c" constant c enters the ARMA: the process mean is c / (1 - sum AR).
    # Passing the regression constant (5) as c would revert to about 5 / (1 - 0.9) = 50.
    z, x = simulated(3)
    model = SARIMAX(z, exog=x, order=(2, 0, 1), trend="c", concentrate_scale=True)
    res = model.filter(regression_arma_gls(z, x, (2, 0, 1), maxiter=50))
    far = res.forecast(2000, exog=np.tile(x[:168], (12, 1))[:2000])[-168:]
    assert abs(far.mean() - z.mean()) < 1.0


def test_regression_arma_gls__refuses_differenced_errors_and_params_refuse_unknown_fits():
    z, x = simulated(4)
    with pytest.raises(ValueError, match="d = 0"):
        regression_arma_gls(z, x, (1, 1, 0), maxiter=10)
    with pytest.raises(ValueError, match="fit must be one of"):
        SARIMAXParams(fit="newton")
