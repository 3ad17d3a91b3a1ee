"""Finite groups by enumeration: predicted ranks against solves and reference
ranks, decompositions from characters against the numeric route, refusals."""

import time

import numpy as np
import pytest

import repalg
from repalg import parse
from repalg.numeric import commutant, finite
from repalg.numeric.stabilizer_chain import order_at_least
from repalg.symbolic.constructors import T
from repalg.symbolic.nodes import Atom, V
from repalg.symbolic.group_descriptors import SO, Cube, RubiksCube, S, Z, ZksZnxZn

from ..reference import case_text, reference_cases


def _cycle(n: int, items) -> np.ndarray:
    perm = np.arange(n)
    perm[list(items)] = np.roll(list(items), -1)
    return np.eye(n)[perm]


class Alt(repalg.Group):
    """The alternating group on n points, by its 3-cycles (0 1 i)."""

    def __init__(self, n):
        self.discrete_generators = [_cycle(n, (0, 1, i)) for i in range(2, n)]
        super().__init__(n)


class Quaternions(repalg.Group):
    """Q8 acting on ℍ = ℝ⁴ by left multiplication: V is of quaternionic type."""

    def __init__(self):
        i = np.array([[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]], dtype=float)
        j = np.array([[0, 0, -1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, -1, 0, 0]], dtype=float)
        self.discrete_generators = [i, j]
        super().__init__()


class Rotation(repalg.Group):
    """The rotations of the plane by multiples of 2π/k, as matrices."""

    def __init__(self, k):
        t = 2 * np.pi / k
        self.discrete_generators = [[[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]]
        super().__init__(k)


def _sign():
    return Atom("Sign", dim=1, rho_fn=lambda g: np.linalg.det(g).reshape(1, 1))


def _orders():
    return [(Cube(), 24), (ZksZnxZn(2, 2), 8), (ZksZnxZn(4, 4), 64), (S(5), 120), (Alt(5), 60),
            (Quaternions(), 8), (Rotation(7), 7)]


@pytest.mark.parametrize("group,order", _orders(), ids=lambda x: str(x))
def test_orders_and_class_equation(group, order):
    c = finite.classes(group)
    assert c.order == order and c.sizes.sum() == order and c.sizes[0] == 1
    table = finite.character_table(c)
    assert len(table) == len(c.sizes)
    assert round(float((table[:, 0].real ** 2).sum())) == order


CASES = [
    ("T(2)", Cube()), ("T(3)", Cube()), ("V>>V", Cube()), ("V+V**2", ZksZnxZn(2, 2)),
    ("T(3)", ZksZnxZn(2, 2)), ("V**2>>V", ZksZnxZn(2, 2)), ("T(2)", Alt(5)), ("T(3)", Alt(5)),
    ("T(2)", Quaternions()), ("V*V.T", Rotation(5)), ("T(3)", Rotation(3)),
]


@pytest.mark.parametrize("text,group", CASES, ids=[f"{t}-{g}" for t, g in CASES])
def test_predicted_rank_matches_the_solver(text, group):
    rep = parse(text)(group)
    predicted = rep.predicted_rank()
    assert predicted is not None
    assert predicted == rep.equivariant_basis().shape[1]


def test_alternating_against_symmetric():
    assert T(5)(Alt(5)).predicted_rank() == 63
    assert T(5)(S(5)).predicted_rank() == 52


def test_user_atoms_over_finite_groups():
    sign = _sign()
    for group in (Cube(), S(4), Alt(4)):
        for rep in ((sign * V**2)(group), (sign + V**3)(group), (sign * V >> V)(group)):
            predicted = rep.predicted_rank()
            assert predicted is not None and predicted == rep.equivariant_basis().shape[1], rep
    assert (sign * V)(SO(3)).predicted_rank() is None  # not finite


def test_mixed_groups():
    a, b = V(Cube()), V(S(4))
    assert (a * b).predicted_rank() == 1
    assert (a**2 * V(SO(3))**2 + a).predicted_rank() == 3 * 1 + 1
    assert (a * b * b).predicted_rank() == (a * b * b).equivariant_basis().shape[1]


@pytest.mark.parametrize("case", [c for c in reference_cases() if c["group"] in ("Cube", "ZksZnxZn(2,2)",
                                                                                  "ZksZnxZn(4,4)")],
                         ids=lambda c: case_text(c))
def test_reference_ranks(case):
    assert parse(case_text(case)).predicted_rank() == case["rank"]


SMALL = ["(V**2)(Cube)", "(V**2+V)(Cube)", "(V**2+V)(ZksZnxZn(2,2))", "V(ZksZnxZn(4,4))", "(V**3)(S(5))",
         "(V**2)(D(5))", "(V*V.T)(C(5))", "(V**3)(D(6))"]


@pytest.mark.parametrize("text", SMALL)
def test_decomposition_agrees_with_the_numeric_route(text):
    rep = parse(text)
    assert finite.from_characters(rep) == commutant.decompose(rep)


@pytest.mark.parametrize("rep", [V(Alt(5))**2, V(Quaternions()), V(Quaternions())**2, V(Rotation(7))**2],
                         ids=str)
def test_user_groups_decompose_as_the_numeric_route(rep):
    assert finite.from_characters(rep) == commutant.decompose(rep)


def test_quaternionic_type():
    (irrep, count), = finite.from_characters(V(Quaternions())).items()
    assert (irrep.dim, irrep.kind, count) == (4, "quaternionic", 1)


@pytest.mark.parametrize("rep,size", [(parse("(V**3+V**2)(ZksZnxZn(2,2))"), 576), (parse("(V**5)(Cube)"), 7776),
                                      (parse("(V**3)(ZksZnxZn(4,4))"), 64**3), (V(Alt(5))**4, 625)], ids=str)
def test_large_decompositions(rep, size):
    d = rep.decompose()
    assert d.dim() == size == sum(m * k.size() for k, m in d.items())
    irreps = finite.irreducibles(rep.groups()[0])
    norms = {irrep: norm for irrep, _, norm in irreps}
    # Σ m² ⟨ψ, ψ⟩ is the dimension of End_G
    assert sum(m * m * norms[k] for k, m in d.items()) == (rep >> rep).predicted_rank()


def test_rubiks_cube_is_refused_quickly():
    repalg.clear_cache()
    start = time.perf_counter()
    assert T(2)(RubiksCube()).predicted_rank() is None
    assert (V >> V)(RubiksCube()).predicted_rank() is None
    assert time.perf_counter() - start < 5
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"RubiksCube has at least \d+ elements \(a stabilizer chain's bound\): "
                                         r"repalg enumerates finite groups up to 100000"):
        finite.classes(RubiksCube())
    assert time.perf_counter() - start < 0.5  # refused before enumerating: 3 ms here, where it took 0.23 s


RUBIKS_ORDER = 192_478_109_606_665_638_469_868_501_076_483_558_604_800_000_000
"""The order of the group that ``RubiksCube``'s six generators (emlp's) make
on its 48 facets, by sympy's Schreier-Sims (``PermutationGroup.order()``,
1 s): 4.45e27 times the 43,252,003,274,489,856,000 positions of a real cube."""


@pytest.mark.parametrize("group, order", [(Cube(), 24), (S(5), 120), (S(8), 40320), (Z(7), 7),
                                          (S(9), 362880), (RubiksCube(), RUBIKS_ORDER)])
def test_the_stabilizer_chain_bound_never_exceeds_the_order(group, order):
    gens = finite._elements_of(group).generators
    for seed in range(3):
        bound = order_at_least(gens, 10**30, seed=seed)
        assert bound <= order  # a product of orbits of subgroups of the chain's stabilizers
    if order <= 10**5:  # small groups: the chain of Schreier generators reaches the whole group here
        assert order_at_least(gens, 10**5) == order
    else:
        assert order_at_least(gens, 10**5) > 10**5


def test_order_bound(monkeypatch):
    monkeypatch.setattr(finite, "MAX_ORDER", 100)
    repalg.clear_cache()
    with pytest.raises(ValueError, match=r"S\(5\) has at least 120 elements"):
        finite.classes(S(5))
    assert (_sign() * V)(S(5)).predicted_rank() is None
    repalg.clear_cache()


def test_cache_is_cleared():
    finite.classes(Cube())
    repalg.clear_cache()
    assert repalg.numeric.cache.get(("finite classes", Cube())) is None
    assert finite.classes(Cube()).order == 24


def test_not_a_homomorphism():
    bad = Atom("Bad", dim=1, rho_fn=lambda g: np.array([[1.5]]))
    with pytest.raises(ValueError, match="homomorphism"):
        finite.rank((bad * V)(Cube()))
    assert (bad * V)(Cube()).predicted_rank() is None


def test_an_infinite_group_is_refused():
    doubling = repalg.Group(discrete_generators=[np.diag([2.0, 1.0])], name="Doubling")
    with pytest.raises(ValueError, match="not finite"):
        finite.classes(doubling)
    assert T(2)(doubling).predicted_rank() is None
