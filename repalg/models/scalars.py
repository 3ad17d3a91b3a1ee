"""The scalar-invariant model of ScalarEMLP (Villar et al., 2021): an MLP on
the inner products of the input vectors under the group's invariant form
(Euclidean for O(n), Minkowski for the Lorentz groups), plus the
determinants of n of them for groups of determinant one (SO(n), SO(1,3),
SO+(1,3)). Vector outputs are combinations of the input vectors with
learned invariant coefficients, matrix outputs (T(2)) of their outer
products and of the invariant form itself.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> f = hk.transform(lambda x: ScalarMLP("5*Scalar+5*V", "T(2)", "O(3)", ch=16)(x))
>>> params = jax.jit(f.init)(jax.random.PRNGKey(0), jnp.ones((2, 20)))
>>> jax.jit(f.apply)(params, None, jnp.ones((2, 20))).shape
(2, 9)
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from ..numeric.group_generators import generators
from ..symbolic.nodes import Rep, V
from .layers import components
from .binding import bind


class Unsupported(ValueError):
    """A representation or group the scalar model does not cover."""


@lru_cache(maxsize=64)
def _form(group) -> np.ndarray:
    """The group's invariant symmetric bilinear form on V (η with gᵀηg = η)."""
    Q = (V.T * V.T)(group).equivariant_basis().dense()
    d = group.d
    if Q.shape[1] != 1 or not np.allclose(Q[:, 0].reshape(d, d), Q[:, 0].reshape(d, d).T, atol=1e-9):
        found = "one, and it is not symmetric" if Q.shape[1] == 1 else f"{Q.shape[1]}"
        raise Unsupported(f"the scalar model needs a group that preserves one symmetric bilinear form, as O(n) "
                          f"and the Lorentz groups do; the bilinear forms {group} preserves: {found}; use EMLP")
    eta = Q[:, 0].reshape(d, d)
    return eta / np.abs(eta).max()


@lru_cache(maxsize=64)
def _special(group) -> bool:
    """Whether every element has determinant one (then determinants of d
    vectors are invariant too)."""
    lie, disc = generators(group)
    return all(abs(np.linalg.det(h) - 1) < 1e-9 for h in disc)


def _kinds(rep: Rep, side: str) -> list:
    """Each component of ``rep`` as ``(kind, indices)``: kind "scalar", "V",
    "V*" or "T2" (V⊗V)."""
    out = []
    for monomial, where in components(rep):
        atoms = monomial.atoms()
        if not atoms:
            kind = "scalar"
        elif len(atoms) == 1 and atoms[0].dim is None and monomial.size() == atoms[0].size():
            kind = "V*" if atoms[0].dual else "V"
        elif side == "output" and len(atoms) == 1 and atoms[0].dim is None and monomial == V(atoms[0].group) ** 2:
            kind = "T2"
        else:
            raise Unsupported(f"the scalar model takes scalars and vectors as input and gives scalars, vectors "
                              f"and V⊗V as output; the {side} {rep!r} has a component {monomial!r}: use EMLP")
        out.append((kind, np.asarray(where)))
    return out


class ScalarMLP(hk.Module):
    """The scalar-invariant model from ``rep_in`` (scalars and vectors) to
    ``rep_out`` (scalars, vectors, V⊗V), with ``num_layers`` hidden layers
    of ``ch`` units on the invariant features. Refuses, with the reason,
    groups without one symmetric invariant form and other components."""

    output_init = None
    """The output layers' weight initializer (``None``: Haiku's default)."""

    def __init__(self, rep_in, rep_out, group, ch: int = 384, num_layers: int = 3, name: str | None = None):
        super().__init__(name=name)
        self.rep_in, self.rep_out, self.group = bind(rep_in, rep_out, group)
        self.eta = _form(self.group)
        self.eta_inv = np.linalg.inv(self.eta)
        self.special = _special(self.group)
        self.inputs, self.outputs = _kinds(self.rep_in, "input"), _kinds(self.rep_out, "output")
        self.ch, self.num_layers = ch, num_layers

    def _vectors(self, x):
        """The input vectors with raised index, (..., k, d)."""
        found = [x[..., ids] if kind == "V" else x[..., ids] @ self.eta_inv.T
                 for kind, ids in self.inputs if kind in ("V", "V*")]
        d = self.group.d
        return jnp.stack(found, axis=-2) if found else jnp.zeros(x.shape[:-1] + (0, d), x.dtype)

    def __call__(self, x):
        x = jnp.asarray(x)
        scalars = [x[..., ids] for kind, ids in self.inputs if kind == "scalar"]
        vectors = self._vectors(x)  # (..., k, d)
        k, d = vectors.shape[-2], vectors.shape[-1]
        gram = jnp.einsum("...ia,ab,...jb->...ij", vectors, self.eta, vectors)
        upper = np.triu_indices(k)
        features = scalars + [gram[..., upper[0], upper[1]]]
        if self.special and k >= d:
            subsets = np.array(list(combinations(range(k), d)))
            features.append(jnp.linalg.det(vectors[..., subsets, :]))
        h = jnp.concatenate(features, axis=-1)
        for _ in range(self.num_layers):
            h = jax.nn.swish(hk.Linear(self.ch)(h))
        pieces = []
        for kind, ids in self.outputs:
            if kind == "scalar":
                pieces.append((ids, hk.Linear(1, w_init=self.output_init)(h)))
            elif kind in ("V", "V*"):
                up = jnp.einsum("...i,...ia->...a", hk.Linear(k, w_init=self.output_init)(h), vectors) if k else jnp.zeros(h.shape[:-1] + (d,))
                pieces.append((ids, up if kind == "V" else up @ self.eta.T))
            else:
                c = hk.Linear(k * k + 1, w_init=self.output_init)(h)
                outer = jnp.einsum("...ij,...ia,...jb->...ab", c[..., :k * k].reshape(c.shape[:-1] + (k, k)),
                                   vectors, vectors)
                pieces.append((ids, (outer + c[..., -1:, None] * self.eta_inv).reshape(h.shape[:-1] + (d * d,))))
        out = jnp.zeros(x.shape[:-1] + (self.rep_out.size(),), h.dtype)
        for ids, values in pieces:
            out = out.at[..., ids].set(values)
        return out
