"""The isotypic rung, for SO(3), O(3) and SU(2) (``isotypic.py``): the
product is coupled in two halves into isotypic blocks with exact
Clebsch–Gordan maps, and Schur's lemma pairs equal irreducibles, with no
eigensolver at all.

>>> from repalg import parse
>>> from repalg.numeric.subproblem import monomial_atoms
>>> rep = parse("T(4)(SO(3))").canonical()
>>> found = rotation_degrees(rep.groups()[0], tuple(monomial_atoms(rep)))
>>> found[:2]
((1, 1, 1, 1), 1)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from ...symbolic.decompose import irrep_label, is_irrep
from ...symbolic.group_descriptors import NamedGroup
from .. import isotypic
from ..basis import csr_from_dense
from ..memory import guard
from ..rank_expectations import predicted


def rotation_degrees(group, atoms: tuple) -> tuple | None:
    """For SO(3) and O(3): the degree l of each atom (V is 1, Irrep(G, l) is l),
    the parity of the product, where each factor's coordinates come from, and
    the family of models; for SU(2), the same for products of V and V*."""
    if not isinstance(group, NamedGroup):
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


def isotypic_basis(group, atoms: tuple, found: tuple) -> scipy.sparse.csr_matrix:
    """Invariants by Clebsch–Gordan coupling (``isotypic.py``), handed back in
    V's coordinates (the models of irreducibles are their own)."""
    degrees, parity, frames, family = found
    size = int(np.prod([a.size() for a in atoms]))
    guard(group, atoms, size, 8.0 * size * (2 + 2 * predicted(atoms, default=64)), "isotypic")
    if parity < 0:
        return scipy.sparse.csr_matrix((size, 0))
    return csr_from_dense(isotypic.invariants(degrees, frames, family))
