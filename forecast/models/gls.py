"""Regression with ARMA errors by feasible GLS: SARIMAX's parameters without its joint likelihood.

OLS, the ARMA likelihood on the residuals, the regression again on ARMA-prewhitened data
(Cochrane-Orcutt), the ARMA again: each likelihood fit has p + q parameters instead of all of them.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter
from statsmodels.tsa.statespace.sarimax import SARIMAX

GLS_BURN_IN = 48  # prewhitened hours dropped: the ARMA filter starts from zeros


def arma_innovations(x: np.ndarray, arparams: np.ndarray, maparams: np.ndarray) -> np.ndarray:
    """The innovations of ARMA series `x` (columns): x filtered by the inverse ARMA from zero
    pre-sample values, the first `GLS_BURN_IN` rows, where those zeros still show, dropped."""
    ar, ma = np.r_[1.0, -np.asarray(arparams)], np.r_[1.0, np.asarray(maparams)]
    return lfilter(ar, ma, x, axis=0)[GLS_BURN_IN:]


def regression_arma_gls(
    z: np.ndarray, exog: np.ndarray, order: tuple[int, int, int], maxiter: int, rounds: int = 2
) -> np.ndarray:
    """Parameters of SARIMAX(z, exog, order, trend="c", concentrate_scale=True) by feasible GLS:
    OLS, the ARMA fit on its residuals, then `rounds - 1` times GLS and the ARMA again.

    statsmodels' constant is the ARMA's intercept: the regression constant x (1 - sum of AR).
    """
    p, d, q = order
    if d:
        raise ValueError("the GLS fit is for stationary errors (d = 0)")
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    design = np.column_stack([np.ones(len(z)), exog])
    beta = np.linalg.lstsq(design, z, rcond=None)[0]
    if p == q == 0:  # white-noise errors: OLS is GLS
        return beta
    start = None
    for done in range(1, rounds + 1):
        arma = SARIMAX(z - design @ beta, order=(p, 0, q), trend="n", concentrate_scale=True)
        # The parameters alone (AR, then MA): no results object, no smoother pass.
        start = arma.fit(start_params=start, disp=False, maxiter=maxiter, return_params=True)
        arparams, maparams = start[:p], start[p: p + q]
        if done < rounds:  # GLS: the regression on the prewhitened data (Cochrane-Orcutt)
            whitened = arma_innovations(np.column_stack([z, design]), arparams, maparams)
            beta = np.linalg.lstsq(whitened[:, 1:], whitened[:, 0], rcond=None)[0]
    intercept = beta[0] * (1 - float(np.sum(arparams)))
    return np.concatenate([[intercept], beta[1:], start])
