"""The dense rung: the null space of the constraint operator
``M = Σ Cᴴ C`` (C = ``drho(A)`` for Lie generators, ``rho(h) - I`` for
discrete ones) from a float64 eigendecomposition, its rank certified by a
spectral gap (``spectral_gap.py``). It takes any group, up to ``MAX_DENSE``
coordinates, and gives ``check.py`` its second count.

>>> from repalg import parse
>>> from repalg.numeric.group_generators import generators
>>> from repalg.numeric.subproblem import monomial_atoms
>>> rep = parse("T(2)(SO(3))").canonical()
>>> G = rep.groups()[0]
>>> dense_null_space(G, tuple(monomial_atoms(rep)), *generators(G), 9)[0].shape
(9, 1)
"""

from __future__ import annotations

from functools import reduce

import numpy as np
import scipy.sparse

from ..errors import TooLargeError
from ..rho import atom_drho, atom_rho
from ..spectral_gap import ROUNDOFF, null_space, zero_level
from ..subproblem import describe

MAX_DENSE = 8192
"""The largest block the dense rung takes: its N×N constraint operator in
float64 is 512 MiB at this size."""


def dense_null_space(group, atoms: tuple, lie, disc, size: int):
    if size > MAX_DENSE:
        raise TooLargeError(f"{describe(atoms)} has size {size}, too large for the dense solver "
                            f"({MAX_DENSE} at most): its {size}×{size} constraint operator alone would need "
                            f"{size * size * 8 / 2**30:.3g} GiB")
    dtype = np.complex128 if group.is_complex or np.iscomplexobj(lie) or np.iscomplexobj(disc) else np.float64
    m = np.zeros((size, size), dtype=dtype)
    # the size of the constraints' terms: a null space of roundoff alone is still a null space
    floor = 0.0
    for a in lie:
        mats = [atom_drho(atom, a, xp=np) for atom in atoms]
        floor = max(floor, sum(float(np.abs(x).max(initial=0)) for x in mats) ** 2)
        c = kronsum(mats)
        m += (c.conj().T @ c).toarray()
    for h in disc:
        mats = [atom_rho(atom, h, xp=np) for atom in atoms]
        floor = max(floor, float(np.prod([np.abs(x).max(initial=0) for x in mats])) ** 2)
        c = kron(mats) - scipy.sparse.identity(size)
        m += (c.conj().T @ c).toarray()
    # below 1e-6 of the terms' size (squared: 1e-12 in M) a constraint is roundoff
    q, gap = null_space(m, describe(atoms), scale_floor=ROUNDOFF * floor,
                         zero_level=zero_level(group, atoms))
    return scipy.sparse.csr_matrix(q), gap


def kron(mats: list) -> scipy.sparse.csr_matrix:
    return reduce(lambda a, b: scipy.sparse.kron(a, b, format="csr"),
                  [scipy.sparse.csr_matrix(np.asarray(m)) for m in mats])


def kronsum(mats: list) -> scipy.sparse.csr_matrix:
    sizes = [np.shape(m)[0] for m in mats]
    total = None
    for i, m in enumerate(mats):
        left = scipy.sparse.identity(int(np.prod(sizes[:i])), format="csr")
        right = scipy.sparse.identity(int(np.prod(sizes[i + 1:])), format="csr")
        term = scipy.sparse.kron(scipy.sparse.kron(left, scipy.sparse.csr_matrix(np.asarray(m))), right, format="csr")
        total = term if total is None else total + term
    return total
