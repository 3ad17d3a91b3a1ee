"""Solving the equivariance constraints: the strategy ladder.

The basis of a representation's invariants is found in its canonical form,
where it splits by structure:

1. structure: the canonical form is a sum of monomials, whose invariants are
   solved separately (each distinct monomial once, and cached); a monomial
   that mixes groups is the Kronecker product of one solution per group;
2. orbit: for a group of (signed) permutations acting on a tensor power of its
   base representation, the invariants are the orbits of index tuples, found
   exactly with a connected-components pass over the generators' moves;
3. dense: otherwise, the null space of the constraint operator
   ``M = Σ Cᴴ C`` (C = ``drho(A)`` for Lie generators, ``rho(h) - I`` for
   discrete ones) from a float64 eigendecomposition, the rank certified by a
   spectral gap.

The basis is then handed back in the user's coordinates through the layout.

>>> from repalg import parse
>>> parse("(T(1,0)>>T(2,1))(O(1,3))").equivariant_basis().shape
(256, 3)
"""

from __future__ import annotations

import time
from collections import OrderedDict
from functools import reduce

import numpy as np
import scipy.linalg
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from ..symbolic.expr import Atom, Product, Rep, Scalar, tensor
from .basis import Basis, Projector, SolveInfo
from .groups import generators, signed_permutation
from .rho import atom_drho, atom_rho

MAX_DENSE = 8192
"""The largest block the dense rung takes: its N×N constraint operator in
float64 is 512 MiB at this size."""

ZERO_LEVEL = 1e-10
"""Eigenvalues of the constraint operator below this fraction of its largest
are zero: its null space is the solution."""

NONZERO_LEVEL = 1e-6
"""...and the smallest nonzero one must lie above this fraction, so that the
rank is certified by a clear gap."""

CACHE_ENTRIES = 512


class SolveError(ArithmeticError):
    """The constraints' spectrum has no clear gap at zero: the rank cannot be
    certified, so no basis is returned."""


class TooLargeError(ValueError):
    """The problem would need more memory than a solve may take."""


_cache: OrderedDict = OrderedDict()


def clear_cache() -> None:
    """Forget every solved subproblem.

    >>> clear_cache()
    """
    _cache.clear()


def equivariant_basis(rep: Rep) -> Basis:
    """The orthonormal basis of ``{v : rho(g) v = v for all g}`` in ``rep``'s
    coordinates (see ``Rep.equivariant_basis``)."""
    start = time.perf_counter()
    unbound = [a for a in rep.atoms() if a.group is None]
    if unbound:
        raise ValueError(f"{rep!r} has atoms bound to no group: bind one first, as in rep(SO(3))")
    blocks, infos = [], []
    for monomial, count in rep.canonical_terms():
        q, info = _solve_monomial(monomial)
        blocks.extend([q] * count)
        infos.extend([info] * count)
    size = rep.size()
    canonical = scipy.sparse.block_diag(blocks, format="csr") if blocks else scipy.sparse.csr_matrix((0, 0))
    matrix = canonical[np.argsort(rep.layout())] if size else canonical
    strategies = sorted({i.strategy for i in infos}) or ["trivial"]
    info = SolveInfo(strategy="+".join(strategies), seconds=time.perf_counter() - start,
                     gap=min((i.gap for i in infos), default=np.inf), rank=matrix.shape[1], size=size)
    return Basis(matrix.tocsr(), info)


def equivariant_projector(rep: Rep) -> Projector:
    """The projector onto the equivariant subspace of ``rep``, applied lazily."""
    return Projector(equivariant_basis(rep))


def _monomial_atoms(monomial: Rep) -> list:
    if isinstance(monomial, Atom):
        return [monomial]
    assert isinstance(monomial, Product)
    return [f for f, e in monomial.factors for _ in range(e)]


def _solve_monomial(monomial: Rep):
    if monomial == Scalar:
        return scipy.sparse.csr_matrix(np.ones((1, 1))), SolveInfo("trivial", 0.0, np.inf, 1, 1)
    atoms = _monomial_atoms(monomial)
    parts: list = []
    for atom in atoms:  # canonical monomials list their atoms grouped by group
        if parts and parts[-1][0] == atom.group:
            parts[-1][1].append(atom)
        else:
            parts.append((atom.group, [atom]))
    solved = [_solve_part(group, tuple(part)) for group, part in parts]
    q = reduce(lambda a, b: scipy.sparse.kron(a, b, format="csr"), [s[0] for s in solved])
    infos = [s[1] for s in solved]
    strategy = "+".join(sorted({i.strategy for i in infos}))
    return q, SolveInfo(strategy, sum(i.seconds for i in infos), min(i.gap for i in infos),
                        q.shape[1], q.shape[0])


def _solve_part(group, atoms: tuple):
    key = (group, atoms)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    start = time.perf_counter()
    lie, disc = generators(group)
    moves = [signed_permutation(h) for h in disc]
    size = int(np.prod([a.size() for a in atoms]))
    if len(lie) == 0 and len(disc) == 0:
        q, strategy, gap = scipy.sparse.identity(size, format="csr"), "trivial", np.inf
    elif len(lie) == 0 and all(m is not None for m in moves) and all(a.dim is None for a in atoms):
        q, strategy, gap = _orbit_basis(group.d, len(atoms), moves), "orbit", np.inf
    else:
        q, gap = _dense_null_space(group, atoms, lie, disc, size)
        strategy = "dense"
    result = (q, SolveInfo(strategy, time.perf_counter() - start, gap, q.shape[1], size))
    _cache[key] = result
    if len(_cache) > CACHE_ENTRIES:
        _cache.popitem(last=False)
    return result


def _orbit_basis(d: int, k: int, moves: list) -> scipy.sparse.csr_matrix:
    """Invariants of the k-th tensor power of a signed permutation action.

    Each generator h (``h @ v == sign * v[perm]``) ties index tuples I and
    perm(I): an invariant has ``v[I] = s(I) v[perm(I)]`` with s(I) the product
    of the signs. On the doubled graph of nodes (I, ±) an orbit is a connected
    component; one that holds both (I, +) and (I, -) forces v = 0 there."""
    n = d**k
    index = np.arange(n, dtype=np.int64)
    sources, targets = [], []
    for perm, sign in moves:
        image = np.zeros(n, dtype=np.int64)
        signs = np.ones(n, dtype=np.int8)
        place = 1
        for _ in range(k):
            digit = (index // place) % d
            image += perm[digit].astype(np.int64) * place
            signs *= sign[digit].astype(np.int8)
            place *= d
        flip = (signs < 0).astype(np.int64) * n
        sources += [index, index + n]
        targets += [image + flip, (image + n - flip)]
    graph = scipy.sparse.coo_matrix(
        (np.ones(sum(len(s) for s in sources), dtype=np.int8), (np.concatenate(sources), np.concatenate(targets))),
        shape=(2 * n, 2 * n))
    _, labels = connected_components(graph, directed=False)
    plus, minus = labels[:n], labels[n:]
    valid = plus != minus
    orbit = np.minimum(plus, minus)[valid]
    sign = np.where(plus[valid] == orbit, 1.0, -1.0)
    orbits, column, counts = np.unique(orbit, return_inverse=True, return_counts=True)
    values = sign / np.sqrt(counts[column])
    return scipy.sparse.csr_matrix((values, (index[valid], column)), shape=(n, len(orbits)))


def _dense_null_space(group, atoms: tuple, lie, disc, size: int):
    if size > MAX_DENSE:
        raise TooLargeError(f"{_describe(group, atoms)} has size {size}, too large for the dense solver "
                            f"({MAX_DENSE} at most): its {size}×{size} constraint operator alone would need "
                            f"{size * size * 8 / 2**30:.3g} GiB")
    dtype = np.complex128 if group.is_complex or np.iscomplexobj(lie) or np.iscomplexobj(disc) else np.float64
    m = np.zeros((size, size), dtype=dtype)
    for a in lie:
        c = _kronsum([atom_drho(atom, a, xp=np) for atom in atoms])
        m += (c.conj().T @ c).toarray()
    for h in disc:
        c = _kron([atom_rho(atom, h, xp=np) for atom in atoms]) - scipy.sparse.identity(size)
        m += (c.conj().T @ c).toarray()
    if not np.all(np.isfinite(m)):
        raise SolveError(f"the constraints of {_describe(group, atoms)} are not finite")
    w, v = scipy.linalg.eigh(m, overwrite_a=True, check_finite=False)
    scale = max(abs(w[-1]), abs(w[0])) if size else 0.0
    if scale == 0.0:
        return scipy.sparse.identity(size, format="csr", dtype=dtype), np.inf
    rank = int(np.sum(w < ZERO_LEVEL * scale))
    largest_zero = max(w[rank - 1], 0.0) if rank else 0.0
    smallest_nonzero = w[rank] if rank < size else np.inf
    if smallest_nonzero < NONZERO_LEVEL * scale:
        raise SolveError(
            f"no clear spectral gap for {_describe(group, atoms)}: eigenvalues of the constraint operator "
            f"relative to its largest run {largest_zero / scale:.2e} (taken as zero) then "
            f"{smallest_nonzero / scale:.2e}; the rank cannot be certified")
    gap = smallest_nonzero / max(largest_zero, np.finfo(float).eps * scale)
    q = v[:, :rank]
    return scipy.sparse.csr_matrix(q), float(gap)


def _describe(group, atoms) -> str:
    return repr(tensor(*atoms))


def _kron(mats: list) -> scipy.sparse.csr_matrix:
    return reduce(lambda a, b: scipy.sparse.kron(a, b, format="csr"),
                  [scipy.sparse.csr_matrix(np.asarray(m)) for m in mats])


def _kronsum(mats: list) -> scipy.sparse.csr_matrix:
    sizes = [np.shape(m)[0] for m in mats]
    total = None
    for i, m in enumerate(mats):
        left = scipy.sparse.identity(int(np.prod(sizes[:i])), format="csr")
        right = scipy.sparse.identity(int(np.prod(sizes[i + 1:])), format="csr")
        term = scipy.sparse.kron(scipy.sparse.kron(left, scipy.sparse.csr_matrix(np.asarray(m))), right, format="csr")
        total = term if total is None else total + term
    return total
