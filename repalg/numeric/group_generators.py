"""Groups in numbers: the Lie algebra and discrete generators of each group's
base representation (samples of group elements: ``sampling.py``).

The built-in groups follow emlp's conventions exactly (the same generators,
in the same order), so that bases can be compared with emlp's. A permutation
generator ``perm`` is the matrix ``P`` with ``P @ v == v[perm]``.

>>> from repalg.groups import SO, S
>>> lie_algebra(SO(3)).shape, discrete_generators(S(4)).shape
((3, 3, 3), (3, 4, 4))
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

import numpy as np

from ..symbolic.group_descriptors import DirectProduct, Embedded, GroupBase, NamedGroup
from .errors import TooLargeError
from .linear_operators import to_matrix

Generators = tuple  # (lie_algebra (k, d, d), discrete_generators (m, d, d))


class Group(GroupBase):
    """A matrix group given by the generators of its base representation, as
    emlp's users define groups: either by keyword,

    >>> import numpy as np
    >>> flip = Group(discrete_generators=[np.diag([-1.0, 1.0])], name="Flip")
    >>> flip.d, flip.is_orthogonal, str(flip)
    (2, True, 'Flip')

    or as a subclass that sets ``lie_algebra`` / ``discrete_generators`` (and
    ``d`` where there are none) before calling ``super().__init__(*args)``:

    >>> class Rot(Group):
    ...     def __init__(self, k):
    ...         t = 2 * np.pi / k
    ...         self.discrete_generators = [[[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]]
    ...         super().__init__(k)
    >>> str(Rot(4)), Rot(4) == Rot(4)
    ('Rot(4)', True)

    Properties (orthogonal, permutation, compact, complex) are read off the
    generators; two groups are equal when their names, arguments and
    generators are. Register one by name to use it in text:
    ``repalg.register_group("Flip", flip)``.
    """

    lie_algebra = None
    discrete_generators = None
    d = None
    z_scale = None

    def __init__(self, *args, lie_algebra=None, discrete_generators=None, d=None, name=None):
        if lie_algebra is not None:
            self.lie_algebra = lie_algebra
        if discrete_generators is not None:
            self.discrete_generators = discrete_generators
        if d is not None:
            self.d = d
        self.args = args
        self.name = name or type(self).__name__
        dims = {np.shape(m)[-1] for m in _as_list(self.lie_algebra) + _as_list(self.discrete_generators)}
        if self.d is not None:
            dims.add(self.d)
        if len(dims) != 1:
            raise ValueError(f"the group {self.name}: its generators must all be d×d for one d "
                             f"(give d= when it has none), got sizes {sorted(dims)}")
        self.d = int(dims.pop())
        if self.d < 1:
            raise ValueError(f"the group {self.name} must act on at least one dimension")
        given = _as_list(self.lie_algebra) + _as_list(self.discrete_generators)
        self.lie_algebra = _stack(self.lie_algebra, self.d, f"{self.name}: lie_algebra")
        self.discrete_generators = _stack(self.discrete_generators, self.d, f"{self.name}: discrete_generators")
        self.precision = _precision(given, self.lie_algebra, self.discrete_generators)
        self.lie_algebra.flags.writeable = False
        self.discrete_generators.flags.writeable = False
        lie, disc = self.lie_algebra, self.discrete_generators
        self.is_complex = bool(np.iscomplexobj(lie) or np.iscomplexobj(disc))
        unitary = (np.allclose(np.swapaxes(lie.conj(), 1, 2), -lie)
                   and np.allclose(np.swapaxes(disc.conj(), 1, 2) @ disc, np.eye(self.d)))
        self.is_orthogonal = unitary and not self.is_complex
        self.is_compact = unitary
        self.is_discrete = len(lie) == 0
        self.is_permutation = self.is_discrete and all(_is_permutation(h) for h in disc)
        digest = hashlib.sha256()
        for array in (lie, disc):
            digest.update(np.ascontiguousarray(array).tobytes())
        self._key = (type(self).__name__, self.name, args, digest.hexdigest())

    def __eq__(self, other):
        return isinstance(other, Group) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __str__(self) -> str:
        if not self.args:
            return self.name
        return f"{self.name}({','.join(str(a) for a in self.args)})"

    def digest(self) -> str:
        return self._key[-1]


def _as_list(generators) -> list:
    """The generators as matrices; a linear operator (emlp's ``LazyPerm``) is
    read through its ``to_dense()`` or ``@``."""
    if generators is None:
        return []
    return [to_matrix(m, np) for m in generators]


def _stack(generators, d: int, what: str) -> np.ndarray:
    items = [np.asarray(m) for m in _as_list(generators)]
    for m in items:
        if m.shape != (d, d):
            raise ValueError(f"{what}: each generator must be a {d}×{d} matrix, got shape {m.shape}")
    dtype = np.complex128 if any(np.iscomplexobj(m) for m in items) else np.float64
    return np.array(items, dtype=dtype).reshape(len(items), d, d)


def _precision(given: list, lie: np.ndarray, disc: np.ndarray) -> float:
    """The relative accuracy of generators given by a user: the machine
    epsilon of the least precise array (exact integers aside), or the
    defect of generators that are meant to be orthogonal or antisymmetric
    (a rotation computed in float32 and handed over as float64 is
    orthogonal only to about 1e-7); float64's epsilon at best."""
    found = np.finfo(np.float64).eps
    for m in given:
        m = np.asarray(m)
        if np.issubdtype(m.dtype, np.inexact) and not np.array_equal(m, np.round(m)):
            found = max(found, float(np.finfo(m.dtype).eps))
    d = lie.shape[-1] if lie.size else disc.shape[-1] if disc.size else 0
    for h in disc:
        defect = float(np.abs(h.conj().T @ h - np.eye(d)).max())
        if defect < 1e-3:
            found = max(found, defect / 2)
    for a in lie:
        size = float(np.abs(a).max())
        defect = float(np.abs(a + a.conj().T).max()) / size if size else 0.0
        if defect < 1e-3:
            found = max(found, defect / 2)
    return found


def precision(group: GroupBase) -> float:
    """The relative accuracy of ``group``'s generators: float64's epsilon for
    repalg's own groups, what ``Group`` measured for a user's.

    >>> import numpy as np
    >>> t = np.float32(2 * np.pi / 5)
    >>> rotation = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    >>> precision(Group(discrete_generators=[rotation])) > 1e-8
    True
    """
    if isinstance(group, Group):
        return getattr(group, "precision", np.finfo(np.float64).eps)
    if isinstance(group, DirectProduct):
        return max(precision(g) for g in group.factors)
    if isinstance(group, Embedded):
        return precision(group.base)
    return float(np.finfo(np.float64).eps)


def _is_permutation(h: np.ndarray) -> bool:
    return bool(np.isrealobj(h) and np.all((h == 0) | (h == 1)) and np.all(h.sum(0) == 1) and np.all(h.sum(1) == 1))


def signed_permutation(h: np.ndarray):
    """``(perm, sign)`` with ``h @ v == sign * v[perm]``, or None if ``h`` is
    not a signed permutation matrix.

    >>> signed_permutation(np.array([[0., -1.], [1., 0.]]))
    (array([1, 0]), array([-1.,  1.]))
    """
    if np.iscomplexobj(h):
        return None
    nonzero = np.abs(h) > 1e-12  # cos(pi/2) is 6e-17, not 0
    if not (np.all(nonzero.sum(0) == 1) and np.all(nonzero.sum(1) == 1)
            and np.allclose(np.abs(h[nonzero]), 1, rtol=0, atol=1e-12)):
        return None
    perm = np.argmax(nonzero, axis=1)
    return perm, np.sign(h[np.arange(len(h)), perm])


# -- emlp's built-in groups -----------------------------------------------------

def _permutation_matrix(perm) -> np.ndarray:
    perm = np.asarray(perm)
    return np.eye(len(perm))[perm]


def _no_generators(d: int) -> np.ndarray:
    return np.zeros((0, d, d))


def _so(n: int) -> np.ndarray:
    lie = np.zeros((n * (n - 1) // 2, n, n))
    k = 0
    for i in range(n):
        for j in range(i):
            lie[k, i, j], lie[k, j, i] = 1, -1
            k += 1
    return lie


def _reflection(n: int) -> np.ndarray:
    h = np.eye(n)
    h[0, 0] = -1
    return h[None]


def _rotation(k: int) -> np.ndarray:
    t = 2 * np.pi / k
    return np.array([[[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]]])


def _lorentz_boosts_and_rotations(p: int, q: int) -> np.ndarray:
    """so(p,q) with the time-like coordinates first: boosts between a time and a
    space axis (symmetric), then rotations within each block (antisymmetric).
    For (1,3) this is emlp's SO13p: three boosts, then SO(3)'s generators."""
    n = p + q
    boosts = []
    for t in range(p):
        for x in range(p, n):
            b = np.zeros((n, n))
            b[x, t] = b[t, x] = 1
            boosts.append(b)
    rotations = []
    for offset, m in ((0, p), (p, q)):
        for a in _so(m):
            r = np.zeros((n, n))
            r[offset:offset + m, offset:offset + m] = a
            rotations.append(r)
    return np.array(boosts + rotations).reshape(-1, n, n)


def _indefinite(name: str, p: int, q: int) -> Generators:
    return _lorentz_boosts_and_rotations(p, q), _indefinite_discrete(name, p, q)


def _indefinite_discrete(name: str, p: int, q: int) -> np.ndarray:
    n = p + q
    if name == "SO+":
        return _no_generators(n)
    if name == "SO":  # emlp's SO13: -I joins the identity component
        return -np.eye(n)[None]
    # O(p,q): emlp's O13 uses -I and the time reversal diag(-1, 1, ..., 1)
    time_reversal = np.eye(n)
    time_reversal[0, 0] = -1
    return np.stack([-np.eye(n), time_reversal])


def classical_probe(group) -> Generators | None:
    """For a classical group: one fixed random element of its Lie algebra,
    built directly from the algebra's defining equations (``Xᵀη + ηX = 0``,
    ``JS`` with S symmetric, anti-Hermitian, traceless), and its discrete
    generators; what checks a basis when the d² generators are too many to
    hold (``SO(100)``, ``Sp(50)``). None for other groups.

    >>> from repalg.groups import Sp
    >>> X = classical_probe(Sp(2))[0][0]
    >>> J = np.block([[np.zeros((2, 2)), np.eye(2)], [-np.eye(2), np.zeros((2, 2))]])
    >>> bool(np.allclose(X.T @ J + J @ X, 0))
    True
    """
    if not (isinstance(group, NamedGroup) and group.name in ("SO", "O", "SO+", "Sp", "SU", "U", "SL", "GL")):
        return None
    name, args, d = group.name, group.args, group.d
    rng = np.random.default_rng(1)
    m = rng.standard_normal((d, d))
    if name in ("SO", "O") and len(args) == 1:
        return (m - m.T)[None], (_reflection(d) if name == "O" else _no_generators(d))
    if name in ("SO", "O", "SO+") and len(args) == 2:
        eta = np.diag(np.r_[np.ones(args[0]), -np.ones(args[1])])
        return (eta @ (m - m.T))[None], _indefinite_discrete(name, *args)
    if name == "Sp":
        half = d // 2
        j = np.block([[np.zeros((half, half)), np.eye(half)], [-np.eye(half), np.zeros((half, half))]])
        return (j @ (m + m.T))[None], _no_generators(d)
    if name in ("SU", "U"):
        c = m + 1j * rng.standard_normal((d, d))
        x = c - c.conj().T
        if name == "SU":
            x -= np.trace(x) / d * np.eye(d)
        return x[None], _no_generators(d).astype(complex)
    if name in ("SL", "GL"):
        return (m - np.trace(m) / d * np.eye(d) if name == "SL" else m)[None], _no_generators(d)
    return None


def _sp(m: int) -> np.ndarray:
    lie = np.zeros((m * (2 * m + 1), 2 * m, 2 * m))
    k = 0
    for i in range(m):
        for j in range(m):
            lie[k, i, j], lie[k, m + j, m + i] = 1, -1
            k += 1
    for i in range(m):
        for j in range(i + 1):
            lie[k, m + i, j] = lie[k, m + j, i] = 1
            k += 1
            lie[k, i, m + j] = lie[k, j, m + i] = 1
            k += 1
    return lie


def _unitary(n: int, special: bool) -> np.ndarray:
    size = n * n - 1 if special else n * n
    real, imag = np.zeros((size, n, n)), np.zeros((size, n, n))
    k = 0
    for i in range(n):
        for j in range(i):
            real[k, i, j], real[k, j, i] = 1, -1
            k += 1
            imag[k, i, j] = imag[k, j, i] = 1
            k += 1
    for i in range(n - 1 if special else n):
        imag[k, i, i] = 1
        if special:
            for j in range(n):
                if j != i:
                    imag[k, j, j] = -1 / (n - 1)
        k += 1
    return real + 1j * imag


def _sl(n: int, general: bool) -> np.ndarray:
    lie = []
    for i in range(n):
        for j in range(n):
            if general or i != j:
                e = np.zeros((n, n))
                e[i, j] = 1
                lie.append(e)
    if not general:
        for i in range(n - 1):
            e = np.zeros((n, n))
            e[i, i], e[-1, -1] = 1, -1
            lie.append(e)
    return np.array(lie).reshape(-1, n, n)


def _transpositions(n: int) -> list:
    """emlp's S(n): the transpositions (0 i) for i = 1..n-1, as permutations."""
    perms = []
    for i in range(1, n):
        perm = np.arange(n)
        perm[0], perm[i] = i, 0
        perms.append(perm)
    return perms


# The cube's faces and the Rubik's cube's facets, labelled as in emlp.
_CUBE_TURNS = ([4, 1, 0, 3, 5, 2], [3, 0, 2, 5, 4, 1])


def _rubiks_cube() -> np.ndarray:
    """Quarter turns of the six faces, permuting the 48 facets that move.

    Faces are numbered U, F, R, B, L, D (the net of the cube); each face's
    nine facets are read row by row, and the centre (index 4), which never
    moves, is left out of the labelling."""

    def padded(labels):
        grid = np.zeros((6, 9), dtype=int)
        grid[:, :4], grid[:, 5:] = labels.reshape(6, 8)[:, :4], labels.reshape(6, 8)[:, 4:]
        return grid

    def unpadded(grid):
        return np.concatenate([grid[:, :4], grid[:, 5:]], axis=1).reshape(-1)

    def cycle_faces(faces):
        grid = padded(np.arange(48))
        grid[faces] = grid[np.roll(faces, 1)]
        return unpadded(grid)

    grid = padded(np.arange(48))
    grid[0] = np.rot90(grid[0].reshape(3, 3), 1).reshape(9)  # the up face turns
    side = np.array([1, 2, 3, 4])  # F, R, B, L: their top rows follow
    grid[side, :3] = grid[np.roll(side, 1), :3]
    up = unpadded(grid)
    front = cycle_faces(np.array([0, 2, 5, 4]))  # whole-cube rotations
    back = np.argsort(front)
    left = cycle_faces(np.array([0, 1, 5, 3]))
    right = np.argsort(left)
    turns = [
        up,
        right[up[left]],
        back[up[front]],
        left[up[right]],
        front[up[back]],
        right[right[up[left[left]]]],
    ]
    return np.array(turns)


def _zk_zn_zn(k: int, n: int) -> list:
    """Shifts of the n×n grid along each axis, and a rotation of the grid
    together with a shift of the k copies, as permutations."""
    grid = np.arange(k * n * n).reshape(k, n, n)
    return [np.roll(grid, 1, axis=1).reshape(-1), np.roll(grid, 1, axis=2).reshape(-1),
            np.roll(np.rot90(grid, 4 // k, axes=(1, 2)), 1, axis=0).reshape(-1)]


# Permutation groups, by their generators as permutations: P @ v == v[perm]
_PERMUTATIONS: dict[str, Callable[..., list]] = {
    "Z": lambda n: [np.roll(np.arange(n), 1)],
    "S": _transpositions,
    "Cube": lambda: [np.array(p) for p in _CUBE_TURNS],
    "RubiksCube": lambda: list(_rubiks_cube()),
    "ZksZnxZn": _zk_zn_zn,
    "Trivial": lambda n: [],
}


def orbit_permutations(group: GroupBase) -> list | None:
    """Permutations that generate the same group as ``permutations(group)``,
    as few as known: orbits depend only on the group, so S(n) needs only a
    transposition and an n-cycle, not emlp's n-1 transpositions.

    >>> from repalg.groups import S
    >>> len(orbit_permutations(S(100)))
    2
    """
    if isinstance(group, NamedGroup) and group.name == "S" and group.args[0] > 2:
        n = group.args[0]
        swap = np.arange(n)
        swap[:2] = [1, 0]
        return [swap, np.roll(np.arange(n), 1)]
    return permutations(group)


def permutations(group: GroupBase) -> list | None:
    """The discrete generators of a built-in permutation group as permutations
    (``h @ v == v[perm]``), without forming any matrix; None for other groups.

    >>> from repalg.groups import S
    >>> [p.tolist() for p in permutations(S(3))]
    [[1, 0, 2], [2, 1, 0]]
    """
    if isinstance(group, NamedGroup) and group.name in _PERMUTATIONS:
        return [np.asarray(p) for p in _PERMUTATIONS[group.name](*group.args)]
    return None


_BUILTIN: dict[str, Callable[..., Generators]] = {
    "SO": lambda *a: _indefinite("SO", *a) if len(a) == 2 else (_so(a[0]), _no_generators(a[0])),
    "O": lambda *a: _indefinite("O", *a) if len(a) == 2 else (_so(a[0]), _reflection(a[0])),
    "SO+": lambda p, q: _indefinite("SO+", p, q),
    "Sp": lambda m: (_sp(m), _no_generators(2 * m)),
    "SU": lambda n: (_unitary(n, special=True), _no_generators(n).astype(complex)),
    "U": lambda n: (_unitary(n, special=False), _no_generators(n).astype(complex)),
    "SL": lambda n: (_sl(n, general=False), _no_generators(n)),
    "GL": lambda n: (_sl(n, general=True), _no_generators(n)),
    "C": lambda k: (_no_generators(2), _rotation(k)),
    "D": lambda k: (_no_generators(2), np.concatenate([_rotation(k), np.array([[[-1.0, 0], [0, 1]]])])),

    "Scaling": lambda n: (np.eye(n)[None], _no_generators(n)),
}

@functools.lru_cache(maxsize=256)
def generators(group: GroupBase) -> Generators:
    """``(lie_algebra, discrete_generators)`` of ``group``, read-only arrays.

    >>> from repalg.groups import O2eR3
    >>> [g.shape for g in generators(O2eR3())]
    [(1, 3, 3), (1, 3, 3)]
    """
    if isinstance(group, Group):
        return group.lie_algebra, group.discrete_generators
    if isinstance(group, NamedGroup) and group.name in _PERMUTATIONS:
        perms = permutations(group)
        needed = 8.0 * len(perms) * group.d**2
        if needed > 2**31:
            raise ValueError(f"the {len(perms)} generators of {group} as dense {group.d}×{group.d} matrices "
                             f"would need {needed / 2**30:.3g} GiB; repalg solves with its permutations instead")
        lie, disc = _no_generators(group.d), np.array([_permutation_matrix(p) for p in perms])
        disc = disc.reshape(len(perms), group.d, group.d)
    elif isinstance(group, NamedGroup):
        if group.name not in _BUILTIN:
            raise ValueError(f"no generators are known for the group {group}: define it with "
                             f"repalg.Group(lie_algebra=..., discrete_generators=...) to solve with it")
        _refuse_large_lie_algebra(group)
        lie, disc = _BUILTIN[group.name](*group.args)
    elif isinstance(group, Embedded):
        lie, disc = _embedded(group)
    elif isinstance(group, DirectProduct):
        lie, disc = _direct_product(group)
    else:
        raise TypeError(f"not a group: {group!r}")
    lie, disc = np.array(lie), np.array(disc)
    lie.flags.writeable = disc.flags.writeable = False
    return lie, disc


MAX_LIE_BYTES = 2**28
"""The largest Lie algebra of a built-in group held as dense d×d generators
(256 MiB: SO(n) up to n = 90, SU(n) up to n = 63); solving with more would
take minutes."""


def _refuse_large_lie_algebra(group: NamedGroup) -> None:
    d, name = group.d, group.name
    count = {"SO": d * (d - 1) // 2, "O": d * (d - 1) // 2, "SO+": d * (d - 1) // 2, "Sp": d * (d + 1) // 2,
             "SU": d * d - 1, "U": d * d, "SL": d * d - 1, "GL": d * d}.get(name, 0)
    needed = count * d * d * (16 if name in ("SU", "U") else 8)
    if needed > MAX_LIE_BYTES:
        raise TooLargeError(f"the Lie algebra of {group} has {count} generators: as dense {d}×{d} matrices they "
                            f"would need {needed / 2**30:.3g} GiB (repalg holds at most "
                            f"{MAX_LIE_BYTES / 2**30:.3g} GiB), and solving with them would take too long")


def _embedded(group: Embedded) -> Generators:
    lie0, disc0 = generators(group.base)
    d, n = group.base.d, group.n
    lie = np.zeros((len(lie0), n, n), dtype=lie0.dtype)
    lie[:, :d, :d] = lie0
    disc = np.tile(np.eye(n, dtype=disc0.dtype), (len(disc0), 1, 1))
    disc[:, :d, :d] = disc0
    return lie, disc


def _direct_product(group: DirectProduct) -> Generators:
    """Generators acting on the Kronecker product of the factors' spaces."""
    dims = [g.d for g in group.factors]
    lie, disc = [], []
    for i, factor in enumerate(group.factors):
        left, right = np.eye(int(np.prod(dims[:i]))), np.eye(int(np.prod(dims[i + 1:])))
        fl, fd = generators(factor)
        lie += [np.kron(np.kron(left, a), right) for a in fl]
        disc += [np.kron(np.kron(left, h), right) for h in fd]
    d = group.d
    dtype = np.complex128 if group.is_complex else np.float64
    return np.array(lie, dtype=dtype).reshape(-1, d, d), np.array(disc, dtype=dtype).reshape(-1, d, d)


def lie_algebra(group: GroupBase) -> np.ndarray:
    """The Lie algebra generators of the base representation, (k, d, d)."""
    return generators(group)[0]


def discrete_generators(group: GroupBase) -> np.ndarray:
    """The discrete generators of the base representation, (m, d, d)."""
    return generators(group)[1]
