"""Equivariant bases: the reference ranks, equivariance over every group,
orthonormality, the projector, the lazy API, custom representations."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import repalg
from repalg import SolveError, TooLargeError, group, parse
from repalg.groups import (
    C, Cube, D, DkeR3, GL, Group, O, O2eR3, RubiksCube, S, SL, SO, SO2eR3, SU, Scaling, Sp, Trivial, U, Z,
    ZksZnxZn,
)
from repalg.reps import T, V
from repalg.symbolic.nodes import Atom
from tests.marks import default
from tests.reference import case_text, reference_cases
from tests.symbolic.expressions import explicit


def _solved_exactly(case) -> bool:
    """Whether every group of the case is a (signed) permutation group: the orbit rung."""
    rep = parse(case_text(case))
    for G in rep.groups():
        if len(G.lie_algebra) or any(repalg.numeric.signed_permutation(h) is None for h in G.discrete_generators):
            return False
    return True


def _reference(limit):
    for case in reference_cases():
        if case["N"] > limit:
            continue
        heavy = case["N"] >= 4096 and not _solved_exactly(case)
        yield pytest.param(case, id=case_text(case), marks=[pytest.mark.slow] if heavy else [])


@pytest.mark.parametrize("case", list(_reference(20736)))
def test_reference_rank(case):
    Q = parse(case_text(case)).equivariant_basis()
    assert Q.shape == (case["N"], case["rank"])


def scale_adjusted_error(t1, t2, g):
    """emlp's relative error, scaled by how far g is from the identity."""
    error = np.sqrt(np.mean(np.abs(t1 - t2) ** 2))
    tscale = np.sqrt(np.mean(np.abs(t1) ** 2)) + np.sqrt(np.mean(np.abs(t2) ** 2))
    gscale = np.sqrt(np.mean(np.abs(g - np.eye(g.shape[-1])) ** 2))
    return error / max(tscale, gscale, 1e-7)


EVERY_GROUP = [SO(2), SO(3), O(3), O(4), SO(1, 3), group("SO+(1,3)"), O(1, 3), O(1, 1), group("SO+(1,1)"), Sp(1),
               Sp(2), SU(2), SU(3), U(2), SL(2), SL(3), GL(2), C(4), C(5), D(3), D(6), Z(4), S(4), Cube(),
               Trivial(3), Scaling(2), ZksZnxZn(2, 2), SO2eR3(), O2eR3(), DkeR3(3), SO(2) * S(3), Z(3) * Z(2)]
TENSORS = [(1, 0), (0, 1), (1, 1), (2, 0), (2, 1), (3, 0), (2, 2), (4, 0), (3, 1)]


def _cases():
    for G in EVERY_GROUP:
        for p, q in TENSORS:
            if G.d ** (p + q) <= 300:
                yield pytest.param(G, p, q, id=f"{G}-T({p},{q})")


@pytest.mark.parametrize("G,p,q", list(_cases()))
def test_basis_vectors_are_invariant(G, p, q):
    rep = T(p, q)(G)
    Q = rep.equivariant_basis()
    assert Q.shape[0] == rep.size()
    dense = Q.dense()
    np.testing.assert_allclose(dense.conj().T @ dense, np.eye(Q.shape[1]), atol=1e-10)
    v = dense @ np.random.default_rng(0).normal(size=Q.shape[1])
    for g in G.samples(3, key=5):
        assert scale_adjusted_error(explicit(rep, {G: g}) @ v, v, g) < 1e-9  # float64
        assert scale_adjusted_error(np.asarray(rep.rho_dense(g)) @ v, v, g) < 1e-4  # JAX, float32
    if rep.size() <= 64:  # nothing invariant is missing: the complement is moved by some sample
        complement = np.linalg.svd(np.eye(rep.size()) - dense @ dense.conj().T)[0][:, :rep.size() - Q.shape[1]]
        moved = sum(np.linalg.norm(explicit(rep, {G: g}) @ complement - complement) for g in G.samples(4, key=6))
        assert Q.shape[1] == rep.size() or moved > 1e-3


HOMS = [("V>>V", SO(3)), ("(V+V**2)>>(V+V**2)", O(3)), ("T(1,0)>>T(2,1)", O(1, 3)), ("(2*V)>>V**2", S(4)),
        ("V>>V", RubiksCube()), ("(V+V.T)>>V", GL(2)), ("V>>V", SU(2)), ("(V+V**2)>>V**2", D(4))]


@pytest.mark.parametrize("text,G", HOMS, ids=[f"{t}-{g}" for t, g in HOMS])
def test_equivariant_maps_commute_with_the_representations(text, G):
    rep = parse(text)(G)
    source, target = parse(text.split(">>")[0])(G), parse(text.split(">>")[1])(G)
    Q = rep.equivariant_basis()
    assert Q.shape[1] > 0
    w = (Q @ np.random.default_rng(1).normal(size=Q.shape[1])).reshape(target.size(), source.size())
    for g in G.samples(3, key=2):
        lhs, rhs = explicit(target, {G: g}) @ w, w @ explicit(source, {G: g})
        assert scale_adjusted_error(lhs, rhs, g) < 1e-9


def test_mixed_group_sums_and_products():
    rep = 2 * V(Z(3)) * V(S(4)) + V(O(3))**2
    Q = rep.equivariant_basis()
    assert Q.shape == (33, 3)
    v = Q @ np.ones(3)
    elements = {Z(3): Z(3).sample(key=0), S(4): S(4).sample(key=1), O(3): O(3).sample(key=2)}
    np.testing.assert_allclose(explicit(rep, elements) @ v, v, atol=1e-10)
    hom = (rep >> rep).equivariant_basis()
    assert hom.shape == (1089, 31)
    assert hom.info.strategy == "invariant-theory+isotypic+orbit"  # V⊗V of O(3): the pairing, no solve


def test_bases_are_in_the_users_coordinates():
    # the same space written two ways: the bases differ by the layout permutation
    a, b = (V * (1 + V))(SO(3)), (V + V**2)(SO(3))
    qa, qb = a.equivariant_basis().dense(), b.equivariant_basis().dense()
    np.testing.assert_allclose(qa[a.layout()], qb, atol=1e-12)


def test_projector():
    rep = ((V + V**2) >> (V + V**2))(O(3))
    P, Q = rep.equivariant_projector(), rep.equivariant_basis()
    x = np.random.default_rng(0).normal(size=(rep.size(), 2))
    np.testing.assert_allclose(P @ (P @ x), P @ x, atol=1e-10)
    np.testing.assert_allclose(P @ Q.dense(), Q.dense(), atol=1e-10)
    dense = P.dense()
    np.testing.assert_allclose(dense, dense.T, atol=1e-12)
    np.testing.assert_allclose(np.asarray(P), dense)
    assert P.shape == (rep.size(), rep.size()) and P.T.shape == P.shape


def test_the_basis_behaves_like_an_array():
    Q = parse("((10*T(1)+5*T(2))>>(3*T(0)+T(2)))(S(5))").equivariant_basis()
    dense = Q.dense()
    assert Q.shape == dense.shape == (4900, 185) and len(Q) == 4900
    c = np.arange(185.0)
    np.testing.assert_allclose(Q @ c, dense @ c)
    np.testing.assert_allclose(Q @ np.ones((185, 2)), dense @ np.ones((185, 2)))
    y = np.linspace(0, 1, 4900)
    np.testing.assert_allclose(Q.T @ y, dense.T @ y)
    np.testing.assert_allclose(y @ Q, y @ dense)
    np.testing.assert_array_equal(np.asarray(Q), dense)
    assert Q[3, 7] == dense[3, 7]
    np.testing.assert_array_equal(Q[:, 4], dense[:, 4])
    np.testing.assert_array_equal(Q[10], dense[10])
    np.testing.assert_array_equal(Q[5:9, [1, 2]], dense[5:9, [1, 2]])
    assert Q.sparse().nnz <= 4900
    assert Q.info.strategy == "orbit" and Q.info.gap == np.inf and Q.info.rank == 185
    assert "Basis(shape=(4900, 185)" in repr(Q)
    assert jax.numpy.asarray(np.asarray(Q)).shape == (4900, 185)


def test_floating_point_solves_report_their_gap():
    Q = T(4)(SO(4)).equivariant_basis()
    assert Q.info.strategy == "weights" and Q.info.gap > 1e6
    Q = T(4)(C(5)).equivariant_basis()
    assert Q.info.strategy == "dense" and Q.info.gap > 1e6


def test_complex_groups_solve_in_complex_dimensions():
    Q = (V * V.T)(SU(3)).equivariant_basis()
    assert Q.shape == (9, 1) and np.iscomplexobj(Q.dense())
    assert T(2)(U(2)).equivariant_basis().shape == (4, 0)
    assert T(3)(SU(3)).equivariant_basis().shape == (27, 1)


def test_orbit_bases_are_exact_signed_indicators():
    Q = T(2)(C(4)).equivariant_basis()  # rotations by 90°: signed permutations
    assert Q.info.strategy == "orbit"
    dense = Q.dense()
    assert set(np.round(np.abs(dense[dense != 0]) ** -2).astype(int)) <= {1, 2, 4}
    assert Q.shape == (4, 2)


def frequency(k):
    """The real 2-dimensional irrep of SO(2) of frequency k, from the angle of g."""
    def rho(g):
        theta = np.arctan2(g[1, 0], g[0, 0]) * k
        return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])

    return Atom("Freq", (k,), group=SO(2), dim=2, rho_fn=rho, drho_fn=lambda a: k * np.asarray(a))


def test_custom_representations_are_solvable():
    f1, f2, f3 = frequency(1), frequency(2), frequency(3)
    assert (f2 >> f2).equivariant_basis().shape == (4, 2)  # complex-type irrep: End = C
    assert (f2 >> f3).equivariant_basis().shape == (4, 0)
    assert (f1 * f2 >> f3).equivariant_basis().shape == (8, 2)  # 1 + 2 = 3
    assert (f1 >> V(SO(2))).equivariant_basis().shape == (4, 2)
    repalg.register_rep("Freq", frequency)
    assert parse("Freq(2)*Freq(2)>>Scalar").equivariant_basis().shape == (4, 2)
    assert parse(repr(f1 * f2)) == f1 * f2


def edges(n):
    """S(n) permuting the n(n-1)/2 edges of the complete graph: a table of pairs."""
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    where = {p: k for k, p in enumerate(pairs)}

    def rho(g):
        perm = np.argmax(np.asarray(g), axis=1)  # g @ v == v[perm]
        m = np.zeros((len(pairs), len(pairs)))
        for k, (i, j) in enumerate(pairs):
            m[k, where[tuple(sorted((perm[i], perm[j])))]] = 1
        return m

    return Atom("Edges", (n,), group=S(n), dim=len(pairs), rho_fn=rho)


def test_permutation_action_given_as_a_table():
    e = edges(4)
    assert e.equivariant_basis().shape == (6, 1)
    assert (e >> V(S(4))).equivariant_basis().shape == (24, 2)
    assert (e >> e).equivariant_basis().shape == (36, 3)
    no_drho = Atom("NoDrho", group=SO(2), dim=1, rho_fn=lambda g: np.eye(1))
    with pytest.raises(ValueError, match="drho"):
        no_drho.equivariant_basis()


def rotation(t):
    return [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]


def test_uncertifiable_rank_raises():
    # a reflection beside a turn of 1e-4 radians: the reflection fixes e1, and
    # the turn moves it by 1e-8 of the reflection's scale: neither clearly zero
    # nor clearly not
    mixed = Group(discrete_generators=[np.diag([1.0, -1.0]), rotation(1e-4)], name="Mixed")
    with pytest.raises(SolveError, match="gap"):
        V(mixed).equivariant_basis()


@pytest.mark.slow
def test_a_small_turn_alone_is_a_clean_constraint():
    """It generates a dense subgroup of SO(2); counting its invariants first
    enumerates 100,000 of its elements (about 10 s)."""
    small = Group(discrete_generators=[rotation(1e-4)], name="Small")
    assert T(2)(small).equivariant_basis().shape == (4, 2)


def test_too_large_is_refused_at_once_with_its_size():
    import time

    start = time.perf_counter()
    with pytest.raises(TooLargeError, match=r"V\*\*30.*205891132094649.*GiB"):
        T(30)(SO(3)).equivariant_basis()
    with pytest.raises(TooLargeError, match=r"V\*\*14.*GiB"):
        T(14)(S(6)).equivariant_basis()
    with pytest.raises(TooLargeError, match=r"Freq\(1\)\*\*14.*16384.*dense"):
        (frequency(1)**14).equivariant_basis()
    assert time.perf_counter() - start < 5


def test_cache_reuses_and_clears():
    repalg.clear_cache()
    first = T(4)(O(3)).equivariant_basis()
    second = T(4)(O(3)).equivariant_basis()
    np.testing.assert_array_equal(first.dense(), second.dense())
    assert second.info.seconds <= first.info.seconds + 0.05
    repalg.clear_cache()
    assert T(4)(O(3)).equivariant_basis().shape == (81, 3)


# emlp's README examples, with "emlp" changed to "repalg" in the imports
EMLP_README = [
    ("rep = (T(1,0)>>T(2,1))(O13())", (256, 3)),
    ("G = RubiksCube()\nrep = V(G)>>V(G)", (2304, 6)),
    ("G = S(5)\nrep = (10*T(1)+5*T(2))(G)>>(3*T(0)+T(2))(G)", (4900, 185)),
    ("rep = 2*V(Z(3))*V(S(4))+V(O(3))**2", (33, 3)),
]


@pytest.mark.parametrize("code,shape", EMLP_README, ids=[c.splitlines()[-1] for c, _ in EMLP_README])
def test_emlp_readme_examples_with_only_the_import_changed(code, shape):
    namespace = {}
    exec("from repalg.reps import V, T, Scalar\nfrom repalg.groups import *\n" + code, namespace)
    rep = namespace["rep"]
    assert rep.equivariant_basis().shape == shape
    G = next(iter(rep.groups()))
    assert G.samples(2, key=0).shape[0] == 2 and G.num_constraints() >= 1 and G.d >= 1
    assert isinstance(G.is_orthogonal, bool) and rep.size() == shape[0]


# ranks: SO(3) by Riordan numbers, O(3) = SO(3) x {±I}; SO(1,3) keeps the
# ε-tensor invariants that time reversal removes from O(1,3) (15 pairings + 10)
FILTERED = [("T(5)(SO(3))", 6), ("T(4)(O(3))", 3), ("T(6)(SO(1,3))", 25), ("T(6)(O(1,3))", 15),
            ("(V**2*V.T**2)(O(1,3))", 3), ("T(4)(SU(2))", 2), ("(V**2*V.T**2)(U(2))", 2), ("T(4)(SO(4))", 4),
            ("T(4)(O(2))", 3)]


@pytest.mark.parametrize("text,rank", default(FILTERED, ("T(4)(SU(2))", 2), ("(V**2*V.T**2)(U(2))", 2),
                                              ("T(4)(O(2))", 3)), ids=[c[0] for c in FILTERED])
def test_the_matrix_free_filter_in_the_ladder(monkeypatch, text, rank):
    """A real, a complex and a disconnected group by default; the Lorentz
    groups' T(6) (7-11 s) and the others in the slow run."""
    monkeypatch.setattr(repalg.numeric.solve, "ISOTYPIC", False)
    monkeypatch.setattr(repalg.numeric.solve, "BRAUER_FROM", 10**9)
    rep = parse(text)
    repalg.clear_cache()
    exact = rep.equivariant_basis()
    monkeypatch.setattr(repalg.numeric.solve, "WEIGHTS_LIMIT", 1)
    repalg.clear_cache()
    Q = rep.equivariant_basis()
    repalg.clear_cache()
    assert exact.info.strategy == "weights" and Q.info.strategy == "filter"
    assert Q.shape[1] == exact.shape[1] == rank and Q.info.gap > 1e6
    dense = Q.dense()
    np.testing.assert_allclose(dense.conj().T @ dense, np.eye(rank), atol=1e-10)
    np.testing.assert_allclose(dense @ dense.conj().T, exact.dense() @ exact.dense().conj().T, atol=1e-9)
    G = rep.groups()[0]
    for g in G.samples(2, key=1):
        assert scale_adjusted_error(explicit(rep, {G: g}) @ dense, dense, g) < 1e-9


@pytest.mark.slow
def test_a_large_problem_goes_matrix_free(monkeypatch):
    monkeypatch.setattr(repalg.numeric.solve, "ISOTYPIC", False)
    monkeypatch.setattr(repalg.numeric.solve, "BRAUER_FROM", 10**9)
    repalg.clear_cache()
    rep = parse("T(9)(SO(3))")  # N = 19683, a zero-weight space of 3139
    Q = rep.equivariant_basis()
    repalg.clear_cache()
    assert Q.shape[1] == 232 and Q.info.strategy == "filter" and Q.info.gap > 1e6
    v = Q @ np.random.default_rng(0).normal(size=232)
    for g in SO(3).samples(2, key=1):
        with repalg.numeric.precision.float64():
            assert scale_adjusted_error(np.asarray(rep.rho(g) @ v), v, g) < 1e-9


LARGE = [("T(10)(SO(3))", 603, "isotypic"), ("T(8)(O(1,3))", 105, "invariant-theory"),
         ("T(8)(SO(1,3))", 196, "invariant-theory"), ("T(12)(SU(2))", 132, "isotypic")]


@pytest.mark.parametrize("text,rank,strategy", default(LARGE, ("T(8)(SO(1,3))", 196, "invariant-theory"),
                                                       ("T(12)(SU(2))", 132, "isotypic")), ids=[c[0] for c in LARGE])
def test_large_problems_by_the_reduced_solvers(text, rank, strategy):
    rep = parse(text)
    Q = rep.equivariant_basis()
    assert Q.shape == (rep.size(), rank) and Q.info.strategy == strategy
    v = Q @ np.random.default_rng(0).normal(size=rank)
    G = rep.groups()[0]
    for g in G.samples(2, key=1):
        with repalg.numeric.precision.float64():
            assert scale_adjusted_error(np.asarray(rep.rho(g) @ v), v, g) < 1e-9
    repalg.clear_cache()


def test_solving_leaves_jax_precision_alone(monkeypatch):
    monkeypatch.setattr(repalg.numeric.solve, "WEIGHTS_LIMIT", 1)
    repalg.clear_cache()
    before = jax.numpy.ones(1).dtype
    Q = T(4)(SO(4)).equivariant_basis()
    assert Q.info.strategy == "filter" and Q.dense().dtype == np.float64
    assert jax.numpy.ones(1).dtype == before == np.float32
    repalg.clear_cache()


@pytest.mark.parametrize("text, form", [("T(4)(O(3))", "dense"), ("T(5)(S(7))", "gather"),
                                        ("T(8)(O(3))", "sparse")])
def test_products_with_jax_arrays_match_the_sparse_matrix_in_every_form(text, form):
    """Q @ c, Qᵀ @ y, y @ Q and their gradients on the device equal scipy's
    products, whichever form (dense, gather, segment sum, sparse) the
    basis's shape and sparsity pick."""
    Q = parse(text).equivariant_basis()
    M = Q.sparse()
    assert Q._device.form == form
    assert Q.T._device.form == {"gather": "segment sum"}.get(form, form)
    rng = np.random.default_rng(0)
    c, y = rng.normal(size=(Q.shape[1], 2)), rng.normal(size=Q.shape[0])
    assert np.allclose(jax.jit(lambda c: Q @ c)(jnp.asarray(c, jnp.float32)), M @ c, atol=1e-5)
    assert np.allclose(jax.jit(lambda y: Q.T @ y)(jnp.asarray(y, jnp.float32)), M.T @ y, atol=1e-4)
    assert np.allclose(jax.jit(lambda y: y @ Q)(jnp.asarray(y, jnp.float32)), M.T @ y, atol=1e-4)
    grad = jax.grad(lambda c: jnp.sum(jnp.sin(Q @ c)))(jnp.asarray(c[:, 0], jnp.float32))
    assert np.allclose(grad, M.T @ np.cos(M @ c[:, 0]), atol=1e-4)
