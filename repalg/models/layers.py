"""Equivariant layers in Haiku: ``Linear``, ``BiLinear`` and the gated
nonlinearity, each built from a representation's solved bases.

A layer's parameters are coefficients in the basis of its equivariant
weights, so that ``W = Q c`` is one sparse product per step (about nnz(Q)),
never a projection of a full weight matrix: emlp's projected weights
``W = P w`` (``P = Q Qᵀ``) cost twice that and train ``rep_out.size() *
rep_in.size()`` numbers where ``rank`` are free. The two are the same layer:
``c = Qᵀ vec(w)`` gives ``Q c = P w``.

Initialization follows emlp's objax layers (``emlp.nn.objax``), the ones the
EMLP paper's scripts train (``experiments/train_regression.py``,
``hnn.py``), not ``emlp.nn.haiku`` (``TruncatedNormal(1/√n_out)`` for both
the weights and the bias, and ``TruncatedNormal(1)`` for the bilinear
layer):

- ``Linear``: emlp draws a full ``n_out × n_in`` matrix ``w`` uniformly among
  those with orthonormal rows (or columns, when ``n_out > n_in``), and a
  bias ``b`` uniform in ``[0, 1/√n_out)``; repalg draws the same and keeps
  their projections ``c = Qᵀ vec(w)`` and ``Qᵀ b``, so that a new layer's
  weights ``Q c = P w`` and bias are exactly emlp's for the same draw;
- ``BiLinear``: standard normal parameters, as emlp's ``objax.random.normal``.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> f = hk.transform(lambda x: Linear("V+Scalar", "V", "SO(3)")(x))
>>> params = jax.jit(f.init)(jax.random.PRNGKey(0), jnp.ones((2, 4)))
>>> params["linear"]["w"].shape, jax.jit(f.apply)(params, None, jnp.ones((2, 4))).shape
((1,), (2, 3))
"""

from __future__ import annotations

from functools import lru_cache

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from ..symbolic.constructors import multiplicity
from ..symbolic.nodes import Rep, Scalar
from .bilinear import bilinear_product, monomial_copies
from .binding import as_rep
from .fingerprints import basis_fingerprint, note, product_fingerprint


def components(rep: Rep) -> list:
    """The irreducible-or-not pieces of ``rep`` as its canonical form lists
    them, one per copy: ``(monomial, indices)`` with ``indices`` the
    coordinates of that copy in ``rep``'s own layout.

    >>> from repalg import parse, group
    >>> [(str(m), i.tolist()) for m, i in components(parse("V+2*Scalar")(group("SO(2)")))]
    [('V⁰', [2]), ('V⁰', [3]), ('V(SO(2))', [0, 1])]
    """
    return [(monomial, ids) for monomial, copies in monomial_copies(rep).items() for ids in copies]


def _scalar(monomial: Rep) -> bool:
    return not monomial.atoms()


def _permutation(monomial: Rep) -> bool:
    """Whether the group acts on ``monomial`` by permutation matrices, so that
    a pointwise nonlinearity commutes with it."""
    atoms = monomial.atoms()
    return bool(atoms) and all(a.dim is None and getattr(a.group, "is_permutation", False) for a in atoms)


def _gated_count(rep: Rep) -> int:
    return sum(1 for m, _ in components(rep) if not (_scalar(m) or _permutation(m)))


def gated(ch_rep, group=None) -> Rep:
    """``ch_rep`` followed by one scalar gate for each of its components that
    is neither a scalar nor a permutation representation (emlp's ``gated``).

    >>> from repalg import parse, group
    >>> gated(parse("2*Scalar+V+V**2")(group("O(3)")))
    (2+V+V**2+2)(O(3))
    """
    rep = as_rep(ch_rep, group)
    count = _gated_count(rep)
    return rep + multiplicity(Scalar, count) if count else rep


def gate_indices(ch_rep, group=None) -> np.ndarray:
    """For each coordinate of ``ch_rep``, the coordinate of ``gated(ch_rep)``
    whose sigmoid gates it: its own for scalars and permutation
    representations (a swish), the component's gate for the others.

    >>> from repalg import parse, group
    >>> gate_indices(parse("Scalar+V")(group("O(3)"))).tolist()
    [0, 4, 4, 4]
    """
    rep = as_rep(ch_rep, group)
    indices = np.arange(rep.size())
    gate = rep.size()
    for monomial, where in components(rep):
        if not (_scalar(monomial) or _permutation(monomial)):
            indices[where] = gate
            gate += 1
    return indices


@lru_cache(maxsize=512)
def _linear_bases(rep_in: Rep, rep_out: Rep):
    """The bases of a ``Linear``'s weights and bias, solved once per pair of
    representations (a model is traced at least twice: init and apply)."""
    return (rep_in >> rep_out).equivariant_basis(), rep_out.equivariant_basis()


@lru_cache(maxsize=512)
def _bilinear(rep_out: Rep, rep_in: Rep):
    return bilinear_product(rep_out, rep_in)


class Linear(hk.Module):
    """The equivariant linear map ``rep_in -> rep_out`` with an equivariant
    bias: ``x @ Wᵀ + b`` with ``W`` in the solved basis of ``rep_in >> rep_out``
    and ``b`` in that of ``rep_out`` (inputs of shape ``(..., rep_in.size())``).
    Initialized as emlp's objax ``Linear`` (see the module's docstring): the
    projection of an orthogonal matrix, and of a bias uniform in
    ``[0, 1/√n_out)``."""

    def __init__(self, rep_in, rep_out, group=None, name: str | None = None):
        super().__init__(name=name)
        self.rep_in, self.rep_out = as_rep(rep_in, group), as_rep(rep_out, group)
        self.Qw, self.Qb = _linear_bases(self.rep_in, self.rep_out)

    def _projected_orthogonal(self, shape, dtype):
        w = hk.initializers.Orthogonal()((self.rep_out.size(), self.rep_in.size()), dtype)
        return self.Qw.T @ w.reshape(-1)

    def _projected_uniform(self, shape, dtype):
        n_out = self.rep_out.size()
        return self.Qb.T @ (jax.random.uniform(hk.next_rng_key(), (n_out,), dtype) / np.sqrt(max(n_out, 1)))

    def __call__(self, x):
        x = jnp.asarray(x)  # float64 numpy inputs become JAX's default float, as parameters will be
        n_in, n_out = self.rep_in.size(), self.rep_out.size()
        w = hk.get_parameter("w", (self.Qw.shape[1],), x.dtype, self._projected_orthogonal)
        b = hk.get_parameter("b", (self.Qb.shape[1],), x.dtype, self._projected_uniform)
        note(self.module_name, "w", lambda: basis_fingerprint(self.Qw, f"{self.rep_in!r} >> {self.rep_out!r}"))
        note(self.module_name, "b", lambda: basis_fingerprint(self.Qb, repr(self.rep_out)))
        W = (self.Qw @ w).reshape(n_out, n_in)
        return x @ W.T + self.Qb @ b


class BiLinear(hk.Module):
    """emlp's cheap bilinear layer ``rep_in -> rep_out``: a weight matrix
    that depends equivariantly and linearly on the input, ``0.1 W(x) x``
    (see :func:`~repalg.models.bilinear.bilinear_weights`), computed without forming ``W(x)``
    (:func:`~repalg.models.bilinear.bilinear_product`)."""

    def __init__(self, rep_in, rep_out, group=None, name: str | None = None):
        super().__init__(name=name)
        self.rep_in, self.rep_out = as_rep(rep_in, group), as_rep(rep_out, group)
        self.size, self.product = _bilinear(self.rep_out, self.rep_in)

    def __call__(self, x):
        x = jnp.asarray(x)
        w = hk.get_parameter("w", (self.size,), x.dtype, hk.initializers.RandomNormal(1.0))
        note(self.module_name, "w", lambda: product_fingerprint(
            self.product, self.size, self.rep_in.size(), self.rep_out.size(),
            f"the bilinear map {self.rep_in!r} -> {self.rep_out!r}"))
        return 0.1 * self.product(w, x)


@lru_cache(maxsize=512)
def _gate_indices(rep: Rep) -> np.ndarray:
    indices = gate_indices(rep)
    indices.flags.writeable = False
    return indices


class GatedNonlinearity(hk.Module):
    """``sigmoid(gate) * value`` on the coordinates of ``rep``, reading the
    gates from the extra scalars of ``gated(rep)`` (a swish on scalars and
    permutation representations)."""

    def __init__(self, rep, group=None, name: str | None = None):
        super().__init__(name=name)
        self.rep = as_rep(rep, group)
        self.indices = _gate_indices(self.rep)

    def __call__(self, values):
        return jax.nn.sigmoid(values[..., self.indices]) * values[..., :self.rep.size()]
