"""Irreducible representations in numbers: one fixed real model per label.

- ``SO(3)``, ``O(3)``: the real spherical harmonics model of ``isotypic.py``,
  ``drho_l(A) = Σ a_k L_k`` and ``rho_l(g) = Qᵀ (S g Sᵀ)^{⊗l} Q`` with Q the
  Clebsch–Gordan path 1, 2, …, l (for O(3), times the parity on ``det g = -1``);
- ``SO(2)``, ``O(2)``, ``C(k)``, ``D(k)``: frequency a acts by the a-th power
  of the rotation (a reflection stays itself), one-dimensional ones by signs;
- ``Z(n)``: the shift by j acts by the rotation by ``2π a j / n``;
- ``Scaling(n)`` (``g = e^t I``): the character k acts by ``g00^k = e^{kt}``;
- ``SO+(1,1)`` and ``SO(1,1)``: a boost by t has eigenvalue ``e^t`` on
  (1, 1) and ``e^-t`` on (1, -1), the weights 1 and -1 of V; the character
  k acts by ``(g00 + g01)^k``, that is ``e^{kt}`` (times ``(-1)^k`` on
  ``-I`` for SO(1,1)), as on the weight-k line of ``V^{⊗k}``. The
  automorphism ``t ↦ -t`` swaps k and -k, so no search in ``T(p,q)`` could
  tell them apart;
- every other group with labels (``SU(n)``, ``SO(n)``, the Lorentz groups,
  ``Sp(m)``, ``S(n)``, products, …): the first copy of the irreducible in the
  smallest ``T(p,q)`` that holds it, found through the commutant
  (``commutant.py``) and fixed once per process: ``rho(g) = Uᵀ rho_T(g) U``.

Functions take numpy arrays (float64 for the solver) or JAX arrays (traced
by ``jit``/``vmap``) and answer in kind.

>>> import numpy as np
>>> from repalg.symbolic.decompose import irrep
>>> from repalg.symbolic.group_descriptors import SO
>>> g = SO(3).sample(key=0)
>>> r = rho(irrep(SO(3), 2), np.asarray(g, dtype=float))
>>> bool(np.allclose(r @ r.T, np.eye(5)))
True
"""

from __future__ import annotations

from functools import lru_cache

import jax.numpy as jnp
import numpy as np

from ..symbolic.characters.dispatch import theory
from ..symbolic.decompose import irrep
from ..symbolic.constructors import T
from ..symbolic.group_descriptors import Embedded
from . import commutant, isotypic
from .errors import SolveError
from .precision import float64


def rho_function(atom):
    """``g ↦ rho(g)`` on the irreducible ``atom``."""
    return lambda g: rho(atom, g)


def drho_function(atom):
    """``A ↦ drho(A)`` on the irreducible ``atom``."""
    return lambda a: drho(atom, a)


def _xp(x):
    if isinstance(x, np.ndarray):
        return np
    return jnp


def _matrix_power(xp, m, k: int):
    out = xp.eye(m.shape[-1], dtype=m.dtype)
    for _ in range(k):
        out = out @ m
    return out


MAX_DEGREE = 8
"""The largest p+q of the T(p,q) searched for a copy of an irreducible."""

MAX_MODEL_SIZE = 81
"""...and the largest size of that T(p,q)."""


def _unsupported(atom, why: str = ""):
    return SolveError(f"repalg found no numeric model of {atom!r}: no T(p,q) with p+q <= {MAX_DEGREE} and size "
                      f"<= {MAX_MODEL_SIZE} holds it{why}; decompose() and predicted_rank() still work with it")


def _embedding(group, label):
    """(p, q, U): U (size × dim) spans one copy of the irreducible inside T(p,q)."""
    found = _search(group, label)
    if isinstance(found, SolveError):
        raise found
    return found


@lru_cache(maxsize=256)
def _search(group, label):
    """``_embedding``'s answer, or the error that says there is none (kept
    too: the search is long, and a solve asks once per generator)."""

    target = irrep(group, *_show(group, label))
    trivial = irrep(group, *_show(group, _trivial_label(group)))
    ambiguous = False
    for total in range(1, MAX_DEGREE + 1):
        for p in range(total, -1, -1):
            w = T(p, total - p)(group)
            if w.size() > MAX_MODEL_SIZE:
                continue
            found = dict(w.decompose().items())
            count = found.get(target)
            if not count:
                continue
            if len(found) == 1 and target.size() == 1:  # every line of W is a copy
                return p, total - p, np.eye(w.size())[:, :1]
            # a twin in the characters is a twin in numbers: the commutant could not tell them apart
            if any(key != target and key.size() == target.size() and c == count
                   and not (target.size() == 1 and key == trivial) for key, c in found.items()):
                ambiguous = True
                continue
            classes = [members for key, members in commutant._classes(w)
                       if key.dim == target.size() and len(members) == count]
            if len(classes) > 1 and target.size() == 1:  # the trivial one is the class that stays put
                classes = [c for c in classes if not _invariant(w, c[0])]
            if len(classes) == 1:
                return p, total - p, classes[0][0]
            ambiguous = ambiguous or len(classes) > 1
    return _unsupported(target, " without a twin of the same size and multiplicity (an outer automorphism "
                               "of the group swaps them)" if ambiguous else "")


def _trivial_label(group):
    return theory(group).trivial


def _invariant(w, u: np.ndarray) -> bool:
    """Whether the columns of u are fixed by the group (on a few sample elements)."""
    group = w.groups()[0]
    for g in np.asarray(group.samples(3, key=99)):
        with _float64():
            m = np.asarray(w.rho(g).dense())
        if np.abs(m @ u - u).max() > 1e-6 * (1 + np.abs(m).max()):
            return False
    return True


def _float64():
    return float64()


def _show(group, label) -> tuple:
    return theory(group).show(label)


def _tensor_action(xp, x, p: int, q: int, lie: bool):
    """T(p,q) = V^p ⊗ V*^q: the Kronecker product (group element) or sum (Lie algebra element)."""
    dual = -x.T if lie else xp.linalg.inv(x).T
    factors = [x] * p + [dual] * q
    n = x.shape[0]
    out = factors[0]
    for f in factors[1:]:
        if lie:
            out = xp.kron(out, xp.eye(n, dtype=x.dtype)) + xp.kron(xp.eye(out.shape[0], dtype=x.dtype), f)
        else:
            out = xp.kron(out, f)
    return out


def _own_label(atom):
    """The label of the atom itself (its dual is applied by the caller)."""
    return theory(atom.group).label(atom.args[1:])


def _generic(atom, x, lie: bool):
    label = _own_label(atom)
    if label == theory(atom.group).trivial:
        xp = _xp(x)
        return xp.zeros((1, 1), dtype=x.dtype) if lie else xp.ones((1, 1), dtype=x.dtype)
    p, q, u = _embedding(atom.group, label)
    xp = _xp(x)
    m = _tensor_action(xp, x, p, q, lie)
    u = xp.asarray(u) if xp is np else xp.asarray(u, dtype=m.dtype)
    return u.conj().T @ m @ u


def _group(atom):
    g = atom.group
    return getattr(g, "name", None), getattr(g, "args", ())


def on_base(atom):
    """The irreducible of ``G`` that an irreducible of ``G`` embedded in ℝⁿ
    is: it acts through the block of ``G``, with ``G``'s own model."""

    return irrep(atom.group.base, *atom.args[1:])


def _block(atom, x):
    d = atom.group.base.d
    return x[:d, :d]


def drho(atom, a):
    """The Lie algebra element ``a`` (a matrix of the base representation) on the irreducible."""
    if isinstance(atom.group, Embedded):
        return drho(on_base(atom), _block(atom, a))
    xp = _xp(a)
    name, args = _group(atom)
    label = _own_label(atom)
    if name in ("SO", "O") and args == (3,):
        l = label if name == "SO" else label[0]
        gens = xp.asarray(isotypic.generators(l))
        ax, ay, az = isotypic.algebra_coordinates(a)
        return ax * gens[0] + ay * gens[1] + az * gens[2]
    if name in ("SO", "O") and args == (2,):
        freq = label if isinstance(label, int) else 0
        return freq * a if freq else xp.zeros((1, 1), dtype=a.dtype)
    if _boosts(name, args):
        return (label * (a[0, 0] + a[0, 1])).reshape(1, 1)
    if name == "Scaling":
        return (label * a[0, 0]).reshape(1, 1)
    return _generic(atom, a, lie=True)


def _boosts(name, args) -> bool:
    """Whether the group is SO+(1,1) or SO(1,1), whose irreducibles are characters of the boosts."""
    return name in ("SO+", "SO") and args == (1, 1)


def rho(atom, g):
    """The group element ``g`` (a matrix of the base representation) on the irreducible."""
    if isinstance(atom.group, Embedded):
        return rho(on_base(atom), _block(atom, g))
    xp = _xp(g)
    name, args = _group(atom)
    label = _own_label(atom)
    if name in ("SO", "O") and args == (3,):
        l, parity = (label, 1) if name == "SO" else label
        q = isotypic.irrep_of_v_power(l)
        s = isotypic.to_model()
        m = xp.asarray(s) @ g @ xp.asarray(s.T)
        t = xp.asarray(q).reshape((3,) * l + (2 * l + 1,))
        for axis in range(l):
            t = xp.moveaxis(xp.tensordot(m, t, axes=(1, axis)), 0, axis)
        out = xp.asarray(q).T @ t.reshape(3**l, 2 * l + 1)
        if parity * (-1) ** l == 1 or name == "SO":
            return out
        return xp.sign(xp.linalg.det(g)) * out
    if name in ("SO", "O", "C", "D") and (args == (2,) or name in ("C", "D")):
        return _planar(xp, atom, label, g, reflection=_reflection(name))
    if name == "Z":
        n = args[0]
        j = xp.argmax(g[:, 0])
        angle = 2 * np.pi * label * j / n
        if 2 * label % n == 0:
            return xp.cos(angle).reshape(1, 1)
        c, s = xp.cos(angle), xp.sin(angle)
        return xp.stack([xp.stack([c, s]), xp.stack([-s, c])])
    if _boosts(name, args):
        return ((g[0, 0] + g[0, 1]) ** label).reshape(1, 1)
    if name == "Scaling":
        return (g[0, 0] ** label).reshape(1, 1)
    return _generic(atom, g, lie=False)


def _reflection(name: str):
    # emlp's D(k) reflects the first axis; O(2) acts the same way
    return np.array([[-1.0, 0.0], [0.0, 1.0]]) if name in ("D", "O") else None


def _planar(xp, atom, label, g, reflection):
    """Irreducibles of the planar groups: frequency a by the a-th power of the
    rotation part; one-dimensional ones by signs."""
    name, args = _group(atom)
    k = args[0] if name in ("C", "D") else None
    freq, sign = (label if isinstance(label, tuple) else (label, None)) if name in ("O", "D") else (label, None)
    det = xp.linalg.det(g)
    if reflection is None:
        rotation = g
    else:  # g = r·s for a reflection: r = g s
        rotation = xp.where(det < 0, g @ xp.asarray(reflection, dtype=g.dtype), g)
    one_dimensional = freq == 0 or (k is not None and 2 * freq == k)
    power = _matrix_power(xp, rotation, freq)
    if not one_dimensional:
        if reflection is None:
            return power
        return xp.where(det < 0, power @ xp.asarray(reflection, dtype=g.dtype), power)
    value = power[0, 0] if freq else xp.ones((), dtype=g.dtype)
    if sign is not None:
        value = xp.where(det < 0, sign * value, value)
    return value.reshape(1, 1)
