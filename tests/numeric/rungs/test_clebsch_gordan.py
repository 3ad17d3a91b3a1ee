"""The isotypic rung agrees with the dense null space, and its bases are equivariant in float64."""

import numpy as np
import pytest

from repalg import parse
from repalg.numeric.precision import float64
from repalg.numeric.rungs import clebsch_gordan

from .agreement import atoms_of, dense, projector

ROTATIONS = ["T(3)(SO(3))", "T(4)(SO(3))", "T(4)(O(3))", "T(5)(O(3))", "T(6)(O(3))", "(V*Irrep(SO(3),2))(SO(3))",
             "(Irrep(SO(3),2)*Irrep(SO(3),1)*Irrep(SO(3),3))(SO(3))", "(V*Irrep(O(3),(2,1))*V)(O(3))",
             "(V*Irrep(O(3),(1,1)))(O(3))", "(Irrep(O(3),(1,-1))*V)(O(3))",
             "T(4)(SU(2))", "T(2,2)(SU(2))", "(V*V.T**3)(SU(2))", "T(3,3)(SU(2))"]


@pytest.mark.parametrize("text", ROTATIONS)
def test_isotypic_rung_agrees_with_dense(text):
    group, atoms = atoms_of(text)
    found = clebsch_gordan.rotation_degrees(group, atoms)
    assert found is not None
    q = clebsch_gordan.isotypic_basis(group, atoms, found)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)


@pytest.mark.parametrize("text", ["T(4)(O(3))", "T(5)(SO(3))", "(T(4)>>T(2))(O(3))", "(V*Irrep(SO(3),2)*V)(SO(3))",
                                  "T(6)(SU(2))", "(V*V.T**3)(SU(2))"])
def test_isotypic_bases_are_equivariant_in_float64(text):
    rep = parse(text)
    Q = rep.equivariant_basis()
    assert "isotypic" in Q.info.strategy and Q.shape[1] == rep.predicted_rank()
    q = Q.dense()
    for g in np.asarray(rep.groups()[0].samples(4, key=11)):
        with float64():
            r = np.asarray(rep.rho_dense(g))
        assert np.abs(r @ q - q).max() <= 1e-12 * max(1.0, np.abs(r).max())
