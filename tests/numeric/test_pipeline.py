"""The whole pipeline against first principles: for random expressions over
random groups, the basis spans exactly the null space of the constraints
built from explicit dense matrices (no canonical form, no layout, no rungs)."""

import numpy as np
import scipy.linalg
from hypothesis import given, strategies as st

from repalg.groups import C, D, GL, O, S, SO, SU, Z
from repalg.reps import Scalar, V
from tests.symbolic.expressions import explicit

GROUPS = [SO(2), SO(3), O(2), O(1, 1), GL(2), SU(2), S(3), Z(3), C(4), D(3), SO(2) * S(2)]


def reps():
    leaf = st.sampled_from([V, V.T, Scalar, 2 * Scalar])
    return st.recursive(leaf, lambda c: st.one_of(
        st.tuples(c, c).map(lambda t: t[0] + t[1]),
        st.tuples(c, c).map(lambda t: t[0] * t[1]),
        st.tuples(c, c).map(lambda t: t[0] >> t[1]),
        c.map(lambda r: r.T),
    ), max_leaves=6)


def first_principles_rank(rep, group) -> int:
    """dim of {v : rho(h) v = v, drho(A) v = 0} from explicit dense matrices."""
    lie, disc = group.lie_algebra, group.discrete_generators
    blocks = [explicit(rep, {group: h}) - np.eye(rep.size()) for h in disc]
    for a in lie:  # drho by differentiating rho along exp(tA)
        t = 1e-6
        plus = explicit(rep, {group: scipy.linalg.expm(t * a)})
        minus = explicit(rep, {group: scipy.linalg.expm(-t * a)})
        blocks.append((plus - minus) / (2 * t))
    if not blocks:
        return rep.size()
    sigma = np.linalg.svd(np.vstack(blocks), compute_uv=False)
    return int(np.sum(sigma < 1e-5 * max(sigma.max(), 1.0))) + rep.size() - len(sigma)


@given(reps(), st.sampled_from(GROUPS))
def test_basis_matches_first_principles(a, group):
    rep = a(group)
    if not 0 < rep.size() <= 81:
        return
    Q = rep.equivariant_basis()
    rank = first_principles_rank(rep, group)
    assert Q.shape[1] == rank, (repr(rep), Q.info)
    assert rep.predicted_rank() == rank, repr(rep)
    dense = Q.dense()
    for g in group.samples(2, key=3):
        np.testing.assert_allclose(explicit(rep, {group: g}) @ dense, dense, atol=1e-8)
