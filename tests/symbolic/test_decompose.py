"""Decompositions against known results, predicted ranks against the
reference, and the laws of decomposition as hypothesis properties."""

from collections import Counter
from math import comb, factorial

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from repalg import ParseError, parse
from repalg.groups import C, D, GL, O, S, SO, SU, U, Z, Sp
from repalg.reps import Scalar, T, V
from repalg.symbolic.characters.dispatch import theory
from repalg.symbolic.decompose import complex_decomposition, irrep
from tests.reference import case_text, reference_cases


def multiplicities(rep) -> dict:
    return {str(k): m for k, m in rep.decompose().items()}


# known results -------------------------------------------------------------------


def angular_momentum(k: int) -> Counter:
    """V**k of SO(3) by adding angular momentum 1 k times (l ⊗ 1 = l-1 + l + l+1)."""
    out = Counter({0: 1})
    for _ in range(k):
        grown = Counter()
        for l, m in out.items():
            for j in range(abs(l - 1), l + 2):
                grown[j] += m
        out = grown
    return out


@pytest.mark.parametrize("k", range(1, 9))
def test_so3_tensor_powers_add_angular_momentum(k):
    expected = {f"Irrep(SO(3),{l})": m for l, m in sorted(angular_momentum(k).items())}
    assert multiplicities(T(k)(SO(3))) == expected


def test_the_examples_of_the_issue():
    assert str(T(2)(SO(3)).decompose()) == "Irrep(SO(3),0)+Irrep(SO(3),1)+Irrep(SO(3),2)"
    assert T(2)(SO(3)).isomorphic(Scalar(SO(3)) + V(SO(3)) + irrep(SO(3), 2))
    assert T(2)(SO(3)).isomorphic(parse("Scalar+V+Irrep(SO(3),2)")(SO(3)))


@pytest.mark.parametrize("k", range(1, 7))
def test_o3_powers_carry_parity(k):
    for key, m in T(k)(O(3)).decompose().items():
        l, parity = key.args[1]
        assert parity == (-1) ** k and angular_momentum(k)[l] == m


@pytest.mark.parametrize("k", range(1, 8))
def test_so2_powers_are_binomial(k):
    d = T(k)(SO(2)).decompose()
    for key, m in d.items():
        a = key.args[1]  # weights ±a, each C(k, (k-a)/2) times; a real irreducible holds the pair
        assert (k - a) % 2 == 0 and m == comb(k, (k - a) // 2)
    assert d.dim() == 2**k


def test_su2_spin_one_half_powers():
    # (1/2)^⊗4 = 2·0 + 3·1 + 2 (spins), labels are 2j
    assert multiplicities(T(4)(SU(2))) == {"Irrep(SU(2),0)": 2, "Irrep(SU(2),2)": 3, "Irrep(SU(2),4)": 1}


def test_su3_cube_of_the_fundamental():
    # 3 ⊗ 3 ⊗ 3 = 1 + 8 + 8 + 10
    d = T(3)(SU(3)).decompose()
    assert sorted((k.size(), m) for k, m in d.items()) == [(1, 1), (8, 2), (10, 1)] and d.field == "complex"


def double_factorial(m):
    return 1 if m <= 0 else m * double_factorial(m - 2)


def stirling2(n, k):
    return sum((-1) ** i * comb(k, i) * (k - i) ** n for i in range(k + 1)) // factorial(k)


@pytest.mark.parametrize("n,k", [(3, 2), (4, 4), (5, 4), (4, 6), (6, 4), (2, 6)])
def test_invariant_counts_of_classical_groups(n, k):
    # first fundamental theorems: pairings for O(n) and Sp (k/2 <= n), permutations for U(n)
    if k % 2 == 0 and k // 2 <= n:
        assert T(k)(O(n)).predicted_rank() == double_factorial(k - 1)
        assert T(k)(Sp(n)).predicted_rank() == double_factorial(k - 1)
    if k <= n:
        assert T(k, k)(U(n)).predicted_rank() == factorial(k)
        assert T(k, k)(GL(n)).predicted_rank() == factorial(k)
    # S(n) on R^n: set partitions of k into at most n blocks
    assert T(k)(S(n)).predicted_rank() == sum(stirling2(k, j) for j in range(1, n + 1))


@pytest.mark.parametrize("group", [C(3), C(4), C(6), D(3), D(4), D(5), Z(4), Z(5)], ids=str)
@pytest.mark.parametrize("k", [2, 3, 4])
def test_finite_groups_by_averaging_characters(group, k):
    # the number of invariants is the mean of trace(g)^k over the group's elements
    elements = group_elements(group)
    expected = round(np.mean([np.trace(g) ** k for g in elements]).real)
    assert T(k)(group).predicted_rank() == expected


def group_elements(group):
    disc = np.asarray(group.discrete_generators)
    found = [np.eye(group.d)]
    frontier = list(found)
    while frontier:
        new = []
        for g in frontier:
            for h in disc:
                x = h @ g
                if not any(np.allclose(x, y) for y in found):
                    found.append(x)
                    new.append(x)
        frontier = new
    return found


GROUPS = [SO(2), O(2), SO(3), O(3), SU(2), SU(3), U(2), SO(4), O(4), O(5), SO(5), Sp(2), SO(1, 3), O(1, 3),
          parse("V(SO+(1,3))").groups()[0], C(5), D(4), D(3), Z(4), S(4), S(5), GL(2),
          parse("V(O(2)eR3)").groups()[0], SO(3) * S(3)]


@pytest.mark.parametrize("group", GROUPS, ids=str)
def test_dimensions_add_up_to_the_size(group):
    for rep in (T(1), T(2), T(3), T(1, 1), T(2, 1), 2 * V + V.T * V):
        bound = rep(group)
        d = bound.decompose()
        assert d.dim() == bound.size()
        assert all(m > 0 for m in d.values())


# the reference -------------------------------------------------------------------

CASES = [c for c in reference_cases() if all(theory(g) is not None for g in parse(case_text(c)).groups())]


@pytest.mark.parametrize("case", CASES, ids=[case_text(c) for c in CASES])
def test_predicted_rank_is_the_reference_rank(case):
    assert parse(case_text(case)).predicted_rank() == case["rank"]


def test_most_reference_groups_have_a_theory():
    assert len(CASES) >= 200


# labels -----------------------------------------------------------------------------

IRREPS = ["Irrep(SO(3),2)", "Irrep(O(3),(2,-1))", "Irrep(SU(3),(2,1))", "Irrep(S(4),(3,1))", "Irrep(SO(2),3)",
          "Irrep(O(2),(0,-1))", "Irrep(O(4),(1,1))", "Irrep(O(4),(2,0,-1))", "Irrep(D(4),(2,1))", "Irrep(Z(5),2)",
          "Irrep(SO(3)*S(4),(1,(3,1)))", "Irrep(Sp(2),(1,1))", "Irrep(SO+(1,3),(1,-1))", "Irrep(U(2),(1,-1))"]


@pytest.mark.parametrize("text", IRREPS)
def test_irreps_round_trip_and_are_irreducible(text):
    r = parse(text)
    assert parse(repr(r)) == r and parse(str(r)) == r
    d = r.decompose()
    assert list(d.values()) == [1] and d.dim() == r.size()


@pytest.mark.parametrize("text,problem", [
    ("Irrep(SO(3),-1)", "dominant"), ("Irrep(S(4),(3,2))", "partition of 4"), ("Irrep(O(3),2)", "sign"),
    ("Irrep(RubiksCube,1)", "no labels"), ("Irrep(2)", "group"), ("Irrep(SU(3),(1,2))", "dominant"),
    ("Irrep(D(4),(1,1))", "a in"),
])
def test_bad_labels_are_parse_errors(text, problem):
    with pytest.raises(ParseError, match=problem):
        parse(text)


# laws -------------------------------------------------------------------------------

LAW_GROUPS = [SO(2), O(2), SO(3), O(3), SU(2), S(3), Z(3), D(4), O(1, 3), Sp(1)]


def leaf(group):
    base = [V(group), V(group).T, Scalar(group)]
    th = theory(group)
    if th is not None:
        base += [irrep(group, *th.show(th.trivial))]
    return st.sampled_from(base)


def reps_over(group, max_leaves=4):
    return st.recursive(leaf(group), lambda c: st.one_of(
        st.tuples(c, c).map(lambda t: t[0] + t[1]),
        st.tuples(c, c).map(lambda t: t[0] * t[1]),
        st.tuples(c, c).map(lambda t: t[0] >> t[1]),
        c.map(lambda r: r.T)), max_leaves=max_leaves)


@st.composite
def bound_reps(draw, max_leaves=4):
    group = draw(st.sampled_from(LAW_GROUPS))
    rep = draw(reps_over(group, max_leaves))
    # an expression with no atom left (Scalar, 0) has no group: it decomposes into Scalars
    return group, rep + V(group)


@st.composite
def rep_pairs(draw):
    """Two representations of one group: independent, or the second the dual
    of the first (isomorphic to it for real and quaternionic ones)."""
    group, a = draw(bound_reps(max_leaves=3))
    b = draw(st.one_of(reps_over(group, 3).map(lambda r: r + V(group)), st.just(a.T)))
    return group, a, b


def counts(rep):
    return Counter(dict(rep.decompose().items()))


@given(bound_reps())
def test_decomposition_of_a_sum_is_the_sum(pair):
    group, a = pair
    b = a.T * a + V(group)
    assert counts(a + b) == counts(a) + counts(b)
    assert (a + b).decompose().dim() == a.size() + b.size()


def elements(group):
    """Every element of a finite group (closure of its generators, written out
    here), or a dozen sampled elements of a Lie group (enough: characters are
    analytic, and differ on an open set where they differ at all)."""
    from repalg.numeric import discrete_generators, samples
    if not group.is_discrete:
        return list(samples(group, 12, key=3))
    gens = list(discrete_generators(group))
    found = {np.round(np.eye(group.d), 8).tobytes(): np.eye(group.d)}
    frontier = [np.eye(group.d)]
    while frontier:
        grown = []
        for g in frontier:
            for h in gens:
                x = g @ h
                code = np.round(x, 8).tobytes()
                if code not in found:
                    found[code] = x
                    grown.append(x)
        frontier = grown
    return list(found.values())


def character(rep, g) -> complex:
    """tr rho(g), from the atoms' matrices alone: sums add, products multiply."""
    from repalg.numeric.rho import atom_rho
    from repalg.symbolic.nodes import Atom, Sum
    if isinstance(rep, Atom):
        return complex(np.trace(atom_rho(rep, g, xp=np)))
    if isinstance(rep, Sum):
        return sum(m * character(t, g) for t, m in rep.terms)
    return complex(np.prod([character(f, g) ** e for f, e in rep.factors]))


def same_characters(a, b, group) -> bool:
    return all(abs(character(a, g) - character(b, g)) <= 1e-6 * (1 + abs(character(a, g)))
               for g in elements(group))


@settings(max_examples=60, deadline=None)
@given(rep_pairs())
def test_isomorphic_means_equal_characters(pair):
    # checked against traces of the representation matrices at group elements,
    # not against repalg's decompositions
    group, a, b = pair
    assert a.isomorphic(b) == (a.size() == b.size() and same_characters(a, b, group))
    rebuilt = a.decompose().as_rep()
    assert rebuilt.size() == a.size() and same_characters(a, rebuilt, group)


@pytest.mark.parametrize("text,other,iso", [
    ("V**2", "Scalar+V+Irrep(SO(3),2)", True), ("V**2", "V+V+V", False),  # SO(3)
    ("V>>V", "V**2", True), ("V.T", "V", True),
])
def test_isomorphism_examples(text, other, iso):
    G = SO(3)
    a, b = parse(text)(G), parse(other)(G)
    assert a.isomorphic(b) == iso == same_characters(a, b, G)


def test_dual_of_a_unitary_group_is_not_isomorphic():
    G = SU(3)
    assert not V(G).isomorphic(V(G).T) and not same_characters(V(G), V(G).T, G)
    assert (V(G) * V(G).T).isomorphic(V(G).T * V(G))


@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), st.lists(st.integers(0, 4), min_size=1, max_size=4))
def test_so3_products_follow_clebsch_gordan(ls, ms):
    a = sum((irrep(SO(3), l) for l in ls), start=0 * Scalar)
    b = sum((irrep(SO(3), l) for l in ms), start=0 * Scalar)
    expected = Counter()
    for l in ls:
        for m in ms:
            for j in range(abs(l - m), l + m + 1):
                expected[f"Irrep(SO(3),{j})"] += 1
    assert Counter(multiplicities(a * b)) == expected


@settings(max_examples=60, deadline=None)
@given(bound_reps(max_leaves=3), bound_reps(max_leaves=3), bound_reps(max_leaves=3))
def test_isomorphic_is_an_equivalence_relation(x, y, z):
    a, b, c = x[1], y[1], z[1]
    assert a.isomorphic(a)
    assert a.isomorphic(b) == b.isomorphic(a)
    if a.isomorphic(b) and b.isomorphic(c):
        assert a.isomorphic(c)


@settings(max_examples=40, deadline=None)
@given(bound_reps(max_leaves=3))
def test_hom_counts_are_the_solved_ranks(pair):
    # dim Hom(A, A) = Σ m_λ² over the complex irreducibles of A's decomposition,
    # against the rank of the basis the numeric solver finds for A >> A
    group, a = pair
    assume((a >> a).size() <= 1300)
    _, labels = complex_decomposition(a)
    _, dual = complex_decomposition(a.T)
    th = theory(group)
    assert (a >> a).equivariant_basis().shape[1] == sum(m * m for m in labels.values())
    assert sum(m * th.dim(k[0]) for k, m in dual.items()) == a.size()


def test_characters_too_large_to_expand_are_refused_not_computed():
    with pytest.raises(ValueError, match="more than repalg expands"):
        (irrep(SU(3), (300, 100)) * V(SU(3))).decompose()
    assert T(2)(Z(10**9)).predicted_rank() is None


@pytest.mark.slow
def test_a_tensor_power_too_large_to_expand_is_refused():
    """T(8) of SO(20): refused when a product of its characters passes the
    limit, after the products below it (7 s)."""
    with pytest.raises(ValueError, match="too large to decompose by characters"):
        T(8)(SO(20)).predicted_rank()


def test_the_regular_representation_of_a_large_cyclic_group_multiplies_in_linear_time():
    # V of Z(n) is the regular representation R, and R ⊗ X = dim(X) R: no n² convolution
    import time

    start = time.perf_counter()
    assert (V**3 * V.T**3)(Z(1000)).predicted_rank() == 1000**5
    assert (V**20)(Z(1000)).predicted_rank() == 1000**19  # exact beyond 64-bit integers
    d = (V**2 * irrep(Z(1000), 3) + irrep(Z(1000), 5) * irrep(Z(1000), 995))(Z(1000)).decompose()
    # R² ⊗ X = 2000 R for X of dimension 2; X_5 ⊗ X_5 (995 ≡ -5 is the same real irreducible) = 2 + X_10
    assert d.dim() == 2 * 1000**2 + 4 and d[irrep(Z(1000), 0)] == 2000 + 2 and d[irrep(Z(1000), 10)] == 2000 + 1
    assert (V**3)(Z(100_000)).predicted_rank() == 100_000**2
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("text", ["V**2", "V**2*V.T", "(V+Irrep(Z(6),1))**2", "Irrep(Z(6),2)*Irrep(Z(6),1)*V.T**2"])
def test_cyclic_ranks_by_characters_match_the_solver(text):
    rep = parse(f"({text})(Z(6))")
    assert rep.predicted_rank() == rep.equivariant_basis().shape[1]
