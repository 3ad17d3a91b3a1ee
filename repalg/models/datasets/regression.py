"""emlp's synthetic regression problems: the inertia tensor of point masses
(O(3)-equivariant), a function of two vectors in ℝ⁵ (O(5)-invariant), and the
e⁻μ⁻ → e⁻μ⁻ scattering amplitude of four momenta (Lorentz-invariant).

The inputs are drawn from ``np.random.default_rng(seed)`` by the distributions
and formulas of emlp's code (``emlp/datasets.py``), so one seed gives one
dataset on every machine; ``rep_in`` and ``rep_out`` are unbound, so that
``ds.rep_in(G)`` binds them to any group, ``ds.symmetry`` the default one.

>>> ds = Inertia(N=4, k=2)
>>> ds.X.shape, ds.Y.shape, str(ds.rep_in(ds.symmetry))
((4, 8), (4, 9), '(2+2V)(O(3))')
"""

from __future__ import annotations

import numpy as np

from ...symbolic.constructors import T
from ...symbolic.group_descriptors import Lorentz, O, integer
from ...symbolic.nodes import Scalar, Vector
from .augment import group_augmentation
from .base import Dataset

MINKOWSKI = np.diag([1.0, -1.0, -1.0, -1.0])
"""The metric η of O(1,3), time first."""


class Regression(Dataset):
    """A regression dataset whose true function is equivariant, so that a model
    can also be trained on it with group augmentation (``default_aug``)."""

    def default_aug(self, model):
        """``model`` wrapped in group augmentation by ``self.symmetry``: a function
        ``aug(x, key=None, training=True)`` (see ``group_augmentation``).

        >>> ds = Inertia(N=2)
        >>> aug = ds.default_aug(lambda x: x[:, :9])
        >>> aug(ds.X, training=False).shape
        (2, 9)
        """
        return group_augmentation(model, self.rep_in, self.rep_out, self.symmetry)


def _rng(N, seed):
    integer(N, "the number of examples N", minimum=1)
    return np.random.default_rng(integer(seed, "seed", minimum=0))


class Inertia(Regression):
    """The inertia tensor ``I = Σᵢ mᵢ (|rᵢ|² 𝟙 − rᵢ rᵢᵀ)`` of ``k`` point masses:
    each row of ``X`` is the masses ``m`` (softplus of standard normals) and then
    the positions ``r₁, …, r_k`` (standard normal), ``rep_in = k*Scalar + k*Vector``;
    ``Y`` is ``I`` flattened row-major, ``rep_out = T(2)``; O(3)-equivariant.
    ``stats = (0, 1, 0, 1)``: the data are used unscaled.

    >>> ds = Inertia(N=3, k=1, seed=1)
    >>> m, r = ds.X[0, :1], ds.X[0, 1:]
    >>> bool(np.allclose(ds.Y[0], (m * (r @ r * np.eye(3) - np.outer(r, r))).ravel()))
    True
    """

    def __init__(self, N: int = 1024, k: int = 5, seed: int = 0):
        rng = _rng(N, seed)
        k = integer(k, "the number of masses k", minimum=1)
        self.dim = (1 + 3) * k
        self.X = rng.standard_normal((N, self.dim))
        self.X[:, :k] = np.logaddexp(0, self.X[:, :k])  # softplus: positive masses
        self.Y = self.target(self.X, k)
        self.rep_in = k * Scalar + k * Vector
        self.rep_out = T(2)
        self.symmetry = O(3)
        self.stats = self.statistics(self.X, self.Y)

    @staticmethod
    def target(X, k: int = 5) -> np.ndarray:
        """The inertia tensors of the rows of ``X`` (``k`` masses, then ``k``
        positions), flattened row-major: ``(N, 9)``.

        >>> Inertia.target(np.array([[2.0, 0.0, 0.0, 1.0]]), k=1).reshape(3, 3).tolist()
        [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]
        """
        X = np.asarray(X, np.float64)
        m, r = X[:, :k], X[:, k:].reshape(len(X), k, 3)
        r2 = (r**2).sum(-1)[..., None, None]
        return (m[..., None, None] * (r2 * np.eye(3) - r[..., :, None] * r[..., None, :])).sum(1).reshape(len(X), 9)

    @staticmethod
    def statistics(X, Y) -> tuple:
        """emlp's ``stats`` for Inertia: ``(0, 1, 0, 1)``, the data unscaled."""
        return (0, 1, 0, 1)


class O5Synthetic(Regression):
    """``f(x₁, x₂) = sin|x₁| − |x₂|³/2 + x₁·x₂ / (|x₁| |x₂|)`` for two standard
    normal vectors of ℝ⁵: ``X`` is ``(N, 10)`` (``rep_in = 2*Vector``), ``Y`` is
    ``(N, 1)`` (``rep_out = Scalar``), O(5)-invariant. ``stats = (0, Xscale,
    Ymean, Ystd)``, with ``Xscale`` the root mean square of each vector's entries,
    repeated over its 5 coordinates, so that scaling keeps the invariance.

    >>> ds = O5Synthetic(N=2)
    >>> x1, x2 = ds.X[0, :5], ds.X[0, 5:]
    >>> n1, n2 = np.linalg.norm(x1), np.linalg.norm(x2)
    >>> bool(np.isclose(ds.Y[0, 0], np.sin(n1) - n2**3 / 2 + x1 @ x2 / (n1 * n2)))
    True
    """

    def __init__(self, N: int = 1024, seed: int = 0):
        rng = _rng(N, seed)
        d = 5
        self.dim = 2 * d
        self.X = rng.standard_normal((N, self.dim))
        self.Y = self.target(self.X)
        self.rep_in = 2 * Vector
        self.rep_out = Scalar
        self.symmetry = O(d)
        self.stats = self.statistics(self.X, self.Y)

    @staticmethod
    def target(X) -> np.ndarray:
        """``f(x₁, x₂)`` of the rows of ``X`` (``(N, 10)``): ``(N, 1)``."""
        x1, x2 = np.asarray(X, np.float64).reshape(len(X), 2, 5).transpose(1, 0, 2)
        n1, n2 = np.linalg.norm(x1, axis=-1), np.linalg.norm(x2, axis=-1)
        return (np.sin(n1) - 0.5 * n2**3 + (x1 * x2).sum(-1) / (n1 * n2))[:, None]

    @staticmethod
    def statistics(X, Y) -> tuple:
        """emlp's ``stats``: ``(0, Xscale, Ymean, Ystd)``, ``Xscale`` the root
        mean square of each vector's entries, repeated over its coordinates."""
        X = np.asarray(X, np.float64)
        Xscale = np.repeat(np.sqrt((X.reshape(len(X), 2, 5) ** 2).mean((0, 2))), 5)
        return (0, Xscale, Y.mean(axis=0), Y.std(axis=0))


class ParticleInteraction(Regression):
    """The squared amplitude of e⁻μ⁻ → e⁻μ⁻ scattering, as emlp computes it:
    four momenta ``p₁, p₂, p₃, p₄`` of Minkowski space (standard normal / 4,
    time first; ``rep_in = 4*Vector``, ``X`` is ``(N, 16)``) give
    ``Y = 4 Σ_{μν} L_e^{μν} L_μ^{μν}`` with the lepton tensors
    ``L_e = p₁ p₃ᵀ − (p₁·p₃ − p₁·p₁) η`` and
    ``L_μ = (η p₂)(η p₄)ᵀ − (p₂·p₄ − p₂·p₂) η`` (``a·b = aᵀηb``,
    ``η = diag(1, −1, −1, −1)``); ``Y`` is ``(N, 1)``, ``rep_out = Scalar``,
    invariant under the Lorentz group O(1,3). ``stats = (0, Xscale, Ymean,
    Ystd)``, ``Xscale`` the square root of each momentum's mean ``|η p ⊙ p|``,
    repeated over its 4 coordinates.

    >>> ds = ParticleInteraction(N=5)
    >>> ds.X.shape, ds.Y.shape, str(ds.symmetry)
    ((5, 16), (5, 1), 'O(1,3)')
    """

    def __init__(self, N: int = 1024, seed: int = 0):
        rng = _rng(N, seed)
        self.dim = 4 * 4
        self.X = rng.standard_normal((N, self.dim)) / 4
        self.Y = self.target(self.X)
        self.rep_in = 4 * Vector
        self.rep_out = Scalar
        self.symmetry = Lorentz()
        self.stats = self.statistics(self.X, self.Y)

    @staticmethod
    def target(X) -> np.ndarray:
        """The squared amplitude for the rows of ``X`` (four momenta): ``(N, 1)``."""
        P = np.asarray(X, np.float64).reshape(len(X), 4, 4)
        p1, p2, p3, p4 = P.transpose(1, 0, 2)
        eta = MINKOWSKI

        def dot(a, b):
            return ((a @ eta) * b).sum(-1)

        L_e = p1[:, :, None] * p3[:, None, :] - (dot(p1, p3) - dot(p1, p1))[:, None, None] * eta
        L_mu = (p2 @ eta)[:, :, None] * (p4 @ eta)[:, None, :] - (dot(p2, p4) - dot(p2, p2))[:, None, None] * eta
        return 4 * (L_e * L_mu).sum((1, 2))[:, None]

    @staticmethod
    def statistics(X, Y) -> tuple:
        """emlp's ``stats``: ``(0, Xscale, Ymean, Ystd)``, ``Xscale`` the
        square root of each momentum's mean ``|η p ⊙ p|``, repeated over its
        4 coordinates."""
        P = np.asarray(X, np.float64).reshape(len(X), 4, 4)
        Xscale = np.repeat(np.sqrt(np.abs((P @ MINKOWSKI) * P).mean(-1).mean(0)), 4)
        return (0, Xscale, Y.mean(axis=0), Y.std(axis=0))
