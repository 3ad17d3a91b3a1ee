"""Models ready to call, for emlp's users: built and initialized at once,
``model(x)`` on one input or a batch, ``model.params``, and a pure
``model.apply(params, x)`` to train with any optimizer.

>>> from repalg.models.ready import EMLP
>>> model = EMLP("2*V", "Scalar", "O(3)", ch=16, num_layers=1)
>>> model(np.ones(6)).shape, model(np.ones((4, 6))).shape
((1,), (4, 1))
"""

from __future__ import annotations

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from . import dynamics, emlp, layers, mlp
from .binding import as_rep, bind


class Ready:
    """A Haiku module built by ``build()`` inside ``hk.transform``, with
    parameters initialized from ``seed`` for inputs of ``size`` features."""

    def __init__(self, build, size: int, seed: int = 0):
        self._transformed = hk.without_apply_rng(hk.transform(lambda x: build()(x)))
        self._apply = jax.jit(self._transformed.apply)
        self.params = jax.jit(self._transformed.init)(jax.random.PRNGKey(seed), jnp.zeros((1, size), jnp.float32))

    def apply(self, params, x):
        """The model with ``params`` on ``x`` (shape ``(features,)`` or ``(..., features)``)."""
        x = jnp.asarray(x, jnp.float32)
        if x.ndim == 1:
            return self._apply(params, x[None])[0]
        return self._apply(params, x)

    def __call__(self, x, training: bool = False):
        return self.apply(self.params, x)


def EMLP(rep_in, rep_out, group, ch=384, num_layers: int = 3, seed: int = 0) -> Ready:
    """emlp's ``EMLP``, ready (see ``repalg.models.EMLP``)."""
    return _network(Ready, emlp.EMLP, rep_in, rep_out, group, ch, num_layers, seed)


def MLP(rep_in, rep_out, group, ch: int = 384, num_layers: int = 3, seed: int = 0) -> Ready:
    """emlp's baseline ``MLP``, ready (see ``repalg.models.MLP``)."""
    return _network(Ready, mlp.MLP, rep_in, rep_out, group, ch, num_layers, seed)


def _network(wrapper, module, rep_in, rep_out, group, ch, num_layers: int, seed: int):
    """``module(rep_in, rep_out, group, ch=ch, num_layers=num_layers)``, bound and
    made ready by ``wrapper``."""
    rep_in, rep_out, group = bind(rep_in, rep_out, group)
    return wrapper(lambda: module(rep_in, rep_out, group, ch=ch, num_layers=num_layers), rep_in.size(), seed)


class ReadyH(Ready):
    """A Hamiltonian network, ready: as emlp's ``EMLPH`` and ``MLPH``,
    ``model(z)`` is the sum of ``H`` over the batch (a number, for
    ``jax.grad``); ``model.apply(params, z)`` too."""

    def apply(self, params, x):
        return jnp.sum(super().apply(params, x))


class ReadyODE(Ready):
    """A Neural ODE's vector field, ready: as emlp's ``EMLPode`` and
    ``MLPode``, ``model(z, t)`` is ``dz/dt`` (``t`` unused)."""

    def __call__(self, x, t=None, training: bool = False):
        return self.apply(self.params, x)


def EMLPH(rep_in, rep_out, group, ch=384, num_layers: int = 3, seed: int = 0) -> ReadyH:
    """emlp's ``EMLPH``, ready: an EMLP whose scalar output is the Hamiltonian.

    >>> import jax
    >>> H = EMLPH("4*V", "Scalar", "O(2)eR3", ch=16, num_layers=1)
    >>> jax.grad(H)(np.ones((2, 12), np.float32)).shape
    (2, 12)
    """
    return _network(ReadyH, dynamics.EMLPH, rep_in, rep_out, group, ch, num_layers, seed)


def MLPH(rep_in, rep_out, group, ch: int = 384, num_layers: int = 3, seed: int = 0) -> ReadyH:
    """emlp's ``MLPH``, ready: an MLP whose scalar output is the Hamiltonian."""
    return _network(ReadyH, dynamics.MLPH, rep_in, rep_out, group, ch, num_layers, seed)


def EMLPode(rep_in, rep_out, group, ch=384, num_layers: int = 3, seed: int = 0) -> ReadyODE:
    """emlp's ``EMLPode``, ready: ``model(z, t)`` is ``dz/dt``.

    >>> f = EMLPode("4*V", "4*V", "O(2)eR3", ch=16, num_layers=1)
    >>> f(np.ones(12), 0.0).shape
    (12,)
    """
    return _network(ReadyODE, dynamics.EMLPode, rep_in, rep_out, group, ch, num_layers, seed)


def MLPode(rep_in, rep_out, group, ch: int = 384, num_layers: int = 3, seed: int = 0) -> ReadyODE:
    """emlp's ``MLPode``, ready: ``model(z, t)`` is ``dz/dt``."""
    return _network(ReadyODE, dynamics.MLPode, rep_in, rep_out, group, ch, num_layers, seed)


def Linear(repin, repout, seed: int = 0) -> Ready:
    """emlp's equivariant ``Linear`` between bound representations, ready."""
    repin, repout = as_rep(repin, None), as_rep(repout, None)
    return Ready(lambda: layers.Linear(repin, repout), repin.size(), seed)


def BiLinear(repin, repout, seed: int = 0) -> Ready:
    """emlp's ``BiLinear`` between bound representations, ready."""
    repin, repout = as_rep(repin, None), as_rep(repout, None)
    return Ready(lambda: layers.BiLinear(repin, repout), repin.size(), seed)


def EMLPBlock(repin, repout, seed: int = 0) -> Ready:
    """emlp's ``EMLPBlock`` between bound representations, ready."""
    repin, repout = as_rep(repin, None), as_rep(repout, None)
    return Ready(lambda: emlp.EMLPBlock(repin, repout), repin.size(), seed)


class Standardize:
    """emlp's ``Standardize(model, stats)``: inputs standardized by
    ``(μx, σx)``, and outputs mapped back by ``(μy, σy)`` when ``stats``
    has four entries; ``params`` and ``apply`` are the model's."""

    def __init__(self, model, stats):
        if len(stats) not in (2, 4):
            raise ValueError(f"stats are (μx, σx) or (μx, σx, μy, σy), got {len(stats)} entries")
        self.model, self.stats = model, tuple(stats)

    @property
    def params(self):
        return self.model.params

    def apply(self, params, x):
        mx, sx = self.stats[:2]
        y = self.model.apply(params, (jnp.asarray(x) - mx) / sx)
        if len(self.stats) == 4:
            my, sy = self.stats[2:]
            y = y * sy + my
        return y

    def __call__(self, x, training: bool = False):
        return self.apply(self.params, x)
