"""The matrix-free filter agrees with the dense null space on the cases both can take."""

import numpy as np
import pytest

from repalg.numeric.group_generators import generators
from repalg.numeric.rho import atom_drho
from repalg.numeric.rungs import matrix_free
from repalg.numeric.span import discrete_cut, orthonormal

from ...marks import default
from .agreement import LIE, atoms_of, dense, projector

NOT_CENTRAL = set()


@pytest.mark.parametrize("text", default(LIE, "T(3)(SO(3))", "(V*V.T)(SU(3))", "T(2)(SO(1,3))", "T(3)(O(2)eR3)"))
def test_filter_rung_agrees_with_dense(text):
    """A compact, a complex, a Lorentz and an embedded group by default
    (each compiles the filter: about 1.3 s)."""
    group, atoms = atoms_of(text)
    lie, disc = generators(group)
    size = int(np.prod([a.size() for a in atoms]))
    dtype = np.complex128 if group.is_complex else np.float64
    found = matrix_free.null_space([[atom_drho(a, x, xp=np) for a in atoms] for x in matrix_free.central_basis(lie)],
                              size, block=4, dtype=dtype)
    if found is None:  # M is not central for this group: the filter declines
        assert text in NOT_CENTRAL
        return
    q, gap = found
    q = orthonormal(q, real=not group.is_complex, what=text) if q.shape[1] else q
    if len(disc) and q.shape[1]:
        q, _ = discrete_cut(q, group, atoms, disc, text)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-8)
    assert text not in NOT_CENTRAL
