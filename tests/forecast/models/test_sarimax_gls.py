"""SARIMAX's regression with ARMA errors fitted by feasible GLS: the joint model's parameters."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from forecast.models.gls import GLS_BURN_IN, arma_innovations, regression_arma_gls
from forecast.models.statsm import SARIMAXParams


def arma_noise(seed: int, n: int = 672) -> tuple[np.ndarray, np.ndarray]:
    """ARMA(2, 1) errors u (AR 1.2, -0.3: sum 0.9; MA 0.4) and their innovations e."""
    e, u = np.random.default_rng(seed).normal(size=n), np.zeros(n)
    for i in range(2, n):
        u[i] = 1.2 * u[i - 1] - 0.3 * u[i - 2] + e[i] + 0.4 * e[i - 1]
    return u, e


def simulated(seed: int, n: int = 672, mean: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Daily and weekly Fourier terms plus ARMA(2, 1) errors around `mean`."""
    t = np.arange(n)
    x = np.column_stack([np.sin(2 * np.pi * t / 24), np.cos(2 * np.pi * t / 24), np.sin(2 * np.pi * t / 168)])
    return mean + x @ np.array([0.8, -0.5, 0.3]) + arma_noise(seed, n)[0], x


def test_arma_innovations__turn_arma_errors_back_into_their_innovations():
    # The prewhitening of the GLS step: statsmodels' sign conventions (AR params enter as
    # 1 - 1.2 L + 0.3 L^2, MA as 1 + 0.4 L). After the burn-in the zero start has died out.
    u, e = arma_noise(0)
    np.testing.assert_allclose(arma_innovations(u, np.array([1.2, -0.3]), np.array([0.4])), e[GLS_BURN_IN:],
                               atol=1e-9)
    both = arma_innovations(np.column_stack([u, 2 * u]), np.array([1.2, -0.3]), np.array([0.4]))
    np.testing.assert_allclose(both[:, 1], 2 * e[GLS_BURN_IN:], atol=1e-9)


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


def test_regression_arma_gls__is_more_efficient_than_ols_where_ols_is_not_efficient():
    # A regressor of white noise under persistent ARMA errors: GLS (the prewhitened regression)
    # estimates its slope about 7x as precisely as OLS (RMS error 0.024 vs 0.166); one round,
    # which is OLS, fails this. For Fourier terms OLS is already efficient, so the likelihood
    # test above cannot tell the two apart.
    gls_err, ols_err = [], []
    for seed in range(12):
        u, _ = arma_noise(seed)
        x = np.random.default_rng(100 + seed).normal(size=(len(u), 1))
        z = 1.0 + 0.5 * x[:, 0] + u
        gls_err.append(regression_arma_gls(z, x, (2, 0, 1), maxiter=50)[1] - 0.5)
        ols_err.append(np.linalg.lstsq(np.column_stack([np.ones(len(z)), x]), z, rcond=None)[0][1] - 0.5)
    assert np.sqrt(np.mean(np.square(gls_err))) < 0.6 * np.sqrt(np.mean(np.square(ols_err)))


def test_regression_arma_gls__constant_is_the_arma_intercept_so_forecasts_revert_to_the_mean():
    # statsmodels' trend="c" constant c enters the ARMA: the process mean is c / (1 - sum AR).
    # Passing the regression constant (5) as c would revert to about 5 / (1 - 0.9) = 50.
    z, x = simulated(3)
    model = SARIMAX(z, exog=x, order=(2, 0, 1), trend="c", concentrate_scale=True)
    res = model.filter(regression_arma_gls(z, x, (2, 0, 1), maxiter=50))
    far = res.forecast(2000, exog=np.tile(x[:168], (12, 1))[:2000])[-168:]
    assert abs(far.mean() - z.mean()) < 1.0


def test_regression_arma_gls__white_noise_errors_are_ols():
    z, x = simulated(5)
    ols = np.linalg.lstsq(np.column_stack([np.ones(len(z)), x]), z, rcond=None)[0]
    np.testing.assert_allclose(regression_arma_gls(z, x, (0, 0, 0), maxiter=10), ols)
    model = SARIMAX(z, exog=x, order=(0, 0, 0), trend="c", concentrate_scale=True)
    assert np.isfinite(model.filter(ols).forecast(3, exog=x[:3])).all()


def test_regression_arma_gls__refuses_differenced_errors_and_params_refuse_unknown_fits():
    z, x = simulated(4)
    with pytest.raises(ValueError, match="d = 0"):
        regression_arma_gls(z, x, (1, 1, 0), maxiter=10)
    with pytest.raises(ValueError, match="rounds"):
        regression_arma_gls(z, x, (1, 0, 0), maxiter=10, rounds=0)
    with pytest.raises(ValueError, match="fit must be one of"):
        SARIMAXParams(fit="newton")


@pytest.mark.parametrize(("order", "trend"), [((2, 0, 1), "c"), ((1, 1, 1), "n")])
def test_state_forecast__is_statsmodels_forecast_from_the_applied_filter(order, trend):
    # The calibration's forecast at each origin: stepped from the filter's last predicted state
    # instead of statsmodels' extension model. Same numbers, with and without differencing.
    from forecast.models.statsm import state_forecast

    y, x = simulated(3)
    res = SARIMAX(y[:500], exog=x[:500], order=order, trend=trend, concentrate_scale=True).fit(
        disp=False, maxiter=30
    )
    applied = res.apply(y[300:600] + 1.0, exog=x[300:600])
    expected = np.asarray(applied.forecast(72, exog=x[600:672]))
    np.testing.assert_allclose(state_forecast(applied, x[600:672]), expected, rtol=0, atol=1e-9)


def test_state_forecast__on_the_served_gls_path_with_temperature_and_refuses_a_time_trend():
    # As SARIMAXModel serves it: filtered at the GLS parameters, with temperature and its square as
    # two more exogenous columns. A time trend makes the system time-varying: refused, not guessed.
    from forecast.models.statsm import state_forecast

    y, x = simulated(4)
    temp = 10 + 5 * np.sin(2 * np.pi * np.arange(len(y)) / 24 + 1.0)
    exog = np.column_stack([x, temp, (temp - 18) ** 2])
    z = (y - y.mean()) / y.std() + 0.02 * temp
    model = SARIMAX(z[:500], exog=exog[:500], order=(2, 0, 1), trend="c", concentrate_scale=True)
    res = model.filter(regression_arma_gls(z[:500], exog[:500], (2, 0, 1), 30))
    applied = res.apply(z[400:600], exog=exog[400:600])
    expected = np.asarray(applied.forecast(72, exog=exog[600:672]))
    np.testing.assert_allclose(state_forecast(applied, exog[600:672]), expected, rtol=0, atol=1e-9)
    trended = SARIMAX(z[:500], exog=exog[:500], order=(1, 0, 0), trend="ct")
    trended = trended.filter(np.r_[0.0, 0.0, np.zeros(5), 0.5, 1.0])
    with pytest.raises(ValueError, match="time-invariant"):
        state_forecast(trended, exog[500:510])
