"""Solving the equivariance constraints: the strategy ladder, which tries
its rungs (``rungs/``, one file each) cheapest first.

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
   is too large, the matrix-free filter takes over;
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

import hashlib
import time
from dataclasses import replace
from functools import reduce

import jax
import numpy as np
import scipy.sparse

from ..symbolic.constructors import direct_sum, multiplicity, tensor
from ..symbolic.nodes import Atom, Rep, Scalar
from ..symbolic.group_descriptors import DirectProduct, Embedded
from ..symbolic.decompose import is_irrep
from . import cache, check, irreps, spectral_gap
from .basis import Basis, Projector, SolveInfo
from .errors import SolveError, TooLargeError
from .group_generators import generators, permutations
from .memory import fits, gib, guard, usable_bytes
from .rank_expectations import expected
from .rungs import clebsch_gordan, dense, invariant_theory, matrix_free, orbit, weights
from .subproblem import describe, monomial_atoms

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


def equivariant_basis(rep: Rep) -> Basis:
    """The orthonormal basis of ``{v : rho(g) v = v for all g}`` in ``rep``'s
    coordinates (see ``Rep.equivariant_basis``). Solved eagerly even when
    asked for inside a JAX trace (a model's layers are built inside
    ``jit(init)``), so that users' ``rho`` functions in ``jax.numpy`` give
    numbers, not tracers."""
    with jax.ensure_compile_time_eval():
        return _equivariant_basis(rep)


def _equivariant_basis(rep: Rep) -> Basis:
    start = time.perf_counter()
    unbound = [a for a in rep.atoms() if a.group is None]
    if unbound:
        raise ValueError(f"{rep!r} has atoms bound to no group: bind one first, as in rep(SO(3))")
    size = rep.size()
    if not fits(24 * size):  # the layout and one column, at least
        raise TooLargeError(f"{rep!r} has size {size}: even its layout would need {gib(24 * size)}, and "
                            f"{gib(usable_bytes())} may be used")
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


_SCALAR_CHECKS = ("characters", "equivariance", "orthonormality")
"""The scalar's one invariant, 1, passes every check by inspection."""


def _solve_monomial(monomial: Rep):
    if monomial == Scalar:
        return scipy.sparse.csr_matrix(np.ones((1, 1))), SolveInfo("trivial", 0.0, np.inf, 1, 1, _SCALAR_CHECKS)
    atoms = monomial_atoms(monomial)
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
    settings = {"MAX_DENSE": dense.MAX_DENSE, "ROUNDOFF": spectral_gap.ROUNDOFF,
                "ZERO_LEVEL": spectral_gap.ZERO_LEVEL, "NONZERO_LEVEL": spectral_gap.NONZERO_LEVEL,
                "WEIGHTS_LIMIT": WEIGHTS_LIMIT, "ISOTYPIC": ISOTYPIC, "BRAUER_FROM": BRAUER_FROM,
                "BRAUER_LIMIT": BRAUER_LIMIT, "BRAUER_WORK": BRAUER_WORK}
    return ",".join(f"{name}={value}" for name, value in settings.items())


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
            checked = check.verify(group, atoms, q, "cached", expected(group, atoms))
        except SolveError as failure:
            cache.discard(disk_key, f"{describe(atoms)}: {failure}")
        else:
            result = (q, SolveInfo("cache", time.perf_counter() - start, gap, q.shape[1], q.shape[0], checked))
    if result is None:
        start = time.perf_counter()
        size = int(np.prod([a.size() for a in atoms]))
        prediction = expected(group, atoms)
        if prediction is not None and prediction[0] == 0:  # exact counts: nothing to solve for
            q = scipy.sparse.csr_matrix((size, 0), dtype=complex if group.is_complex else float)
            strategy, gap = prediction[1].replace(" ", "-"), np.inf
        elif (known := invariant_theory.stable_basis(group, atoms, size)) is not None:
            q, strategy, gap = known, "invariant-theory", np.inf
        else:
            q, strategy, gap = _solve_fresh(group, atoms, size)
        checked = check.verify(group, atoms, q, strategy, prediction)
        result = (q, SolveInfo(strategy, time.perf_counter() - start, gap, q.shape[1], size, checked))
        if disk_key is not None and result[1].seconds >= STORE_FROM:
            cache.store(disk_key, q, strategy, gap)
    cache.put(key, result)
    return result


def _solve_fresh(group, atoms: tuple, size: int):
    """(basis, strategy, gap) from the first rung of the ladder that applies."""
    base = all(a.dim is None for a in atoms)
    if isinstance(group, Embedded) and all(a.dim is None or is_irrep(a) for a in atoms):
        return _embedded_basis(group, atoms)
    ls = clebsch_gordan.rotation_degrees(group, atoms) if ISOTYPIC else None
    if ls is not None:
        return clebsch_gordan.isotypic_basis(group, atoms, ls), "isotypic", np.inf
    duals = invariant_theory.brauer_duals(group, atoms, size, BRAUER_FROM, BRAUER_LIMIT, BRAUER_WORK)
    if duals is not None:
        q, gap = _brauer_basis(group, atoms, duals, size)
        return q, "invariant-theory", gap
    if base and isinstance(group, DirectProduct):
        return _direct_product_basis(group, atoms)
    moves = orbit.orbit_moves(group) if base else None
    if moves == []:
        return scipy.sparse.identity(size, format="csr"), "trivial", np.inf
    if moves is not None:
        guard(group, atoms, size, 40 * size * (1 + len(moves)), "orbit")
        return orbit.orbit_basis(group.d, len(atoms), moves), "orbit", np.inf
    lie, disc = generators(group)
    if len(lie) == 0 and len(disc) == 0:
        return scipy.sparse.identity(size, format="csr"), "trivial", np.inf
    torus = weights.torus(lie) if base and len(lie) else None
    if torus is not None:
        q, gap, strategy = _lie_basis(group, atoms, lie, disc, torus, size)
        return q, strategy, gap
    guard(group, atoms, size, 24 * size * size, "dense")
    q, gap = dense.dense_null_space(group, atoms, lie, disc, size)
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


def _brauer_basis(group, atoms: tuple, duals: tuple, size: int):
    """Invariants from the Brauer pairings of the group's own invariant form
    (``rungs/invariant_theory.py``), that form solved (and kept) first."""
    dual = Atom("V", group=group, dual=True)
    form, _ = _solve_part(group, (dual, dual))
    return invariant_theory.pairing_basis(group, atoms, duals, size, form)


def _lie_basis(group, atoms: tuple, lie, disc, torus: weights.Torus, size: int):
    """Invariants of a tensor product of V and V* for a Lie group, by the
    weights rung, or by the matrix-free filter when the zero-weight space is
    large and the constraint operator is central; then cut down by the
    discrete generators. Returns (basis, gap, strategy)."""
    zero = weights.zero_weights(group, atoms, torus, size)
    if len(zero) > WEIGHTS_LIMIT:
        found = matrix_free.invariants(group, atoms, lie, disc, size, len(zero))
        if found is not None:
            return found[0], found[1], "filter"
    q, gap = weights.weight_basis(group, atoms, lie, disc, torus, size, zero)
    return q, gap, "weights"


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
