"""The algebraic laws of expressions, as hypothesis properties.

Two expressions "have the same coordinates" when they are equivalent and have
the same layout: that is what the coordinate-preserving rewrites of the smart
constructors promise, so associativity is checked in that sense.
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from repalg import parse
from repalg.groups import GL, O, S, SO, SU, Z
from repalg.reps import Scalar, V
from repalg.symbolic.nodes import Atom, Product, Sum, ZERO

GROUPS = [SO(2), O(3), S(3), GL(2), SU(2), Z(2), O(1, 1), SO(2) * S(2)]


def leaves(bound: bool):
    base = [st.just(V), st.just(V.T), st.just(Scalar), st.integers(0, 3).map(lambda n: n * Scalar)]
    if bound:
        base.append(st.tuples(st.sampled_from([V, V.T]), st.sampled_from(GROUPS)).map(lambda t: t[0](t[1])))
    return st.one_of(*base)


def grow(children):
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda t: t[0] + t[1]),
        pairs.map(lambda t: t[0] * t[1]),
        pairs.map(lambda t: t[0] >> t[1]),
        pairs.map(lambda t: t[0] << t[1]),
        st.tuples(children, st.integers(0, 2)).map(lambda t: t[0] ** t[1]),
        st.tuples(st.integers(0, 3), children).map(lambda t: t[0] * t[1]),
        children.map(lambda r: r.T),
    )


def expressions(bound=False, leaves_max=5):
    return st.recursive(leaves(bound), grow, max_leaves=leaves_max)


reps = expressions()
mixed = expressions(bound=True)
small_groups = st.sampled_from([SO(2), S(2), GL(2), O(1, 1), Z(2), SU(2)])


def coordinates(rep, group):
    """What fixes the coordinates of a bound expression: its normal form and layout."""
    bound = rep(group)
    return bound.canonical(), tuple(bound.layout())


def small(rep, group, limit=400):
    return rep.size(group) <= limit


@given(reps, reps, reps)
def test_sum_is_associative(a, b, c):
    assert (a + b) + c == a + (b + c)


@given(reps, reps)
def test_sum_is_commutative_up_to_equivalence(a, b):
    assert (a + b).equivalent(b + a)


@given(reps, reps, reps, small_groups)
def test_product_is_associative_with_the_same_coordinates(a, b, c, group):
    if small((a * b) * c, group):
        assert coordinates((a * b) * c, group) == coordinates(a * (b * c), group)


@given(reps, small_groups)
def test_powers_are_repeated_products(a, group):
    if small(a**3, group):
        assert coordinates(a**2, group) == coordinates(a * a, group)
        assert coordinates(a**3, group) == coordinates(a * a * a, group)


@given(reps, reps)
def test_product_is_commutative_up_to_equivalence(a, b):
    assert (a * b).equivalent(b * a)


@given(reps, reps, reps)
def test_product_distributes_over_sums(a, b, c):
    assert (a * (b + c)).equivalent(a * b + a * c)
    assert (a + b) * c == a * c + b * c


@given(reps)
def test_identities(a):
    assert Scalar * a == a == a * Scalar
    assert a + 0 == a == 0 + a
    assert a * 0 == ZERO == 0 * a
    assert a**0 == Scalar
    assert a**1 == a
    assert 1 * a == a


@given(reps, reps, small_groups)
def test_size_is_a_semiring_homomorphism(a, b, group):
    size = lambda r: r.size(group)
    assert size(a + b) == size(a) + size(b)
    assert size(a * b) == size(a) * size(b)
    assert size(a >> b) == size(a) * size(b)
    assert size(a.T) == size(a)
    assert size(3 * a) == 3 * size(a)
    assert size(a**2) == size(a) ** 2
    assert size(a.canonical()) == size(a)


@given(mixed)
def test_canonical_is_idempotent(a):
    c = a.canonical()
    assert c.canonical() == c
    assert c.equivalent(a)


@given(mixed)
def test_dual_is_an_involution(a):
    assert a.T.T == a


@given(mixed, mixed)
def test_hash_agrees_with_equality(a, b):
    again = parse(repr(a))
    assert again == a and hash(again) == hash(a)
    if a == b:
        assert hash(a) == hash(b)


@given(mixed)
def test_repr_round_trips_exactly(a):
    assert parse(repr(a)) == a


@given(mixed)
def test_str_round_trips_up_to_equivalence(a):
    assert parse(str(a)).equivalent(a)


@given(reps, st.sampled_from(GROUPS))
def test_round_trips_when_bound(a, group):
    bound = a(group)
    assert parse(repr(bound)) == bound
    assert parse(str(bound)).equivalent(bound)


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


# -- the layout against explicit index bookkeeping ---------------------------

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


def explicit(rep, matrices):
    """The representation's matrix, built from the definitions: direct sums are
    block diagonal, products are Kronecker products, duals are inverse transposes."""
    if isinstance(rep, Atom):
        g = matrices[rep.group]
        return np.linalg.inv(g).T if rep.dual else g
    if isinstance(rep, Sum):
        blocks = [explicit(t, matrices) for t, m in rep.terms for _ in range(m)]
        size = sum(b.shape[0] for b in blocks)
        out = np.zeros((size, size), dtype=complex)
        at = 0
        for b in blocks:
            out[at:at + b.shape[0], at:at + b.shape[0]] = b
            at += b.shape[0]
        return out
    out = np.eye(1, dtype=complex)
    for factor, exponent in rep.factors:
        for _ in range(exponent):
            out = np.kron(out, explicit(factor, matrices))
    return out


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


def test_leading_sums_distribute_in_place():
    assert (V + V.T) * V == V * V + V.T * V
    assert isinstance(V * (V + 1), Product)
    assert (2 * V) * V == 2 * V**2
