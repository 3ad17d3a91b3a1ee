"""Classical groups beyond the character theory (SO(82), SU(100), SL(921)):
each text answers quickly from invariant theory, or is refused with
TooLargeError before the work starts; never a RecursionError."""

import time

import numpy as np
import pytest

import repalg
from repalg import TooLargeError, parse
from repalg.numeric import solve
from repalg.numeric.operators import float64

QUICK = [  # (text, rank): answered by the first fundamental theorem, no solve
    ("V(SL(921))", 0), ("V(O(82))", 0), ("V(O(100))", 0), ("V(Sp(50))", 0), ("V(SU(100))", 0),
    ("(3*V)(O(82))", 0), ("T(2)(O(100))", 1), ("(V**2)(O(82))", 1), ("(V>>V)(SU(100))", 1),
    ("(V>>V)(SL(921))", 1), ("(V**2)(SL(100))", 0), ("T(3)(O(1,99))", 0), ("T(2,1)(GL(40))", 0),
]


@pytest.mark.parametrize("text,rank", QUICK, ids=[t for t, _ in QUICK])
def test_stable_range_answers_at_once(text, rank):
    repalg.clear_cache()
    start = time.perf_counter()
    basis = parse(text).equivariant_basis()
    assert basis.shape == (parse(text).size(), rank)
    assert time.perf_counter() - start < 2.0
    if rank:
        q = basis.dense()
        np.testing.assert_allclose(q.T @ q, np.eye(rank), atol=1e-12)


@pytest.mark.parametrize("text", ["(V>>V)(GL(40))", "(V**2)(O(50))", "(V.T*V)(SU(40))"])
def test_the_pairing_is_invariant(text):
    rep = parse(text)
    q = rep.equivariant_basis().dense()
    for g in np.asarray(rep.groups()[0].samples(2, key=3)):
        with float64():
            r = np.asarray(rep.rho(g).dense())
        assert np.abs(r @ q - q).max() < 1e-9 * max(1.0, np.abs(r).max())


def test_stable_rank_agrees_with_characters_where_both_exist():
    for text in ["T(4)(O(9))", "T(3)(SO(5))", "(V**2*V.T**2)(GL(5))", "(V**3*V.T**3)(SU(7))", "T(4)(Sp(3))",
                 "(V**2*V.T)(SL(4))", "T(4)(SO+(2,3))", "(V*V.T)(U(3))"]:
        rep = parse(text).canonical()
        (group,) = rep.groups()
        assert solve._stable_rank(group, tuple(solve._monomial_atoms(rep))) == rep.predicted_rank(), text


@pytest.mark.parametrize("text", ["(3*V)(O(82))", "V(SO(82))"])
def test_decomposing_a_large_orthogonal_group_does_not_recurse(text):
    # the Brauer rung asked for the invariant form of V*⊗V*, which asked the Brauer rung again
    repalg.clear_cache()
    d = parse(text).decompose()
    assert d.dim() == parse(text).size() and len(d) == 1 and sum(d.values()) == parse(text).size() // 82


def test_solving_after_v_in_the_same_process():
    repalg.clear_cache()
    assert parse("V(O(100))").equivariant_basis().shape == (100, 0)
    assert parse("T(2)(O(100))").equivariant_basis().shape == (10000, 1)
    assert parse("(V*V.T)(O(82))").equivariant_basis().shape == (6724, 1)


@pytest.mark.parametrize("text,what", [("(V**2)(O(1,99))", "Lie algebra"), ("(V**2*V.T**2)(SU(100))", "Lie algebra"),
                                       ("T(4)(O(120))", "pairings"), ("V(SL(921))+V(SL(921))**2*V(Z(2))", None)])
def test_beyond_reach_is_refused_at_once(text, what):
    start = time.perf_counter()
    try:
        parse(text).equivariant_basis()
    except TooLargeError as error:
        assert what is None or what in str(error)
    else:
        assert what is None
    assert time.perf_counter() - start < 5.0
