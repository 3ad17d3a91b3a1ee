"""What a trained model scores: its outputs in padded chunks
(:func:`predictor`), the test metrics (:func:`metrics`: MSE, or
cross-entropy and accuracy), and its equivariance error on the data
(:func:`equivariance_error_on`).

>>> metrics(np.array([[0.0, 2.0], [1.0, 0.0]]), np.array([1, 0]), True)["accuracy"]
1.0
"""

from __future__ import annotations

from typing import Callable

import haiku as hk
import jax
import numpy as np

from ...numeric.equivariance import scale_adjusted_error
from ...numeric.precision import float64

def predictor(model: hk.Transformed, rows: int = 500):
    """``predict(params, X) -> outputs`` in chunks of ``rows`` (padded, so one
    compilation serves all), on this process's default device.

    >>> model = hk.transform(lambda x: 2 * x)
    >>> predictor(model, rows=4)({}, np.ones((6, 1), np.float32)).ravel().tolist()
    [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    """
    apply = jax.jit(lambda params, x: model.apply(params, None, x))

    def predict(params, X):
        X = np.asarray(X)
        chunks = []
        for start in range(0, len(X), rows):
            part = X[start:start + rows]
            padded = np.zeros((rows,) + X.shape[1:], X.dtype)
            padded[:len(part)] = part
            chunks.append(np.asarray(apply(params, padded))[:len(part)])
        return np.concatenate(chunks) if chunks else np.zeros((0,))

    return predict


def metrics(outputs, Y, classification: bool) -> dict:
    """The MSE (regression: mean over examples and outputs), or the
    cross-entropy and accuracy (classification).

    >>> metrics(np.array([[1.0], [3.0]]), np.array([[1.0], [1.0]]), False)
    {'mse': 2.0}
    """
    outputs = np.asarray(outputs, np.float64)
    if not classification:
        return {"mse": float(np.mean((outputs - Y) ** 2))}
    shifted = outputs - outputs.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    labels = np.asarray(Y).astype(int)
    return {"loss": float(-np.mean(log_probs[np.arange(len(labels)), labels])),
            "accuracy": float(np.mean(outputs.argmax(axis=1) == labels))}


def equivariance_error_on(f: Callable, X, rep_in, rep_out, samples: int = 5, key: int = 0) -> float:
    """The largest scale-adjusted error of ``f(rho_in(g) x) = rho_out(g)
    f(x)`` over ``samples`` rows ``x`` of ``X`` (drawn without replacement)
    each with a sampled group element: the measure of
    :func:`repalg.testing.equivariance_error` (the group's action in float64,
    ``f`` at the data's precision), on data instead of Gaussian inputs.

    >>> from repalg.reps import V
    >>> from repalg.groups import SO
    >>> X = np.random.default_rng(0).normal(size=(10, 3))
    >>> equivariance_error_on(lambda x: 2 * x, X, V(SO(3)), V(SO(3))) < 1e-12
    True
    """
    groups = tuple(dict.fromkeys(rep_in.groups() + rep_out.groups()))
    rng = np.random.default_rng(key)
    rows = rng.choice(len(X), size=min(samples, len(X)), replace=False)
    worst = 0.0
    for row in rows:
        with float64():  # the group's action in float64; f runs in its own precision
            g = {G: G.samples(1, key=int(rng.integers(2**31)))[0] for G in groups}
            x = np.asarray(X[row], np.float64)
            moved = np.asarray(rep_in.rho(g) @ x)
        lhs, fx = np.asarray(f(moved.astype(X.dtype))), np.asarray(f(x.astype(X.dtype)))
        with float64():
            rhs = np.asarray(rep_out.rho(g) @ fx.astype(np.float64))
        if not (np.all(np.isfinite(lhs)) and np.all(np.isfinite(rhs))):
            return float("nan")  # outputs that are not finite show nothing about equivariance
        for element in g.values():
            worst = max(worst, scale_adjusted_error(lhs, rhs, element))
    return worst


__all__ = ["equivariance_error_on", "metrics", "predictor"]
