"""How many invariants a subproblem has, known from outside the rung that
solves it: the characters' prediction (``Rep.predicted_rank``), the first
fundamental theorem's count in the stable range, or a second solve by the
dense rung. The solver checks its answers against them (``solve.py``), and so
does ``check.py``'s recount.

>>> from repalg import parse
>>> from repalg.numeric.subproblem import monomial_atoms
>>> rep = parse("T(4)(SO(3))").canonical()
>>> expected(rep.groups()[0], tuple(monomial_atoms(rep)))
(3, 'characters')
"""

from __future__ import annotations

import functools

from ..symbolic.characters.dispatch import theory
from ..symbolic.constructors import tensor
from ..symbolic.decompose import stable_rank
from .group_generators import generators
from .rungs.dense import dense_null_space


def expected(group, atoms: tuple) -> tuple | None:
    """(rank, source) from outside the solver: the characters' prediction, or
    the first fundamental theorem's count in the stable range; None where
    neither exists."""
    stable = stable_rank(group, atoms)
    count = predicted(atoms)
    if count is not None and (stable is None or theory(group) is not None):
        return count, "characters"
    return (stable, "invariant theory") if stable is not None else None


@functools.lru_cache(maxsize=256)
def predicted(atoms: tuple, default=None):
    """The rank that characters predict for a product of atoms, or ``default``
    (memoized: the isotypic rung sizes its guard with it before the cross-check)."""
    try:
        rank = tensor(*atoms).predicted_rank()
    except ValueError:
        return default
    return default if rank is None else rank


def dense_rank(group, atoms: tuple, size: int) -> int:
    """The number of invariants by the dense rung, whatever rung solved them
    (``check.py``'s second count)."""
    lie, disc = generators(group)
    return dense_null_space(group, atoms, lie, disc, size)[0].shape[1]
