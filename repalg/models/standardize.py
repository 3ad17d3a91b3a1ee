"""emlp's ``Standardize``: a model seen through a dataset's statistics.

With ``stats = (mu_x, sigma_x)`` the wrapped model sees ``(x - mu_x) /
sigma_x``; with ``(mu_x, sigma_x, mu_y, sigma_y)`` its output ``y`` is also
mapped back to the data's units as ``y * sigma_y + mu_y``. Datasets choose
statistics that keep equivariance (a shift only on invariant coordinates, one
scale per irreducible block), so the wrapped model stays equivariant.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> from repalg.models import MLP
>>> f = hk.transform(lambda x: Standardize(MLP("2*V", "Scalar", "O(2)", ch=8), (1.0, 2.0, 10.0, 3.0))(x))
>>> params = jax.jit(f.init)(jax.random.PRNGKey(0), jnp.ones((3, 4)))
>>> jax.jit(f.apply)(params, None, jnp.ones((3, 4))).shape
(3, 1)
"""

from __future__ import annotations

import numpy as np


class Standardize:
    """Wrap ``model`` (a Haiku module instance or any callable used inside
    ``hk.transform``) so that it sees standardized inputs and, with four
    statistics, returns outputs in the data's units.

    ``stats`` is emlp's tuple: ``(mu_x, sigma_x)`` or ``(mu_x, sigma_x, mu_y,
    sigma_y)``, each a number or an array broadcastable against one input
    (output) vector. The wrapper owns no parameters: the wrapped model's names
    are unchanged.

    >>> s = Standardize(lambda x: 2 * x, (1.0, 0.5, 3.0, 10.0))
    >>> float(s(np.array([[2.0]]))[0, 0])
    43.0
    >>> Standardize(abs, (0.0, 1.0))
    Standardize(<built-in function abs>, 2 statistics)
    """

    def __init__(self, model, stats):
        if not callable(model):
            raise TypeError(f"Standardize wraps a callable model, got {model!r}")
        if not isinstance(stats, (tuple, list)) or len(stats) not in (2, 4):
            raise ValueError("Standardize's stats are (mu_x, sigma_x) or (mu_x, sigma_x, mu_y, sigma_y); "
                             f"got {_describe(stats)}")
        arrays = tuple(np.asarray(s, dtype=np.float32) for s in stats)
        for name, sigma in zip(("sigma_x", "sigma_y"), arrays[1::2]):
            if not np.all(np.isfinite(sigma)) or np.any(sigma == 0):
                raise ValueError(f"Standardize's {name} must be finite and nonzero, got {sigma}")
        self.model, self.stats = model, arrays

    def __call__(self, x, *args, **kwargs):
        mu_x, sigma_x = self.stats[:2]
        y = self.model((x - mu_x) / sigma_x, *args, **kwargs)
        if len(self.stats) == 2:
            return y
        mu_y, sigma_y = self.stats[2:]
        return y * sigma_y + mu_y

    def __repr__(self) -> str:
        return f"Standardize({self.model!r}, {len(self.stats)} statistics)"


def _describe(stats) -> str:
    if isinstance(stats, (tuple, list)):
        return f"a {type(stats).__name__} of {len(stats)}"
    return repr(stats)


__all__ = ["Standardize"]