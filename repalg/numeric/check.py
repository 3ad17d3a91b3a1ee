"""The checks every solved subproblem passes before it is returned, whether
it was just solved or read from the disk cache.

1. **rank**: the column count against an independent count: the characters'
   prediction (``Rep.predicted_rank``, Burnside's average for enumerable
   finite groups), the first fundamental theorem in the stable range, or,
   where neither exists, a second computation by another method: the orbits
   of index tuples counted afresh by label propagation for groups of signed
   permutations, the dense rung for small problems, or for a direct product
   the product of its factors' counts. Where none applies the rank is
   reported unchecked.
2. **orthonormality**: ``Qᴴ Q x = x`` for random ``x``.
3. **equivariance**: ``drho(A) Q x = 0`` for a random combination ``A`` of
   the Lie generators, and ``rho(h) Q x = Q x`` for every discrete generator
   ``h``, as structured products, one factor at a time. A random combination
   of the constraints vanishes only where each one does (almost surely), so
   a few matrix-vector products stand for the whole constraint operator.

Residuals are relative to the size of the operators applied: a group element
given in floating point is exact to about ``TOLERANCE``, and a constraint
smaller than that is taken for roundoff in it.

>>> from repalg import parse
>>> parse("T(3)(Cube)").equivariant_basis().info.checked_by
('characters', 'equivariance', 'orthonormality')
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import scipy.sparse

from ..symbolic.constructors import tensor
from ..symbolic.group_descriptors import DirectProduct
from .errors import SolveError, TooLargeError
from .group_generators import classical_probe, generators, orbit_permutations, precision, signed_permutation
from .rank_expectations import dense_rank, expected
from .rho import atom_drho, atom_rho
from .tolerance import TOLERANCE, tolerance_for

PROBES = 2
"""Random combinations of the columns each check applies the operators to."""

DENSE_CHECK = 512
"""The largest subproblem without a predicted rank that a second, dense solve
counts again (an eigendecomposition of this size takes about 0.05 s)."""

SMALL = 1 << 16
"""Bases with at most this many entries are checked as dense arrays."""

UNCHECKED = "rank unchecked"


def verify(group, atoms: tuple, q, strategy: str, expected: tuple | None) -> tuple:
    """The checks ``q`` (the invariants of the product of ``atoms``) passes,
    sorted by name; raises ``SolveError`` naming the first one it fails.
    ``expected`` is ``(rank, source)`` from a prediction, or None."""
    what = _Described(atoms)
    q = q if isinstance(q, scipy.sparse.csr_matrix) else scipy.sparse.csr_matrix(q)
    size, rank = q.shape
    checks = []
    if expected is not None:
        count, source = expected
        if count != rank:
            raise SolveError(f"the {strategy} solver found {rank} independent invariants of {what}, "
                             f"but {_source_text(source)} {count}")
        checks.append(source)
    else:
        recount = _recount(group, atoms, size, strategy)
        if recount is None:
            checks.append(UNCHECKED)
        else:
            count, source = recount
            if count != rank:
                raise SolveError(f"the {strategy} solver found {rank} independent invariants of {what}, "
                                 f"but a second count by {source} finds {count}")
            checks.append(source)
    x = _probes(rank, np.iscomplexobj(q.data))
    if size * rank <= SMALL:  # scipy's sparse products cost more than the arithmetic here
        q = q.toarray()
    y = q @ x
    back = (q.T.conj() if np.iscomplexobj(q) or np.iscomplexobj(getattr(q, "data", q)) else q.T) @ y
    error = np.linalg.norm(back - x) / max(np.linalg.norm(x), np.finfo(float).tiny)
    if rank and not error <= TOLERANCE:
        raise SolveError(f"the {strategy} basis of {what} is not orthonormal: ‖QᴴQx - x‖/‖x‖ = {error:.2e}")
    checks.append("orthonormality")
    if rank == 0 or _equivariance(group, atoms, y, strategy, what):
        checks.append("equivariance")
    return tuple(sorted(checks))


@functools.lru_cache(maxsize=1024)
def _probes(rank: int, complex_: bool) -> np.ndarray:
    """Fixed random combinations of ``rank`` columns (the same every run)."""
    x = np.random.default_rng(rank).standard_normal((rank, 2 * PROBES))
    return x[:, :PROBES] + 1j * x[:, PROBES:] if complex_ else x[:, :PROBES]


def _source_text(source: str) -> str:
    return {"characters": "its characters predict",
            "invariant theory": "the first fundamental theorem of invariant theory gives"}.get(source, source)


class _Described:
    """The product of ``atoms`` as text, formed only when a message needs it."""

    def __init__(self, atoms: tuple):
        self.atoms = atoms

    def __format__(self, spec: str) -> str:
        return format(repr(tensor(*self.atoms)), spec)


def _equivariance(group, atoms: tuple, y: np.ndarray, strategy: str, what: str) -> bool:
    """Whether the constraints fix ``y`` (raises SolveError where they do not);
    False where the group's generators are too large to form."""
    found = _constraints(group, atoms)
    if found is None:
        return False
    sizes, constraints = found
    t = y.reshape(tuple(sizes) + (y.shape[1],))
    given = precision(group)
    for kind, ops, which in constraints:
        tolerance = tolerance_for(len(atoms), max([given] + [_eps(op) for op in ops if op is not None]))
        if kind == "lie":
            residual = sum(_apply(op, axis, t) for axis, op in enumerate(ops) if op is not None)
            scale = sum(_norm(op) for op in ops if op is not None)
        else:
            moved = t
            for axis, op in enumerate(ops):
                if op is not None:
                    moved = _apply(op, axis, moved)
            residual = moved - t
            scale = float(np.prod([_norm(op) for op in ops if op is not None])) + 1.0
        _judge(residual, scale, t, which, strategy, what, tolerance)
    return True


def _eps(op) -> float:
    if isinstance(op, tuple):
        return 0.0
    dtype = np.asarray(op).dtype
    return float(np.finfo(dtype).eps) if np.issubdtype(dtype, np.inexact) else 0.0


def _constraints(group, atoms: tuple):
    """The tensor's axis sizes and its constraints, each ``(kind, ops, name)``:
    ``lie`` ops act as a Kronecker sum (a random element of the Lie algebra),
    ``group`` ops as a Kronecker product (a discrete generator), one op per
    axis (a matrix, a signed permutation ``(perm, sign)``, or None for the
    identity). A direct product acting on products of V and V* gets one axis
    per atom and factor, each factor's generators on its own axes, so that no
    generator of the whole product is ever formed. None where the generators
    are too large to form."""
    base = all(a.dim is None for a in atoms)
    if base and isinstance(group, DirectProduct):
        m = len(group.factors)
        sizes = [g.d for _ in atoms for g in group.factors]
        constraints = []
        for i, factor in enumerate(group.factors):
            found = _constraints(factor, tuple(_on_factor(atom, factor) for atom in atoms))
            if found is None:
                return None
            for kind, ops, name in found[1]:
                lifted = [None] * len(sizes)
                for j, op in enumerate(ops):
                    lifted[j * m + i] = op
                constraints.append((kind, lifted, f"{name} of the factor {factor}"))
        return sizes, constraints
    sizes = [a.size() for a in atoms]
    probe = classical_probe(group)  # a classical group: one random element, made directly, not from d² generators
    moves = _signed_permutations(group) if base else None
    if moves is not None:  # V and V* alike: a signed permutation is orthogonal
        return sizes, [("group", [move] * len(atoms), f"the signed permutation {_short(move[0])}")
                       for move in moves]
    if probe is not None:
        (a,), disc = probe
    else:
        try:
            lie, disc = generators(group)
        except (TooLargeError, ValueError):
            return None
        a = _random_element(group) if len(lie) else None
    constraints = []
    if a is not None:
        own = {atom: atom_drho(atom, a, xp=np) for atom in set(atoms)}
        constraints.append(("lie", [own[atom] for atom in atoms], "a random element of the Lie algebra"))
    for i, h in enumerate(disc):
        own = {atom: atom_rho(atom, h, xp=np) for atom in set(atoms)}
        constraints.append(("group", [own[atom] for atom in atoms], f"discrete generator {i}"))
    return sizes, constraints


def _on_factor(atom, factor):
    return replace(atom, group=factor)


@functools.lru_cache(maxsize=256)
def _random_element(group) -> np.ndarray:
    """A fixed random combination of the group's Lie generators."""
    lie = np.asarray(generators(group)[0])
    return np.tensordot(np.random.default_rng(1).standard_normal(len(lie)), lie, axes=1)


def _judge(residual, scale: float, y, which: str, strategy: str, what: str, tolerance: float) -> None:
    error = np.linalg.norm(residual) / max(scale * np.linalg.norm(y), np.finfo(float).tiny)
    if not error <= tolerance:
        raise SolveError(f"the {strategy} basis of {what} is not invariant under {which}: "
                         f"relative residual {error:.2e} (at most {tolerance:.1e} passes; a user group's "
                         f"generators computed in single precision should be given as float32 arrays, "
                         f"and the tolerance follows them)")


def _norm(op) -> float:
    """An upper bound on the spectral norm, √(‖m‖₁ ‖m‖∞), within √d of it
    (1 for a signed permutation)."""
    if isinstance(op, tuple):
        return 1.0
    m = np.abs(np.asarray(op))
    return float(np.sqrt(m.sum(axis=0).max() * m.sum(axis=1).max())) if m.size else 0.0


def _apply(op, axis: int, t: np.ndarray) -> np.ndarray:
    """``op`` applied to one axis of the tensor ``t``: a matrix, or a signed
    permutation with ``h @ v == sign * v[perm]``."""
    if isinstance(op, tuple):
        perm, sign = op
        moved = np.take(t, perm, axis=axis)
        if np.all(sign == 1):
            return moved
        shape = [1] * t.ndim
        shape[axis] = len(sign)
        return moved * sign.reshape(shape)
    return np.moveaxis(np.tensordot(np.asarray(op), t, axes=(1, axis)), 0, axis)


def _short(perm) -> str:
    text = " ".join(map(str, perm[:8]))
    return f"[{text}{' …' if len(perm) > 8 else ''}]"


def _recount(group, atoms: tuple, size: int, strategy: str | None):
    """(count, method) from a method other than the one that solved, or None."""
    base = all(a.dim is None for a in atoms)
    if base and isinstance(group, DirectProduct):  # (V1⊗V2)^⊗k: the product of each factor's count
        total = 1
        for factor in group.factors:
            part = tuple(_on_factor(atom, factor) for atom in atoms)
            found = expected(factor, part) or _recount(factor, part, factor.d ** len(atoms), None)
            if found is None:
                return None
            total *= found[0]
        return total, "factor counts"
    moves = _signed_permutations(group) if base else None
    if moves is not None:
        return orbit_count(group.d, len(atoms), moves), "orbit count"
    if size <= DENSE_CHECK and strategy != "dense":
        try:
            return dense_rank(group, atoms, size), "dense solve"
        except (SolveError, TooLargeError, ValueError):  # no second opinion to be had
            return None
    return None


@functools.lru_cache(maxsize=256)
def _signed_permutations(group) -> list | None:
    """The group's generators as (permutation, sign) pairs, when it is a group
    of signed permutations; None otherwise."""
    perms = orbit_permutations(group)
    if perms is not None:
        return [(np.asarray(p), np.ones(len(p))) for p in perms]
    probe = classical_probe(group)
    if probe is not None and np.any(probe[0]):  # a Lie group: known without forming its d² generators
        return None
    try:
        lie, disc = generators(group)
    except (TooLargeError, ValueError):
        return None
    if len(lie):
        return None
    moves = [signed_permutation(h) for h in disc]
    return moves if all(m is not None for m in moves) else None


def orbit_count(d: int, k: int, moves: list) -> int:
    """The number of invariants of the k-th tensor power of a group of signed
    permutations (``moves``: (perm, sign) with ``h @ v == sign * v[perm]``):
    orbits of index tuples whose signs agree, counted by label propagation on
    the doubled set of (tuple, sign) nodes, apart from the orbit rung's
    connected components.

    >>> import numpy as np
    >>> orbit_count(3, 2, [(np.array([1, 2, 0]), np.ones(3))])  # Z(3) on V⊗V
    3
    """
    n = d**k
    signed = any(np.any(np.asarray(sign) < 0) for _, sign in moves)
    nodes = np.arange(2 * n if signed else n)
    targets = []
    for perm, sign in moves:
        digits = np.unravel_index(np.arange(n), (d,) * k)
        image = np.ravel_multi_index(tuple(np.asarray(perm)[x] for x in digits), (d,) * k)
        if not signed:  # no sign to carry: one node a tuple
            targets.append(image)
            continue
        negative = np.prod([np.asarray(sign)[x] for x in digits], axis=0) < 0
        # (I, s) moves to (perm(I), s·sign(I)); nodes n.. are the negative copies
        targets.append(np.concatenate([image + n * negative, image + n * ~negative]))
    label = nodes.copy()
    while True:
        before = label
        for target in targets:  # each move is a bijection of the nodes: no collisions
            low = np.minimum(label, label[target])
            label = low.copy()
            label[target] = np.minimum(label[target], low)
        label = np.minimum(label, label[label])
        if np.array_equal(label, before):
            break
    if not signed:
        return len(np.unique(label))
    valid = label[:n] != label[n:]
    return len(np.unique(np.concatenate([label[:n][valid], label[n:][valid]]))) // 2
