"""The point-cloud models a config names: ``LieResNet`` on a dataset's
points, and for LieConv's spring systems the Hamiltonian ``HLieResNet``
with its baselines ``HFC`` (a Hamiltonian MLP) and ``FC`` (a Neural ODE
MLP), as in LieConv's ``dynamicsTrainer``.

Each is built as the trainer builds every model, ``Model(rep_in, rep_out,
group, **options)`` on flat rows, and also takes ``points`` (the dataset's
layout, ``{"n", "d", "c"}``) and, for the LieConv models, ``lie_group``;
the trainer passes both (their :class:`~repalg.models.registry.ModelKind` says which). The
rows of a point dataset are ``[coords | values | mask]``; those of a spring
system ``[q | p | (m, k) per body]``, and the dynamics models see them
inside the :class:`~repalg.models.dynamics.Flow` that integrates them,
with fixed steps of RK4 on the time grid (``solver = "rk4"``) as LieConv
does: an ``SO(2)`` model's potential jumps where a relative angle wraps
past π, and an adaptive integrator would crawl through every such jump.

A Hamiltonian model is LieConv's ``HNet``: ``H = Σ|pᵢ|²/2mᵢ + V(q)``, the
kinetic energy known (the masses are the first constant of each body) and
the potential learned from positions centred on their mean, so ``V`` is
translation invariant whatever the group.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> net = hk.transform(lambda x: LieResNet("4*V+8*Scalar", "3*Scalar", "SO(2)", points={"n": 4, "d": 2, "c": 1},
...                                        lie_group="SO(2)", k=8, num_layers=1, nbhd=4)(x))
>>> x = jnp.ones((2, 16))
>>> jax.jit(net.apply)(jax.jit(net.init)(jax.random.PRNGKey(0), x), None, x).shape
(2, 3)
"""

from __future__ import annotations

import haiku as hk
import jax.numpy as jnp

from ..binding import as_group, as_rep
from ..datasets.points import unpack_points
from .lie_groups import as_lie_group
from .nn import LieResNet as LieResNetModule
from .nn import swish


def _layout(points, what: str) -> dict:
    if not isinstance(points, dict) or not {"n", "d", "c"} <= set(points):
        raise ValueError(f"{what} reads point clouds: it needs the dataset's points layout {{'n', 'd', 'c'}}, "
                         f"got {points!r}")
    return points


class _PointModel(hk.Module):
    """A model of a dataset's point clouds, whose layout is ``points``."""

    def __init__(self, rep_in, rep_out, group, points=None, name=None):
        super().__init__(name=name)
        self.group = as_group(group)
        self.rep_in, self.rep_out = as_rep(rep_in, self.group), as_rep(rep_out, self.group)
        self.points = _layout(points, type(self).__name__)


class LieResNet(_PointModel):
    """:class:`~repalg.models.lieconv.nn.LieResNet` on rows ``[coords |
    values | mask]``, one output per component of ``rep_out`` (class
    scores, or regression targets), pooled over the points."""

    def __init__(self, rep_in, rep_out, group, points=None, lie_group=None, k: int = 256, num_layers: int = 4,
                 nbhd: int = 32, fill: float = 1 / 3, alpha: float = 0.2, liftsamples: int = 1, ds_frac: float = 1.0,
                 name: str | None = None):
        super().__init__(rep_in, rep_out, group, points, name)
        self.net = dict(group=as_lie_group(lie_group if lie_group is not None else self.group), k=k,
                        num_layers=num_layers, nbhd=nbhd, fill=fill, alpha=alpha, liftsamples=liftsamples,
                        ds_frac=ds_frac)

    def __call__(self, x):
        coords, values, mask = unpack_points(x, self.points)
        return LieResNetModule(self.rep_out.size(), **self.net)(coords, values, mask)


def _bodies(x, points):
    """Positions, momenta and per-body constants of spring rows."""
    n, d, c = points["n"], points["d"], points["c"]
    B = x.shape[0]
    q = x[:, :n * d].reshape(B, n, d)
    p = x[:, n * d:2 * n * d].reshape(B, n, d)
    return q, p, x[:, 2 * n * d:2 * n * d + n * c].reshape(B, n, c)


def kinetic(p, masses):
    """``Σ|pᵢ|²/2mᵢ`` per system (a zero mass, as in the zero rows that pad
    a batch, counts as 1: padding stays finite, so it cannot spoil the step
    size of the batch's integration)."""
    masses = jnp.where(masses > 0, masses, 1.0)
    return jnp.sum(jnp.sum(p**2, -1) / (2 * masses), -1)


class _Hamiltonian(_PointModel):
    dynamics = "hamiltonian"
    solver = "rk4"

    def potential(self, q, constants):
        raise NotImplementedError

    def __call__(self, x):
        q, p, constants = _bodies(x, self.points)
        q = q - jnp.mean(q, 1, keepdims=True)
        return (kinetic(p, constants[..., 0]) + self.potential(q, constants))[:, None]


class HLieResNet(_Hamiltonian):
    """LieConv's Hamiltonian network: the potential is a
    :class:`~repalg.models.lieconv.nn.LieResNet` on the bodies (centred
    positions as points, their constants as values), mean-pooled. LieConv's
    defaults: ``k=384``, 4 layers, every body in every neighbourhood."""

    def __init__(self, rep_in, rep_out, group, points=None, lie_group=None, k: int = 384, num_layers: int = 4,
                 nbhd: int = 100, alpha: float = 0.2, liftsamples: int = 1, name: str | None = None):
        super().__init__(rep_in, rep_out, group, points, name)
        self.net = dict(group=as_lie_group(lie_group if lie_group is not None else self.group), k=k,
                        num_layers=num_layers, nbhd=nbhd, fill=1.0, alpha=alpha, liftsamples=liftsamples)

    def potential(self, q, constants):
        mask = jnp.ones(q.shape[:2], bool)
        return LieResNetModule(1, **self.net)(q, constants, mask)[:, 0]


def _mlp(x, width: int, layers: int, out: int):
    for _ in range(layers):
        x = swish(hk.Linear(width)(x))
    return hk.Linear(out)(x)


class HFC(_Hamiltonian):
    """LieConv's Hamiltonian MLP baseline: the potential an MLP (``k``
    wide, ``num_layers`` swish layers) of the centred positions and the
    constants."""

    def __init__(self, rep_in, rep_out, group, points=None, k: int = 150, num_layers: int = 4,
                 name: str | None = None):
        super().__init__(rep_in, rep_out, group, points, name)
        self.k, self.num_layers = k, num_layers

    def potential(self, q, constants):
        B = q.shape[0]
        features = jnp.concatenate([q, constants], -1).reshape(B, -1)
        return _mlp(features, self.k, self.num_layers, 1)[:, 0]


class FC(_PointModel):
    """LieConv's Neural ODE baseline: ``dz/dt`` an MLP (``k`` wide,
    ``num_layers`` swish layers) of the centred positions, the momenta and
    the constants."""

    dynamics = "ode"
    solver = "rk4"
    def __init__(self, rep_in, rep_out, group, points=None, k: int = 300, num_layers: int = 4,
                 name: str | None = None):
        super().__init__(rep_in, rep_out, group, points, name)
        self.k, self.num_layers = k, num_layers

    def __call__(self, x):
        q, p, constants = _bodies(x, self.points)
        B = x.shape[0]
        features = jnp.concatenate([(q - jnp.mean(q, 1, keepdims=True)).reshape(B, -1), p.reshape(B, -1),
                                    constants.reshape(B, -1)], -1)
        return _mlp(features, self.k, self.num_layers, self.rep_out.size())


POINT_MODELS = {"LieResNet": LieResNet, "HLieResNet": HLieResNet, "HFC": HFC, "FC": FC}
"""The point-cloud models by the name a config gives them."""

__all__ = ["FC", "HFC", "HLieResNet", "LieResNet", "POINT_MODELS", "kinetic"]
