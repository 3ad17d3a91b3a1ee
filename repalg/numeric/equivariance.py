"""How far a function is from equivariant: emlp's relative errors, and the
largest of them over sampled group elements. The trainer reports it for
every run; :mod:`repalg.testing` asserts with it.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..symbolic import Rep, parse
from .precision import float64

__all__ = ["as_rep", "equivariance_error", "rel_err", "scale_adjusted_error"]


def as_rep(value, side: str) -> Rep:
    """``value`` as an expression: a :class:`Rep`, its text, or a count of
    scalars; ``side`` names it in the error.

    >>> as_rep("2*V", "input")
    2*V
    """
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, Rep):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return parse(str(value))
    raise TypeError(f"the {side} side must be a representation or its text, got {value!r}")


def rel_err(A, B):
    """emlp's relative error ``mean|A - B| / (mean|A| + mean|B| + 1e-6)``, in
    ``jax.numpy`` (so it traces under ``jax.jit``); also ``repalg.groups.rel_err``.

    >>> float(rel_err(np.ones(3), np.ones(3))), round(float(rel_err(np.ones(3), np.zeros(3))), 4)
    (0.0, 1.0)
    """
    A, B = jnp.asarray(A), jnp.asarray(B)
    return jnp.mean(jnp.abs(A - B)) / (jnp.mean(jnp.abs(A)) + jnp.mean(jnp.abs(B)) + 1e-6)


def scale_adjusted_error(t1, t2, g) -> float:
    """emlp's relative error between ``t1`` and ``t2``, scaled by the larger of
    their sizes and the distance of the group element ``g`` from the identity.

    >>> scale_adjusted_error(np.ones(3), np.ones(3), np.eye(3))
    0.0
    """
    t1, t2, g = np.asarray(t1), np.asarray(t2), np.asarray(g)
    error = np.sqrt(np.mean(np.abs(t1 - t2) ** 2))
    tscale = np.sqrt(np.mean(np.abs(t1) ** 2)) + np.sqrt(np.mean(np.abs(t2) ** 2))
    gscale = np.sqrt(np.mean(np.abs(g - np.eye(g.shape[-1])) ** 2))
    return float(error / max(tscale, gscale, 1e-7))


def equivariance_error(f, rep_in, rep_out, group=None, samples: int = 5, key=0) -> float:
    """The largest scale-adjusted error of ``f(rho_in(g) x) = rho_out(g) f(x)``
    over ``samples`` group elements and random inputs, computed in float64.
    ``f`` maps a vector of size ``rep_in.size()`` to one of size
    ``rep_out.size()``; the group defaults to the one the reps are bound to.

    >>> from repalg.reps import V
    >>> from repalg.groups import SO
    >>> equivariance_error(lambda x: 2 * x, V(SO(3)), V(SO(3))) < 1e-12
    True
    """
    rep_in, rep_out = as_rep(rep_in, "input"), as_rep(rep_out, "output")
    groups = tuple(dict.fromkeys(rep_in.groups() + rep_out.groups())) if group is None else (group,)
    rng = np.random.default_rng(key)
    worst = 0.0
    for i in range(samples):
        with float64():  # the group's action in float64; f runs as its user set it up
            g = {G: G.samples(1, key=int(rng.integers(2**31)))[0] for G in groups}
            x = rng.normal(size=rep_in.size())
            moved = np.asarray(rep_in.rho(g) @ x)
        lhs, fx = np.asarray(f(moved)), np.asarray(f(x))
        with float64():
            rhs = np.asarray(rep_out.rho(g) @ fx.astype(np.float64))
        for element in g.values():
            worst = max(worst, scale_adjusted_error(lhs, rhs, element))
    return worst
