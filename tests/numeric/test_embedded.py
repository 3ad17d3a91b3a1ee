"""Groups embedded in a larger space (O(2)eR3, SO(2)eR3, D(k)eR3): V is the
base group's V plus fixed coordinates, and the solve goes through the base
group; checked against first principles and the characters."""

import time

import numpy as np
import pytest

from repalg import parse
from repalg.groups import DkeR3, O2eR3, SO2eR3
from repalg.reps import V
from tests.numeric.test_pipeline import first_principles_rank

GROUPS = [SO2eR3(), O2eR3(), DkeR3(6)]


@pytest.mark.parametrize("group", GROUPS, ids=str)
@pytest.mark.parametrize("text", ["V", "V>>V", "V**3", "V*V.T*V", "(V+1)**2>>V", "V**4"])
def test_against_first_principles(group, text):
    rep = parse(text)(group)
    Q = rep.equivariant_basis()
    assert Q.shape == (rep.size(), first_principles_rank(rep, group)) == (rep.size(), rep.predicted_rank())
    for g in group.samples(2, key=4):
        np.testing.assert_allclose(np.asarray(rep.rho_dense(g), dtype=float) @ Q.dense(), Q.dense(), atol=1e-5)


@pytest.mark.parametrize("text", ["(Irrep(O(2)eR3,(0,-1))*V>>V)(O(2)eR3)", "(Irrep(SO(2)eR3,1)*V*V)(SO(2)eR3)",
                                  "(Irrep(D(6)eR3,2)*V>>V*V)(D(6)eR3)"])
def test_irreducibles_of_an_embedded_group_act_through_its_block(text):
    rep = parse(text)
    group = rep.groups()[0]
    Q = rep.equivariant_basis()
    assert Q.shape[1] == rep.predicted_rank()
    for g in group.samples(3, key=1):
        np.testing.assert_allclose(np.asarray(rep.rho_dense(g), dtype=float) @ Q.dense(), Q.dense(), atol=1e-5)


def test_large_embedded_products_are_quick():
    # found by the pipeline fuzzer: 77 s and 47 s through the weights and dense rungs
    for text in ["(V)(O(2)eR3)*(((T(3,1)).T)**2)(O(2)eR3)",
                 "(((V)*(V)+(Scalar)>>(Irrep(SO(2)eR3,0)))<<((T(3,1)).T+(T(3,2))<<(V)))(SO(2)eR3)"]:
        rep = parse(text)
        start = time.perf_counter()
        Q = rep.equivariant_basis()
        assert time.perf_counter() - start < 10
        assert Q.shape[1] == rep.predicted_rank()
    assert (V(O2eR3()) ** 9).equivariant_basis().shape == (19683, (V(O2eR3()) ** 9).predicted_rank())
