"""Solving the equivariance constraints: the strategy ladder.

The basis of a representation's invariants is found in its canonical form,
where it splits by structure:

1. structure: the canonical form is a sum of monomials, whose invariants are
   solved separately (each distinct monomial once, and cached); a monomial
   that mixes groups is the Kronecker product of one solution per group, and
   so is a tensor power over a direct product of groups (``SO(3)*S(4)``), up
   to a permutation of axes;
2. orbit: for a group of (signed) permutations acting on a tensor power of its
   base representation, the invariants are the orbits of index tuples, found
   exactly with a connected-components pass over the generators' moves;
3. isotypic reduction, for SO(3), O(3) and SU(2) (``isotypic.py``): the product is
   coupled in two halves into isotypic blocks with exact Clebsch–Gordan maps,
   and Schur's lemma pairs equal irreducibles, with no eigensolver at all;
4. invariant theory, for O(p,q), SO(p,q), SO+(p,q) (``brauer.py``): Brauer
   pairings of the group's quadratic form (and Levi-Civita tensors for the
   special groups) span the invariants, a Gram matrix picks a basis;
5. weights: for a Lie group, commuting diagonalizable generators (a torus)
   act diagonally in a basis of tensor products of their eigenvectors, and an
   invariant lies in their zero-weight space, far smaller than the whole; the
   remaining Lie constraints are solved there (a float64 eigendecomposition,
   the rank certified by a spectral gap), then the discrete generators on the
   few solutions left, by structured matrix-vector products; when that space
   is too large, the matrix-free filter (``filter.py``) takes over;
6. dense: otherwise, the null space of the constraint operator
   ``M = Σ Cᴴ C`` (C = ``drho(A)`` for Lie generators, ``rho(h) - I`` for
   discrete ones) from a float64 eigendecomposition, certified the same way.

Every solution, fresh or read from the disk cache, passes ``check.verify``
before it is returned: its column count against the characters' prediction
(``Rep.predicted_rank``) or an independent second count, orthonormality, and
equivariance on the generators; a failure raises ``SolveError``. The spectral
gap certifies a floating-point rank only when the zero eigenvalues are at
roundoff level and the others clearly above it.

Before allocating, each rung estimates the memory it needs and refuses, with
the size and the estimate, what will not fit.

The basis is then handed back in the user's coordinates through the layout.

>>> from repalg import parse
>>> parse("(T(1,0)>>T(2,1))(O(1,3))").equivariant_basis().shape
(256, 3)
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import time
from dataclasses import replace
from functools import reduce

import numpy as np
import scipy.linalg
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from ..symbolic.expr import Atom, Product, Rep, Scalar, direct_sum, multiplicity, tensor
from ..symbolic.characters import Connected, theory
from ..symbolic.decompose import irrep_label, is_irrep, stable_rank
from ..symbolic.group_descriptors import DirectProduct, Embedded, NamedGroup
from . import brauer, cache, check, filter, irreps, isotypic
from .basis import Basis, Projector, SolveInfo, csr_from_dense
from .errors import SolveError, TooLargeError
from .group_generators import generators, orbit_permutations, permutations, precision, signed_permutation
from .rho import atom_drho, atom_rho

MAX_DENSE = 8192
"""The largest block the dense rung takes: its N×N constraint operator in
float64 is 512 MiB at this size."""

ROUNDOFF = 1e-12
"""A constraint operator whose eigenvalues all lie below this fraction of its
terms' squared size is zero: the spectrum is roundoff, not a constraint."""

ZERO_LEVEL = 1e-12
"""Eigenvalues of the constraint operator at most this fraction of its largest
are zero, roundoff of a float64 eigensolver (at most 4e-15 over the reference
set); its null space is the solution."""

NONZERO_LEVEL = 1e-6
"""...and every other one must lie above this fraction (at least 0.035 over
the reference set), so that the rank is certified by a clear gap; an
eigenvalue in between is neither, and the solve raises ``SolveError``."""

WEIGHTS_LIMIT = 3000
"""Zero-weight spaces larger than this go to the matrix-free filter, when it applies."""

ISOTYPIC = True
"""Whether SO(3) and O(3) go to the isotypic rung (switched off only to compare rungs)."""

BRAUER_FROM = 4096
"""Products of V and V* of O(p,q) from this size on go to the invariant-theory rung."""

BRAUER_LIMIT = 4000
"""...when they have at most this many spanning pairings."""

BRAUER_WORK = 1.5e8
"""...and at most this many entries in all (size × pairings, about 15 s); larger
ones are refused, as no rung below would be quicker."""

STORE_FROM = 0.05
"""Solves quicker than this many seconds are not written to the disk cache:
reading and checking an entry back takes a few milliseconds."""

MEMORY_FRACTION = 0.8
"""The share of the machine's available memory one solve may plan to use."""


def equivariant_basis(rep: Rep) -> Basis:
    """The orthonormal basis of ``{v : rho(g) v = v for all g}`` in ``rep``'s
    coordinates (see ``Rep.equivariant_basis``). Solved eagerly even when
    asked for inside a JAX trace (a model's layers are built inside
    ``jit(init)``), so that users' ``rho`` functions in ``jax.numpy`` give
    numbers, not tracers."""
    import jax
    with jax.ensure_compile_time_eval():
        return _equivariant_basis(rep)


def _equivariant_basis(rep: Rep) -> Basis:
    start = time.perf_counter()
    unbound = [a for a in rep.atoms() if a.group is None]
    if unbound:
        raise ValueError(f"{rep!r} has atoms bound to no group: bind one first, as in rep(SO(3))")
    size = rep.size()
    if 24 * size > _available_bytes() * MEMORY_FRACTION:  # the layout and one column, at least
        raise TooLargeError(f"{rep!r} has size {size}: even its layout would need "
                            f"{24 * size / 2**30:.3g} GiB, more than this machine has")
    blocks, infos = [], []
    for monomial, count in rep.canonical_terms():
        q, info = _solve_monomial(monomial)
        blocks.append((q, count))
        infos.append(info)
    canonical = blocks[0][0] if len(blocks) == 1 and blocks[0][1] == 1 else _block_diag(blocks)
    perm = rep.layout() if size else None
    matrix = canonical if perm is None or np.array_equal(perm, np.arange(size)) else canonical[np.argsort(perm)]
    info = SolveInfo(strategy=_strategies(infos) or "trivial", seconds=time.perf_counter() - start,
                     gap=min((i.gap for i in infos), default=np.inf), rank=matrix.shape[1], size=size,
                     checked_by=_checks(infos))
    return Basis(matrix.tocsr(), info)


def equivariant_projector(rep: Rep) -> Projector:
    """The projector onto the equivariant subspace of ``rep``, applied lazily."""
    return Projector(equivariant_basis(rep))


def _block_diag(blocks: list) -> scipy.sparse.csr_matrix:
    """The block-diagonal matrix of ``count`` copies of each ``q``, in order."""
    rows, cols, values = [], [], []
    row = col = 0
    for q, count in blocks:
        coo = q.tocoo()
        n, m = q.shape
        rows.append((coo.row[None, :] + (row + n * np.arange(count))[:, None]).ravel())
        cols.append((coo.col[None, :] + (col + m * np.arange(count))[:, None]).ravel())
        values.append(np.tile(coo.data, count))
        row, col = row + n * count, col + m * count
    if not blocks:
        return scipy.sparse.csr_matrix((0, 0))
    return scipy.sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                                   shape=(row, col))


def _strategies(infos) -> str:
    """The strategies of several solves, each named once: 'orbit+weights'."""
    return "+".join(sorted({part for i in infos for part in i.strategy.split("+")}))


def _checks(infos) -> tuple:
    """The checks that ran on several solves, each named once (``rank
    unchecked`` among them when one part's count had no independent check)."""
    return tuple(sorted({c for i in infos for c in i.checked_by}))


def _monomial_atoms(monomial: Rep) -> list:
    if isinstance(monomial, Atom):
        return [monomial]
    assert isinstance(monomial, Product)
    return [f for f, e in monomial.factors for _ in range(e)]


_SCALAR_CHECKS = ("characters", "equivariance", "orthonormality")
"""The scalar's one invariant, 1, passes every check by inspection."""


def _solve_monomial(monomial: Rep):
    if monomial == Scalar:
        return scipy.sparse.csr_matrix(np.ones((1, 1))), SolveInfo("trivial", 0.0, np.inf, 1, 1, _SCALAR_CHECKS)
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
    strategy = _strategies(infos)
    return q, SolveInfo(strategy, sum(i.seconds for i in infos), min(i.gap for i in infos),
                        q.shape[1], q.shape[0], _checks(infos))


def _disk_key(group, atoms: tuple) -> str | None:
    """The subproblem's key for the disk cache: its canonical text, a digest
    of the group's generators, and the ladder's settings (the cache adds the
    solver's code). Representations of the user's own, known only by name,
    are not kept on disk."""
    if not all(a.dim is None for a in atoms):
        return None
    digest = hashlib.sha256()
    perms = permutations(group)
    try:
        arrays = perms if perms is not None else generators(group)
    except TooLargeError:  # too large to hold, so not solved by generators: kept in memory only
        return None
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return f"{group}|{digest.hexdigest()}|{tensor(*atoms)!r}|{_ladder()}"


def _ladder() -> str:
    """The settings that choose and tune the rungs, as text."""
    return ",".join(f"{name}={globals()[name]}" for name in _LADDER)


_LADDER = ("MAX_DENSE", "ROUNDOFF", "ZERO_LEVEL", "NONZERO_LEVEL", "WEIGHTS_LIMIT", "ISOTYPIC",
           "BRAUER_FROM", "BRAUER_LIMIT", "BRAUER_WORK")


def _solve_part(group, atoms: tuple):
    """(basis, info) for the invariants of ``atoms`` (a tensor product of
    representations of ``group``), from the caches or solved once; whatever
    its source, a basis passes ``check.verify`` before it is kept or returned."""
    key = (group, atoms)
    found = cache.get(key)
    if found is not None:
        return found
    disk_key = _disk_key(group, atoms) if cache.cache_dir() is not None else None
    stored = cache.load(disk_key) if disk_key is not None else None
    result = None
    if stored is not None:
        start = time.perf_counter()
        q, _, gap = stored
        try:
            checked = check.verify(group, atoms, q, "cached", _expected(group, atoms))
        except SolveError as failure:
            cache.discard(disk_key, f"{_describe(group, atoms)}: {failure}")
        else:
            result = (q, SolveInfo("cache", time.perf_counter() - start, gap, q.shape[1], q.shape[0], checked))
    if result is None:
        start = time.perf_counter()
        size = int(np.prod([a.size() for a in atoms]))
        expected = _expected(group, atoms)
        if expected is not None and expected[0] == 0:  # exact counts: nothing to solve for
            q = scipy.sparse.csr_matrix((size, 0), dtype=complex if group.is_complex else float)
            strategy, gap = expected[1].replace(" ", "-"), np.inf
        elif (known := _stable_basis(group, atoms, size)) is not None:
            q, strategy, gap = known, "invariant-theory", np.inf
        else:
            q, strategy, gap = _solve_fresh(group, atoms, size)
        checked = check.verify(group, atoms, q, strategy, expected)
        result = (q, SolveInfo(strategy, time.perf_counter() - start, gap, q.shape[1], size, checked))
        if disk_key is not None and result[1].seconds >= STORE_FROM:
            cache.store(disk_key, q, strategy, gap)
    cache.put(key, result)
    return result


def _expected(group, atoms: tuple) -> tuple | None:
    """(rank, source) from outside the solver: the characters' prediction, or
    the first fundamental theorem's count in the stable range; None where
    neither exists."""
    stable = stable_rank(group, atoms)
    predicted = _predicted(atoms)
    if predicted is not None and (stable is None or theory(group) is not None):
        return predicted, "characters"
    return (stable, "invariant theory") if stable is not None else None


def dense_rank(group, atoms: tuple, size: int) -> int:
    """The number of invariants by the dense rung, whatever rung solved them
    (``check.py``'s second count)."""
    lie, disc = generators(group)
    return _dense_null_space(group, atoms, lie, disc, size)[0].shape[1]


def _solve_fresh(group, atoms: tuple, size: int):
    """(basis, strategy, gap) from the first rung of the ladder that applies."""
    base = all(a.dim is None for a in atoms)
    if isinstance(group, Embedded) and all(a.dim is None or is_irrep(a) for a in atoms):
        return _embedded_basis(group, atoms)
    ls = _rotation_degrees(group, atoms)
    if ls is not None:
        return _isotypic_basis(group, atoms, ls), "isotypic", np.inf
    duals = _brauer_duals(group, atoms, size)
    if duals is not None:
        q, gap = _brauer_basis(group, atoms, duals, size)
        return q, "invariant-theory", gap
    if base and isinstance(group, DirectProduct):
        return _direct_product_basis(group, atoms)
    moves = _orbit_moves(group) if base else None
    if moves == []:
        return scipy.sparse.identity(size, format="csr"), "trivial", np.inf
    if moves is not None:
        _guard(group, atoms, size, 40 * size * (1 + len(moves)), "orbit")
        return _orbit_basis(group.d, len(atoms), moves), "orbit", np.inf
    lie, disc = generators(group)
    if len(lie) == 0 and len(disc) == 0:
        return scipy.sparse.identity(size, format="csr"), "trivial", np.inf
    torus = _torus(lie) if base and len(lie) else None
    if torus is not None:
        q, gap, strategy = _lie_basis(group, atoms, lie, disc, torus, size)
        return q, strategy, gap
    _guard(group, atoms, size, 24 * size * size, "dense")
    q, gap = _dense_null_space(group, atoms, lie, disc, size)
    return q, "dense", gap


def _embedded_basis(group: Embedded, atoms: tuple):
    """``G`` acting on the first ``d`` of ``n`` coordinates: its ``V`` is
    ``V_G ⊕ (n-d)`` scalars coordinate for coordinate (and so is ``V*``), and
    its irreducibles are ``G``'s, so the product is one over ``G``, solved
    monomial by monomial there."""
    fixed = multiplicity(Scalar, group.n - group.base.d)

    def on_base(atom):
        if atom.dim is None:
            return direct_sum(replace(atom, group=group.base), fixed)
        return replace(irreps.on_base(atom), dual=atom.dual)

    q = equivariant_basis(tensor(*(on_base(a) for a in atoms)))
    return q.sparse(), q.info.strategy, q.info.gap


def _rotation_degrees(group, atoms: tuple) -> tuple | None:
    """For SO(3) and O(3): the degree l of each atom (V is 1, Irrep(G, l) is l),
    the parity of the product, where each factor's coordinates come from, and
    the family of models; for SU(2), the same for products of V and V*."""
    if not (ISOTYPIC and isinstance(group, NamedGroup)):
        return None
    if group.name == "SU" and group.args == (2,):
        if not all(a.dim is None and a.name == "V" for a in atoms):
            return None
        degrees = (1,) * len(atoms)
        frames = tuple("dual" if a.dual else "V" for a in atoms)
        return (degrees, 1, frames, isotypic.SPINS) if isotypic.fits(degrees, isotypic.SPINS) else None
    if not (group.name in ("SO", "O") and group.args == (3,)):
        return None
    degrees, parity = [], 1
    for atom in atoms:
        if atom.dim is None and atom.name == "V":
            degrees.append(1)
            parity = -parity
        elif is_irrep(atom):
            label = irrep_label(atom)
            degrees.append(label if group.name == "SO" else label[0])
            parity *= 1 if group.name == "SO" else label[1]
        else:
            return None
    degrees = tuple(degrees)
    frames = tuple(a.dim is None for a in atoms)
    return (degrees, parity if group.name == "O" else 1, frames, isotypic.ROTATIONS) if isotypic.fits(degrees) else None


def _isotypic_basis(group, atoms: tuple, found: tuple) -> scipy.sparse.csr_matrix:
    """Invariants by Clebsch–Gordan coupling (``isotypic.py``), handed back in
    V's coordinates (the models of irreducibles are their own)."""
    degrees, parity, frames, family = found
    size = int(np.prod([a.size() for a in atoms]))
    _guard(group, atoms, size, 8.0 * size * (2 + 2 * _predicted(atoms, default=64)), "isotypic")
    if parity < 0:
        return scipy.sparse.csr_matrix((size, 0))
    return csr_from_dense(isotypic.invariants(degrees, frames, family))


def _special(group) -> bool:
    return isinstance(theory(group), Connected)


def _brauer_duals(group, atoms: tuple, size: int) -> tuple | None:
    """For O(p,q), SO(p,q) and SO+(p,q) with n ≥ 3, large products of three or
    more V and V* whose spanning set of invariants is small enough: the dual
    flags. (The invariant form itself, V*⊗V*, is solved by the rungs below:
    the pairings are built from it.)"""
    if not (isinstance(group, NamedGroup) and group.name in ("O", "SO", "SO+") and group.d >= 3 and len(atoms) > 2
            and all(a.dim is None and a.name == "V" for a in atoms) and size >= BRAUER_FROM):
        return None
    spanning = brauer.count(len(atoms), group.d, _special(group))
    if spanning > BRAUER_LIMIT or 8.0 * size * spanning * 3 > _available_bytes() * MEMORY_FRACTION:
        return None
    if size * spanning > BRAUER_WORK:
        raise TooLargeError(f"{_describe(group, atoms)} has size {size} and {spanning} invariant pairings: "
                            f"building them would take about {size * spanning / 1e7:.0f} s")
    return tuple(a.dual for a in atoms)


def _brauer_basis(group, atoms: tuple, duals: tuple, size: int):
    """Invariants from Brauer pairings (and Levi-Civita tensors for the special
    groups) of the group's own invariant form, orthonormalized through their
    Gram matrix, the rank certified by its spectral gap."""
    dual = Atom("V", group=group, dual=True)
    form, _ = _solve_part(group, (dual, dual))
    n = group.d
    if form.shape[1] != 1:
        raise SolveError(f"{group} does not preserve a unique quadratic form ({form.shape[1]} found)")
    eta = form.toarray().reshape(n, n)
    eta = (eta + eta.T) / 2
    span = brauer.spanning(duals, eta, _special(group))
    if not span.shape[1]:
        return scipy.sparse.csr_matrix((size, 0)), np.inf
    gram = span.T @ span
    w, u = scipy.linalg.eigh(gram)
    scale = w[-1]
    keep = w > ZERO_LEVEL * scale
    dropped = w[~keep]
    if keep.any() and dropped.size and w[keep][0] < NONZERO_LEVEL * scale:
        raise SolveError(f"the Brauer pairings of {_describe(group, atoms)} have no clear rank: Gram eigenvalues "
                         f"{dropped[-1] / scale:.2e} (taken as zero) then {w[keep][0] / scale:.2e}")
    q = span @ (u[:, keep] / np.sqrt(w[keep]))
    gap = float(w[keep][0] / max(dropped[-1], np.finfo(float).eps * scale)) if dropped.size else np.inf
    return scipy.sparse.csr_matrix(q), gap


@functools.lru_cache(maxsize=256)
def _predicted(atoms: tuple, default=None):
    """The rank that characters predict for a product of atoms, or ``default``
    (memoized: the isotypic rung sizes its guard with it before the cross-check)."""
    try:
        rank = tensor(*atoms).predicted_rank()
    except ValueError:
        return default
    return default if rank is None else rank


def _stable_basis(group, atoms: tuple, size: int) -> scipy.sparse.csr_matrix | None:
    """The one invariant of two atoms in the stable range, which needs no
    solve, or None: ``vec(F)/√d`` with ``F`` the identity for ``V ⊗ V*`` (any
    group) and the invariant form for ``V ⊗ V`` or ``V* ⊗ V*`` (``_form``: the
    identity, the Minkowski metric or the symplectic form, each its own
    inverse up to sign). (No invariants at all need no solve either: see
    ``_solve_part``.)"""
    if len(atoms) != 2 or stable_rank(group, atoms) != 1:
        return None
    dtype = complex if group.is_complex else float  # as the solvers answer for SU(n) and U(n)
    d = group.d
    form = scipy.sparse.identity(d, format="coo") if atoms[0].dual != atoms[1].dual else _form(group)
    if form is None:
        return None
    form = form.tocoo()
    rows = form.row * d + form.col
    return scipy.sparse.csr_matrix(((form.data / np.sqrt(d)).astype(dtype), (rows, np.zeros_like(rows))),
                                   shape=(size, 1))


def _form(group):
    """The invariant bilinear form of a classical group with one, in repalg's
    coordinates (time axes first for ``O(p,q)``; ``[[0, I], [-I, 0]]`` for
    ``Sp(m)``), sparse; None for other groups."""
    if not isinstance(group, NamedGroup):
        return None
    if group.name in ("O", "SO") and len(group.args) == 1:
        return scipy.sparse.identity(group.d, format="coo")
    if group.name in ("O", "SO", "SO+") and len(group.args) == 2:
        p, q = group.args
        return scipy.sparse.diags(np.r_[np.ones(p), -np.ones(q)], format="coo")
    if group.name == "Sp":
        m = group.args[0]
        ones = np.ones(m)
        return scipy.sparse.coo_matrix((np.r_[ones, -ones], (np.r_[np.arange(m), m + np.arange(m)],
                                                              np.r_[m + np.arange(m), np.arange(m)])),
                                       shape=(2 * m, 2 * m))
    return None


def _orbit_moves(group) -> list | None:
    """The group's discrete generators as (permutation, sign) pairs when it is
    a group of signed permutations, else None."""
    perms = orbit_permutations(group)
    if perms is not None:
        return [(p, np.ones(len(p))) for p in perms]
    lie, disc = generators(group)
    if len(lie):
        return None
    moves = [signed_permutation(h) for h in disc]
    return moves if all(m is not None for m in moves) else None


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _guard(group, atoms, size: int, estimate: float, rung: str) -> None:
    """Refuse, before allocating, a solve that needs more memory than there is."""
    available = _available_bytes() * MEMORY_FRACTION
    if estimate > available:
        raise TooLargeError(f"{_describe(group, atoms)} has size {size}: the {rung} solver would need about "
                            f"{estimate / 2**30:.3g} GiB, and {available / 2**30:.3g} GiB may be used")


def _direct_product_basis(group: DirectProduct, atoms: tuple):
    """(V1⊗V2)^⊗k is V1^⊗k ⊗ V2^⊗k with its axes permuted: the invariants of
    the product group are Kronecker products of each factor's."""
    k = len(atoms)
    parts = [_solve_part(g, tuple(Atom("V", group=g, dual=a.dual) for a in atoms)) for g in group.factors]
    q = reduce(lambda a, b: scipy.sparse.kron(a, b, format="csr"), [p[0] for p in parts])
    dims = [g.d for g in group.factors]
    # axes of an index, position-major (the user's) and factor-major (the solution's)
    order = [j * len(dims) + f for f in range(len(dims)) for j in range(k)]
    factor_major = np.arange(group.d**k).reshape(dims * k).transpose(order).reshape(-1)
    return q[np.argsort(factor_major)].tocsr(), _strategies([p[1] for p in parts]), min(p[1].gap for p in parts)


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


def _zero_level(group, atoms: tuple) -> float:
    """``ZERO_LEVEL``, or for generators known less precisely (a user's, in
    float32) the square of the residual they leave on a product of the atoms."""
    return min(NONZERO_LEVEL / 10, max(ZERO_LEVEL, check.tolerance_for(len(atoms), precision(group)) ** 2))


def _null_space(m: np.ndarray, what: str, scale_floor: float = 0.0, zero_level: float = ZERO_LEVEL):
    """The certified null space of the positive semi-definite matrix m:
    (orthonormal columns, spectral gap): eigenvalues up to ``zero_level``
    of the largest are zero, those above ``NONZERO_LEVEL`` are constraints."""
    if not np.all(np.isfinite(m)):
        raise SolveError(f"the constraints of {what} are not finite")
    size = m.shape[0]
    w, v = scipy.linalg.eigh(m, overwrite_a=True, check_finite=False)
    scale = max(abs(w[-1]), abs(w[0]), scale_floor) if size else 0.0
    if scale == 0.0:
        return np.eye(size, dtype=m.dtype), np.inf
    rank = int(np.sum(w <= zero_level * scale))
    largest_zero = max(w[rank - 1], 0.0) if rank else 0.0
    smallest_nonzero = w[rank] if rank < size else np.inf
    if smallest_nonzero < NONZERO_LEVEL * scale:
        ambiguous = w[(w > zero_level * scale) & (w < NONZERO_LEVEL * scale)] / scale
        shown = ", ".join(f"{x:.2e}" for x in ambiguous[:6]) + (", …" if len(ambiguous) > 6 else "")
        raise SolveError(
            f"no clear spectral gap for {what}: {len(ambiguous)} eigenvalue(s) of the constraint operator, "
            f"relative to its largest, lie between roundoff ({zero_level:.0e}) and a clear constraint "
            f"({NONZERO_LEVEL:.0e}): {shown}; the rank cannot be certified")
    return v[:, :rank], float(smallest_nonzero / max(largest_zero, np.finfo(float).eps * scale))


def _dense_null_space(group, atoms: tuple, lie, disc, size: int):
    if size > MAX_DENSE:
        raise TooLargeError(f"{_describe(group, atoms)} has size {size}, too large for the dense solver "
                            f"({MAX_DENSE} at most): its {size}×{size} constraint operator alone would need "
                            f"{size * size * 8 / 2**30:.3g} GiB")
    dtype = np.complex128 if group.is_complex or np.iscomplexobj(lie) or np.iscomplexobj(disc) else np.float64
    m = np.zeros((size, size), dtype=dtype)
    # the size of the constraints' terms: a null space of roundoff alone is still a null space
    floor = 0.0
    for a in lie:
        mats = [atom_drho(atom, a, xp=np) for atom in atoms]
        floor = max(floor, sum(float(np.abs(x).max(initial=0)) for x in mats) ** 2)
        c = _kronsum(mats)
        m += (c.conj().T @ c).toarray()
    for h in disc:
        mats = [atom_rho(atom, h, xp=np) for atom in atoms]
        floor = max(floor, float(np.prod([np.abs(x).max(initial=0) for x in mats])) ** 2)
        c = _kron(mats) - scipy.sparse.identity(size)
        m += (c.conj().T @ c).toarray()
    # below 1e-6 of the terms' size (squared: 1e-12 in M) a constraint is roundoff
    q, gap = _null_space(m, _describe(group, atoms), scale_floor=ROUNDOFF * floor,
                         zero_level=_zero_level(group, atoms))
    return scipy.sparse.csr_matrix(q), gap


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


def _kron_apply(mats: list, x: np.ndarray) -> np.ndarray:
    """(mats[0] ⊗ mats[1] ⊗ …) @ x for x of shape (N, m), by reshaping."""
    sizes = [m.shape[1] for m in mats]
    t = x.reshape(sizes + [x.shape[1]])
    for axis, m in enumerate(mats):
        t = np.moveaxis(np.tensordot(m, t, axes=(1, axis)), 0, axis)
    return t.reshape(x.shape[0], x.shape[1])


class _Torus:
    """Commuting diagonalizable Lie generators, diagonal in the basis ``s``:
    ``s⁻¹ A s = diag(weights[:, i])`` for the i-th of them."""

    def __init__(self, s: np.ndarray, weights: np.ndarray):
        self.s, self.s_inv, self.weights = s, np.linalg.inv(s), weights

    def basis(self, dual: bool):
        """(eigenvector basis, its inverse, weights) on V, or on V* (-Aᵀ)."""
        if dual:
            return self.s_inv.T, self.s.T, -self.weights
        return self.s, self.s_inv, self.weights


@functools.lru_cache(maxsize=64)
def _torus_of(key: bytes, shape: tuple, dtype: str):
    lie = np.frombuffer(key, dtype=dtype).reshape(shape)
    chosen = []
    # commutators are screened on a random vector (O(d²) a pair), then checked in full
    x = np.random.default_rng(1).normal(size=shape[1])
    stacked, stacked_x, largest = np.zeros((0,) + shape[1:], dtype=lie.dtype), np.zeros((0, shape[1])), 0.0
    for a in lie:
        size = np.abs(a).max()
        if chosen:
            tolerance = 1e-10 * (1 + size * largest) * np.abs(x).sum()
            if np.abs(stacked @ (a @ x) - stacked_x @ a.T).max() > tolerance:
                continue
        if all(np.allclose(a @ b, b @ a, atol=1e-10 * (1 + size * np.abs(b).max())) for b in chosen):
            if _diagonalizable(a):
                chosen.append(a)
                stacked, stacked_x = np.array(chosen), np.array([b @ x for b in chosen])
                largest = max(largest, size)
    if not chosen:
        return None
    h = np.tensordot(np.random.default_rng(0).uniform(1, 2, size=len(chosen)), np.array(chosen), axes=1)
    _, s = np.linalg.eig(h)
    if np.linalg.cond(s) > 1e8:
        return None
    s_inv = np.linalg.inv(s)
    diagonal = [s_inv @ a @ s for a in chosen]
    if any(np.abs(m - np.diag(np.diag(m))).max() > 1e-9 * (1 + np.abs(m).max()) for m in diagonal):
        return None
    return _Torus(s, np.array([np.diag(m) for m in diagonal]).T)


def _diagonalizable(a: np.ndarray) -> bool:
    if np.allclose(a @ a.conj().T, a.conj().T @ a, atol=1e-12 * (1 + np.abs(a).max() ** 2)):
        return True  # a normal matrix is unitarily diagonalizable
    values, vectors = np.linalg.eig(a)
    return np.linalg.cond(vectors) < 1e8 and np.allclose(vectors @ np.diag(values) @ np.linalg.inv(vectors), a,
                                                         atol=1e-9 * (1 + np.abs(a).max()))


def _torus(lie: np.ndarray):
    lie = np.ascontiguousarray(lie)
    return _torus_of(lie.tobytes(), lie.shape, lie.dtype.str)


def _lie_basis(group, atoms: tuple, lie, disc, torus: _Torus, size: int):
    """Invariants of a tensor product of V and V* for a Lie group, by the
    weights rung, or by the matrix-free filter when the zero-weight space is
    large and the constraint operator is central; then cut down by the
    discrete generators. Returns (basis, gap, strategy)."""
    zero = _zero_weights(group, atoms, torus, size)
    if len(zero) > WEIGHTS_LIMIT:
        what = _describe(group, atoms)
        _guard(group, atoms, size, 64.0 * size * max(32, len(zero) // 8), "filter")
        dtype = np.complex128 if group.is_complex else np.float64
        generators_by_factor = [[atom_drho(a, x, xp=np) for a in atoms] for x in filter.central_basis(lie)]
        found = filter.null_space(generators_by_factor, size, block=max(32, len(zero) // 16), dtype=dtype,
                                  max_bytes=_available_bytes() * MEMORY_FRACTION,
                                  zero_level=_zero_level(group, atoms))
        if found is not None:
            q, gap = found
            q = _orthonormal(q, real=not group.is_complex, what=what) if q.shape[1] else q
            if len(disc) and q.shape[1]:
                q, discrete_gap = _discrete_cut(q, group, atoms, disc, what)
                gap = min(gap, discrete_gap)
            return scipy.sparse.csr_matrix(q), gap, "filter"
    q, gap = _weight_basis(group, atoms, lie, disc, torus, size, zero)
    return q, gap, "weights"


def _zero_weights(group, atoms: tuple, torus: _Torus, size: int) -> np.ndarray:
    """The index tuples of weight zero for the torus, in the eigenvector basis."""
    d, k = group.d, len(atoms)
    rank = torus.weights.shape[1]
    _guard(group, atoms, size, size * (16 * rank + 24), "weights")
    total = np.zeros((size, rank), dtype=complex)
    index = np.arange(size)
    place = d ** (k - 1)
    for atom in atoms:  # the weight of an index tuple sums its entries' weights
        total += torus.basis(atom.dual)[2][(index // place) % d]
        place //= d
    scale = 1 + np.abs(torus.weights).max() * k
    return np.flatnonzero(np.all(np.abs(total) < 1e-8 * scale, axis=1))


def _weight_basis(group, atoms: tuple, lie, disc, torus: _Torus, size: int, zero: np.ndarray):
    """Invariants of a tensor product of V and V* for a Lie group: solved in
    the zero-weight space of a torus, then cut down by the discrete generators."""
    if not len(zero):  # an invariant has weight zero: there is none
        return scipy.sparse.csr_matrix((size, 0)), np.inf
    what = _describe(group, atoms)
    d, k = group.d, len(atoms)
    bases = [torus.basis(a.dual) for a in atoms]
    digits = [(zero // d ** (k - 1 - j)) % d for j in range(k)]
    n0 = len(zero)
    _guard(group, atoms, size, 48.0 * n0 * n0 + 64.0 * size * min(n0, 64), "weights")
    # the Lie constraints on the zero-weight space, in the eigenvector basis
    m = np.zeros((n0, n0), dtype=complex)
    columns = np.arange(n0)
    for a in lie:
        rows, cols, values = [], [], []
        tildes = {dual: _similar(torus.basis(dual)[1], -a.T if dual else a, torus.basis(dual)[0])
                  for dual in {atom.dual for atom in atoms}}
        for j in range(k):
            tilde = tildes[atoms[j].dual]
            digit = digits[j]
            stride = d ** (k - 1 - j)
            value = tilde[:, digit]  # row b: the entry that moves digit j of each zero-weight tuple to b
            keep = np.abs(value) > 1e-14 * (1 + np.abs(tilde).max())
            moved = zero[None, :] + (np.arange(d)[:, None] - digit[None, :]) * stride
            rows.append(moved[keep])
            cols.append(np.broadcast_to(columns, value.shape)[keep])
            values.append(value[keep])
        c = scipy.sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                                    shape=(size, n0))
        m += (c.conj().T @ c).toarray()
    y, gap = _null_space(m, what, zero_level=_zero_level(group, atoms))
    # back to the user's basis: v = (⊗ s) y, made real for real groups, orthonormal
    full = np.zeros((size, y.shape[1]), dtype=complex)
    full[zero] = y
    v = _kron_apply([b[0] for b in bases], full)
    q = _orthonormal(v, real=not group.is_complex, what=what)
    if len(disc) and q.shape[1]:
        q, discrete_gap = _discrete_cut(q, group, atoms, disc, what)
        gap = min(gap, discrete_gap)
    return scipy.sparse.csr_matrix(q), gap


def _similar(s_inv: np.ndarray, a: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``s_inv @ a @ s``, in O(nnz(a)·d²) when ``a`` is sparse (as the Lie
    generators of the classical groups are, two entries each)."""
    rows, cols = np.nonzero(a)
    if len(rows) >= a.shape[0]:
        return s_inv @ a @ s
    return (s_inv[:, rows] * a[rows, cols]) @ s[cols, :]


def _orthonormal(v: np.ndarray, real: bool, what: str) -> np.ndarray:
    """An orthonormal basis of the span of v's columns (real when the span is
    closed under conjugation, as for a real group)."""
    r = v.shape[1]
    if r == 0:
        return np.zeros((v.shape[0], 0))
    stacked = np.concatenate([v.real, v.imag], axis=1) if real else v
    fast = _orthonormal_by_gram(stacked, r)
    if fast is not None:
        return fast
    u, sigma, _ = np.linalg.svd(stacked, full_matrices=False)
    if sigma[r - 1] < 1e-8 * sigma[0] or (len(sigma) > r and sigma[r] > 1e-8 * sigma[0]):
        raise SolveError(f"the solutions of {what} do not span a clean {r}-dimensional space "
                         f"(singular values {sigma[r - 1]:.2e}, {sigma[r] if len(sigma) > r else 0:.2e})")
    return u[:, :r]


def _orthonormal_by_gram(stacked: np.ndarray, r: int) -> np.ndarray | None:
    """``_orthonormal``'s answer from the small Gram matrix, several times
    quicker than an SVD of the tall ``stacked`` (14 s → 4 s at 6561 × 2214);
    None unless the span is well conditioned and the answer is checked: the
    columns of ``stacked`` lie within 1e-8 of its span, as the SVD demands,
    and it is orthonormal to 1e-10."""
    gram = stacked.conj().T @ stacked
    lam, w = scipy.linalg.eigh(gram)
    lam, w = lam[::-1], w[:, ::-1]
    if lam[0] <= 0 or lam[r - 1] < 1e-6 * lam[0]:
        return None
    q = stacked @ (w[:, :r] / np.sqrt(lam[:r]))
    inner = q.conj().T @ q
    if np.abs(inner - np.eye(r)).max() > 1e-10:
        return None
    residual = stacked - q @ (q.conj().T @ stacked)
    if np.linalg.norm(residual) > 1e-8 * np.sqrt(lam[0]):
        return None
    return q


def _discrete_cut(q: np.ndarray, group, atoms: tuple, disc, what: str):
    """The vectors of span(q) that the discrete generators fix."""
    m = np.zeros((q.shape[1], q.shape[1]), dtype=q.dtype if np.iscomplexobj(q) else np.result_type(q, disc))
    for h in disc:
        z = _kron_apply([atom_rho(a, h, xp=np) for a in atoms], q) - q
        m += z.conj().T @ z
    if np.isrealobj(q) and np.iscomplexobj(m):
        m = m.real
    y, gap = _null_space(m, what, scale_floor=1.0, zero_level=_zero_level(group, atoms))
    return q @ y, gap
