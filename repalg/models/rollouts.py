"""How a learned dynamics model is scored after training, as emlp scores it:
roll it out from test states over the whole horizon and compare with the
truth.

emlp's table of rollout errors (the EMLP paper's pendulum, Table 2) comes
from ``experiments/notebooks/paper_figures.ipynb``, run on rollouts that
``hnn_trial`` saves (``experiments/trainer/hamiltonian_dynamics.py``):

- the **final** weights are rolled out (early stopping is commented out in
  ``hnn.py``), from every test system over ``T_long`` (30 s every 0.2 s);
- prediction and truth are integrated at relative tolerance **2e-6**
  (``pred_and_gt``: ``odeint(..., rtol=2e-6)`` with its default absolute
  tolerance 1.4e-8), with no limit on the steps;
- the state's relative error ``rms(a − b) / (rms(a) + rms(b))`` at each
  time is clamped below at **1e-5** (the error at t = 0 is exactly 0), and
  the trial's number is the exponential of the mean of its logarithm over
  systems and times;
- a trial whose rollouts are not all finite gives NaN and is dropped; the
  table is the mean and sample standard deviation of the trials left.

``[train]``'s ``rollout_*`` keys hold those choices, emlp's by default.
:func:`rollout_metrics` scores one run: ``rollout_error`` is emlp's number,
None (emlp's NaN) when a rollout did not finish. A rollout that stopped
tells why: **step budget reached** when its states were still on the true
trajectory's scale (at most :data:`SCALE` times its largest state) when
the integrator ran out of steps
(:func:`repalg.models.dynamics.step_budget`; emlp's ``odeint`` has no cap), **diverged** when they had left it. ``rollout_error_capped``
scores every system anyway, a stopped one with the measure's bound, 1, from
where it stopped.

>>> import numpy as np
>>> zs = np.ones((2, 3, 4))
>>> m = rollout_metrics(zs, zs, lambda z: z.sum(-1), lambda z: z[..., 0])
>>> m["rollout_error"], m["energy_drift"], m["budget_systems"], m["diverged_systems"]
(1e-05, 0.0, 0, 0)
"""

from __future__ import annotations

import numpy as np

ERROR_FLOOR = 1e-5
"""The relative errors are clamped below here before their geometric mean,
as emlp's table of rollout errors clamps them (``paper_figures.ipynb``:
``jax.lax.clamp(1e-5, errs, np.inf)``); the error at t = 0, where the
rollout starts from the true state, is 0 and counts as 1e-5."""

ROLLOUT_RTOL, ROLLOUT_ATOL = 2e-6, 1.4e-8
"""The tolerances of a rollout's integration: emlp's ``pred_and_gt``
(``rtol=2e-6``; the absolute tolerance is ``jax.experimental.ode.odeint``'s
default)."""

SCALE = 10.0
"""A rollout that stopped is counted as diverged when its last finite state
is more than this many times the true trajectory's largest state (rms over
the state's coordinates), and as out of steps otherwise."""


def _rms(v):
    """The root mean square over the last axis (a state's coordinates)."""
    return np.sqrt(np.mean(np.square(v), axis=-1))


def relative_error(a, b):
    """emlp's relative error of states, ``rms(a − b) / (rms(a) + rms(b))``
    over the last axis.

    >>> float(relative_error(np.array([1.0, 1.0]), np.array([1.0, 1.0])))
    0.0
    """
    return _rms(np.asarray(a) - b) / (_rms(a) + _rms(b))


def geometric_mean(errors, floor: float = ERROR_FLOOR) -> float:
    """The geometric mean of ``errors`` (clamped below at ``floor``, as emlp),
    infinite where one is not finite.

    >>> geometric_mean([0.1, 0.001])
    0.01
    """
    errors = np.asarray(errors, np.float64)
    if not np.all(np.isfinite(errors)):
        return float("inf")
    return float(np.round(np.exp(np.mean(np.log(np.maximum(errors, floor)))), 12))


def drift(values) -> np.ndarray:
    """Each row's largest departure from its first value, ``max_t |v(t) −
    v(0)|``, for an array ``(systems, times)``."""
    values = np.asarray(values, np.float64)
    return np.max(np.abs(values - values[:, :1]), axis=1)


def stopped_why(predicted, true) -> tuple[np.ndarray, np.ndarray]:
    """For rollouts ``(systems, times, state)``: which stopped with their
    states on the true trajectory's scale (the step budget ran out) and
    which diverged (see :data:`SCALE`), as two boolean arrays.

    >>> true = np.ones((2, 3, 2))
    >>> predicted = true.copy(); predicted[:, 2] = np.inf; predicted[1, 1] = 1e3
    >>> [a.tolist() for a in stopped_why(predicted, true)]
    [[True, False], [False, True]]
    """
    predicted, true = np.asarray(predicted, np.float64), np.asarray(true, np.float64)
    finite = np.all(np.isfinite(predicted), axis=-1)
    stopped = ~np.all(finite, axis=1)
    with np.errstate(invalid="ignore", over="ignore"):
        size = np.where(finite, _rms(np.where(finite[..., None], predicted, 0.0)), 0.0)
    on_scale = np.max(size, axis=1) <= SCALE * np.max(_rms(true), axis=1)
    return stopped & on_scale, stopped & ~on_scale


def rollout_metrics(predicted, true, energy, momentum, floor: float = ERROR_FLOOR) -> dict:
    """What a rollout shows, for predicted and true trajectories
    ``(systems, times, state)`` from the same initial states (the module's
    docstring says how emlp scores them):

    - ``errors``, the relative error at each time ``(systems, times)``, 1
      where a prediction is not finite;
    - ``rollout_error``: emlp's number, the geometric mean of the errors
      clamped at ``floor`` over times and systems, or None when a rollout
      stopped (emlp's NaN); ``rollout_error_capped``, the same with a stopped
      rollout's error taken as 1; ``rollout_error_std``, the standard
      deviation of the systems' own geometric means (None when one stopped);
    - ``budget_systems`` and ``diverged_systems``: the rollouts that stopped
      out of steps, and those that diverged (:func:`stopped_why`);
    - the drift (largest departure from the start, mean over the finished
      systems) of ``energy`` and ``momentum`` (functions of states) along
      the predicted and the true trajectories.
    """
    with np.errstate(invalid="ignore", over="ignore"):  # a stopped rollout holds inf
        return _rollout_metrics(np.asarray(predicted, np.float64), np.asarray(true, np.float64), energy, momentum,
                                floor)


def _rollout_metrics(predicted, true, energy, momentum, floor: float) -> dict:
    errors = relative_error(predicted, true)
    errors[~np.all(np.isfinite(predicted), axis=-1)] = 1.0
    budget, diverged = stopped_why(predicted, true)
    finite = ~(budget | diverged)
    capped = geometric_mean(errors, floor)
    out = {"errors": errors, "rollout_error": capped if finite.all() else None, "rollout_error_capped": capped,
           "rollout_error_std": float(np.std([geometric_mean(e, floor) for e in errors])) if finite.all() else None,
           "rollout_systems": len(errors), "budget_systems": int(budget.sum()),
           "diverged_systems": int(diverged.sum()), "error_floor": floor}
    for name, quantity in (("energy", energy), ("lz", momentum)):
        along = quantity(predicted)[finite]  # a quantity may hold each system's constants: all systems in
        out[f"{name}_drift"] = float(np.mean(drift(along))) if finite.any() else None
        out[f"true_{name}_drift"] = float(np.mean(drift(quantity(true))))
        out[f"{name}_predicted"], out[f"{name}_true"] = quantity(predicted), quantity(true)
    return out


__all__ = ["ERROR_FLOOR", "ROLLOUT_ATOL", "ROLLOUT_RTOL", "SCALE", "drift", "geometric_mean",
           "relative_error", "rollout_metrics", "stopped_why"]
