"""Classical groups beyond the character theory (SO(82), SU(100), SL(921)):
each text answers quickly from invariant theory, or is refused with
TooLargeError before the work starts; never a RecursionError."""

import time

import numpy as np
import pytest

import repalg
from repalg import TooLargeError, parse
from repalg.numeric.group_generators import generators
from repalg.numeric.rungs.dense import dense_null_space
from repalg.numeric.subproblem import monomial_atoms
from repalg.numeric.precision import float64
from repalg.symbolic.decompose import stable_rank

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
        assert stable_rank(group, tuple(monomial_atoms(rep))) == rep.predicted_rank(), text


@pytest.mark.parametrize("text", ["(3*V)(O(82))", pytest.param("V(SO(82))", marks=pytest.mark.slow)])
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


@pytest.mark.parametrize("text,what", [("(V**2*V.T**2)(SU(100))", ("Lie algebra",)),
                                       # the pairings' rung is tried only where their 5 GB fit in free memory
                                       ("T(4)(O(120))", ("pairings", "Lie algebra")),
                                       ("V(SL(921))+V(SL(921))**2*V(Z(2))", None)])
def test_beyond_reach_is_refused_at_once(text, what):
    start = time.perf_counter()
    try:
        parse(text).equivariant_basis()
    except TooLargeError as error:
        assert what is None or any(reason in str(error) for reason in what)
    else:
        assert what is None
    assert time.perf_counter() - start < 5.0


# issue 18: the classical groups up to n = 100 in under a second, with predicted ranks ----------


FAMILIES = ["O({n})", "SO({n})", "Sp({h})", "SU({n})", "U({n})", "SL({n})", "O(1,{m})", "SO+({h},{h})"]
SHAPES = {"V": {"O": 0, "SL": 0}, "T(2)": {"O": 1, "SL": 0}, "V>>V": {"O": 1, "SL": 1}, "T(3)": {"O": 0, "SL": 0}}


def _family(text: str) -> str:
    return "SL" if text.split("(")[0] in ("SU", "U", "SL") else "O"  # the pairing of V with V only for a form


@pytest.mark.parametrize("pattern", FAMILIES)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_classical_shapes_at_n_100(pattern, shape):
    text = pattern.format(n=100, h=50, m=99)
    rep = parse(f"({shape})({text})")
    rank = SHAPES[shape][_family(text)]
    repalg.clear_cache()
    start = time.perf_counter()
    basis = rep.equivariant_basis()
    assert time.perf_counter() - start < 1.0
    assert basis.shape == (rep.size(), rank)
    assert rep.predicted_rank() == rank
    assert "equivariance" in basis.info.checked_by and "invariant theory" in basis.info.checked_by


@pytest.mark.parametrize("pattern", FAMILIES)
def test_the_form_pairings_match_the_dense_null_space(pattern):
    """V⊗V, V*⊗V* and V⊗V* at small n, where the dense rung and the samples reach, against the
    pairing the invariant theory builds (the identity, the Minkowski metric, the symplectic form)."""
    text = pattern.format(n=4, h=2, m=3)
    G = repalg.group(text)
    for shape in ["V**2", "V.T**2", "V*V.T"]:
        rep = parse(f"({shape})({text})")
        basis = rep.equivariant_basis()
        atoms = tuple(monomial_atoms(rep.canonical()))
        dense = dense_null_space(G, atoms, *generators(G), rep.size())[0]
        dense = np.asarray(dense.todense() if hasattr(dense, "todense") else dense)
        q = basis.dense()
        assert q.shape[1] == dense.shape[1], (text, shape)
        if q.shape[1]:  # the same span: each projects onto the other
            np.testing.assert_allclose(dense @ (dense.conj().T @ q), q, atol=1e-10)
        for g in np.asarray(G.samples(3, key=5)) if q.shape[1] else []:
            with float64():
                r = np.asarray(rep.rho(g).dense())
            assert np.abs(r @ q - q).max() <= 1e-12 * max(1.0, np.abs(r).max()), (text, shape)


def test_a_wrong_pairing_is_caught_by_the_probe_of_a_large_group():
    import scipy.sparse
    from repalg import SolveError
    from repalg.numeric import check
    G = repalg.group("Sp(50)")
    atoms = tuple(monomial_atoms(parse("T(2)(Sp(50))").canonical()))
    diagonal = np.arange(100) * 101  # vec(I)/10: the pairing of V with V*, not of V with V
    identity = scipy.sparse.csr_matrix((np.full(100, 0.1), (diagonal, np.zeros(100, int))), shape=(10000, 1))
    with pytest.raises(SolveError):
        check.verify(G, atoms, identity, "invariant-theory", (1, "invariant theory"))


def test_an_empty_prediction_is_answered_without_a_solve():
    repalg.clear_cache()
    for text in ["T(7)(O(3))", "T(9)(O(3))", "T(5)(O(1,3))", "(V**2)(SU(3))+(V**4)(SU(5))"]:
        start = time.perf_counter()
        basis = parse(text).equivariant_basis()
        assert basis.shape[1] == 0 and parse(text).predicted_rank() == 0
        assert set(basis.info.strategy.split("+")) <= {"characters", "invariant-theory"}, basis.info.strategy
        assert time.perf_counter() - start < 0.2, text
