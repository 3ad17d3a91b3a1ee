"""The algebraic laws of the smart constructors, as hypothesis properties.

Two expressions "have the same coordinates" when they are equivalent and have
the same layout: that is what the coordinate-preserving rewrites of the smart
constructors promise, so associativity is checked in that sense.
"""

from hypothesis import given

from repalg import parse
from repalg.reps import Scalar, V
from repalg.symbolic.nodes import ZERO, Product

from .expressions import coordinates, mixed, reps, small, small_groups


@given(reps, reps, reps)
def test_sum_is_associative(a, b, c):
    assert (a + b) + c == a + (b + c)


@given(reps, reps, reps, small_groups)
def test_product_is_associative_with_the_same_coordinates(a, b, c, group):
    if small((a * b) * c, group):
        assert coordinates((a * b) * c, group) == coordinates(a * (b * c), group)


@given(reps, small_groups)
def test_powers_are_repeated_products(a, group):
    if small(a**3, group):
        assert coordinates(a**2, group) == coordinates(a * a, group)
        assert coordinates(a**3, group) == coordinates(a * a * a, group)


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
def test_dual_is_an_involution(a):
    assert a.T.T == a


@given(mixed, mixed)
def test_hash_agrees_with_equality(a, b):
    again = parse(repr(a))
    assert again == a and hash(again) == hash(a)
    if a == b:
        assert hash(a) == hash(b)


def test_leading_sums_distribute_in_place():
    assert (V + V.T) * V == V * V + V.T * V
    assert isinstance(V * (V + 1), Product)
    assert (2 * V) * V == 2 * V**2
