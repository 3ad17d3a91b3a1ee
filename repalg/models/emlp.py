"""The equivariant MLP: blocks of an equivariant ``Linear``, a ``BiLinear``
and a gated nonlinearity, through hidden representations chosen by
``uniform_rep`` (or given), then a last ``Linear`` to ``rep_out``.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> f = hk.transform(lambda x: EMLP("5*T(0)+5*T(1)", "T(2)", "O(3)", ch=32, num_layers=1)(x))
>>> params = jax.jit(f.init)(jax.random.PRNGKey(0), jnp.ones((2, 20)))
>>> jax.jit(f.apply)(params, None, jnp.ones((2, 20))).shape
(2, 9)
"""

from __future__ import annotations

import haiku as hk
import numpy as np
from scipy.special import comb

from ..symbolic.constructors import T, direct_sum, multiplicity
from ..symbolic.nodes import Rep
from .layers import BiLinear, GatedNonlinearity, Linear, gated
from .binding import as_group, as_rep, bind


def uniform_rep(ch: int, group) -> Rep:
    """emlp's heuristic: ``ch`` channels spread evenly over tensors of each
    rank that fits, ``T(k, r-k)`` allocated binomially within rank ``r``.
    Deterministic: emlp draws the remainder of the binomial split at random,
    repalg gives it to the middle ranks first.

    >>> from repalg import group
    >>> uniform_rep(16, group("O(3)"))
    (10+2*V)(O(3))
    """
    group = as_group(group)
    if not isinstance(ch, (int, np.integer)) or ch < 1:
        raise ValueError(f"ch is a positive number of channels, got {ch!r}")
    d = group.d
    counts = np.zeros(_max_rank(ch, d) + 1, dtype=int)
    left = int(ch)
    while left > 0:
        top = _max_rank(left, d)
        counts[:top + 1] += np.array([d ** (top - r) for r in range(top + 1)], dtype=int)
        left -= (top + 1) * d**top
    parts = [_binomial(int(n), r) for r, n in enumerate(counts) if n]
    return direct_sum(*parts)(group).canonical()


def _max_rank(ch: int, d: int) -> int:
    """The largest r with (r + 1) d^r ≤ ch."""
    r = 0
    while (r + 2) * d ** (r + 1) <= ch:
        r += 1
    return r


def _binomial(n: int, rank: int) -> Rep:
    """n tensors of rank ``rank``: T(k, rank-k) in proportion binom(rank, k),
    the remainder (emlp draws it from a binomial) dealt out one at a time
    to the types in order of nearness to k = rank/2, round again while any
    is left (it can exceed the rank + 1 types: 5 of rank 3)."""
    share = n // 2**rank
    counts = {k: share * int(comb(rank, k, exact=True)) for k in range(rank + 1)}
    nearest = sorted(range(rank + 1), key=lambda k: (abs(2 * k - rank), k))
    for j in range(n % 2**rank):
        counts[nearest[j % len(nearest)]] += 1
    return direct_sum(*(multiplicity(T(k, rank - k), c) for k, c in counts.items() if c))


class EMLPBlock(hk.Module):
    """``Linear`` to ``gated(rep_out)``, plus a ``BiLinear`` on that, then the
    gated nonlinearity down to ``rep_out`` (emlp's ``EMLPBlock``)."""

    def __init__(self, rep_in, rep_out, group=None, name: str | None = None):
        super().__init__(name=name)
        self.rep_in, self.rep_out = as_rep(rep_in, group), as_rep(rep_out, group)
        self.gated = gated(self.rep_out)

    def __call__(self, x):
        lin = Linear(self.rep_in, self.gated)(x)
        preact = BiLinear(self.gated, self.gated)(lin) + lin
        return GatedNonlinearity(self.rep_out)(preact)


class EMLP(hk.Module):
    """Equivariant MLP from ``rep_in`` to ``rep_out`` for ``group`` (objects or
    text). ``ch``: an int (``uniform_rep`` for every hidden layer), a
    representation, or a list of ints or representations, one per layer
    (then ``num_layers`` is their number)."""

    def __init__(self, rep_in, rep_out, group, ch=384, num_layers: int = 3, name: str | None = None):
        super().__init__(name=name)
        self.rep_in, self.rep_out, self.group = bind(rep_in, rep_out, group)
        self.hidden = hidden_reps(ch, num_layers, self.group)

    def __call__(self, x):
        reps = [self.rep_in] + self.hidden
        for rep_in, rep_out in zip(reps, reps[1:]):
            x = EMLPBlock(rep_in, rep_out)(x)
        return Linear(reps[-1], self.rep_out)(x)


def hidden_reps(ch, num_layers: int, group) -> list:
    """The hidden representations ``EMLP`` uses for ``ch`` and ``num_layers``.

    >>> from repalg import group
    >>> [r.size() for r in hidden_reps([8, "2*V"], 5, group("SO(2)"))]
    [8, 4]
    """
    group = as_group(group)
    if isinstance(ch, (list, tuple)):
        return [uniform_rep(c, group) if isinstance(c, (int, np.integer)) else as_rep(c, group) for c in ch]
    if not isinstance(num_layers, (int, np.integer)) or num_layers < 0:
        raise ValueError(f"num_layers is a number of hidden layers, got {num_layers!r}")
    layer = uniform_rep(ch, group) if isinstance(ch, (int, np.integer)) else as_rep(ch, group)
    return [layer] * int(num_layers)
