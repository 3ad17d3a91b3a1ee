"""What the rung tests share: a subproblem from text, the dense rung's answer
to compare with, and projectors (bases agree when their spans do)."""

import numpy as np

from repalg import parse
from repalg.numeric.group_generators import generators
from repalg.numeric.rungs.dense import dense_null_space
from repalg.numeric.subproblem import monomial_atoms


def projector(q):
    q = q.toarray() if hasattr(q, "toarray") else np.asarray(q)
    return q @ q.conj().T


def atoms_of(text):
    rep = parse(text).canonical()
    (group,) = rep.groups()
    return group, tuple(monomial_atoms(rep))


def dense(group, atoms):
    lie, disc = generators(group)
    size = int(np.prod([a.size() for a in atoms]))
    return dense_null_space(group, atoms, lie, disc, size)[0]


LIE = ["T(3)(SO(3))", "T(4)(O(3))", "(V**2*V.T**2)(O(1,3))", "T(4)(Sp(1))", "(V*V.T)(SU(3))", "(V**2*V.T**2)(GL(2))",
       "T(4)(SL(2))", "T(3)(O(2)eR3)", "(V**2*V.T**2)(U(2))", "T(4)(SO(4))", "T(3)(SO+(1,1))", "(V*V.T)(Scaling(3))",
       "T(2)(SO(1,3))", "T(5)(SO(2))", "T(3)(SO(5))", "(V*V.T)(Sp(3))", "(V**2*V.T**2)(SU(3))", "(V**2*V.T)(U(3))",
       "(V*V.T)(SL(4))", "(V*V.T)(GL(3))", "T(3)(SO(2,3))", "T(4)(O(2,2))", "T(2,1)(SO+(2,2))",
       "T(4)(O(2)eR4)"]
