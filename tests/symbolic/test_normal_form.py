"""The normal form and the layout: canonicalization is idempotent, orders by
content, and the layout carries the user's coordinates to the canonical ones."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from repalg import parse
from repalg.groups import GL, SO
from repalg.reps import V

from .expressions import GROUPS, explicit, mixed, reps


@given(reps, reps)
def test_sum_is_commutative_up_to_equivalence(a, b):
    assert (a + b).equivalent(b + a)


@given(reps, reps)
def test_product_is_commutative_up_to_equivalence(a, b):
    assert (a * b).equivalent(b * a)


@given(mixed)
def test_canonical_is_idempotent(a):
    c = a.canonical()
    assert c.canonical() == c
    assert c.equivalent(a)


@given(reps, reps)
def test_equivalence_is_an_equivalence_relation(a, b):
    assert a.equivalent(a)
    assert a.equivalent(b) == b.equivalent(a)
    assert a.equivalent(a.canonical())


def test_canonical_order_is_by_content():
    # the same answer whatever the order of writing, in every process
    assert repr(parse("V**2+V*V.T+V.T+3+V").canonical()) == "3+V+V.T+V**2+V*V.T"
    assert repr(parse("V.T*(V+1)").canonical()) == "V.T+V*V.T"
    assert repr(parse("(V*V.T)(O(3))").canonical()) == "(V**2)(O(3))"
    assert repr(parse("(V*V.T)(O(1,3))").canonical()) == "(V*V.T)(O(1,3))"
    assert repr(parse("(V*V.T)(SU(2))").canonical()) == "(V*V.T)(SU(2))"


def random_element(group, rng):
    """A random matrix acting on the base space, of the group's kind."""
    d = group.d
    if group.is_permutation:
        return np.eye(d)[rng.permutation(d)]
    if group.is_complex:
        q, _ = np.linalg.qr(rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)))
        return q
    if group.is_orthogonal:
        q, _ = np.linalg.qr(rng.normal(size=(d, d)))
        return q
    return rng.normal(size=(d, d)) + 3 * np.eye(d)


@given(mixed, st.sampled_from(GROUPS), st.integers(0, 2**32 - 1))
def test_layout_maps_user_coordinates_to_canonical_ones(a, group, seed):
    try:
        rep = a(group)
    except ValueError:
        rep = a  # every atom already bound to other groups
    if rep.size() > 200:
        return
    rng = np.random.default_rng(seed)
    matrices = {g: random_element(g, rng) for g in rep.groups()}
    perm = rep.layout()
    assert sorted(perm.tolist()) == list(range(rep.size()))
    user = explicit(rep, matrices)
    canonical = explicit(rep.canonical(), matrices)
    np.testing.assert_allclose(user[np.ix_(perm, perm)], canonical, atol=1e-9)


def test_layout_by_hand():
    # V*(1+V) with d = 2: user coordinate i*3 + j, j = 0 the scalar, 1..2 the V.
    # Canonical: V (i) then V**2 (i, k).
    assert (V * (1 + V))(SO(2)).layout().tolist() == [0, 3, 1, 2, 4, 5]
    # V.T*V with d = 2 on GL(2): canonical sorts V before V.T, a transpose.
    assert (V.T * V)(GL(2)).layout().tolist() == [0, 2, 1, 3]
    # 2*V + V**2 is already canonical
    assert (2 * V + V**2)(SO(2)).layout().tolist() == list(range(8))
    # V**2 + V: the V block moves to the front
    assert (V**2 + V)(SO(2)).layout().tolist() == [4, 5, 0, 1, 2, 3]


def test_layout_is_lazy_and_guarded():
    huge = (V**40)(SO(3))
    assert huge.size() == 3**40  # nothing allocated
    with pytest.raises(ValueError, match="GiB"):
        huge.layout()
