"""Groups in numbers: emlp's generators exactly, and the group laws of samples."""

import json
from pathlib import Path

import jax
import numpy as np
import pytest
import scipy.linalg

import repalg
from repalg import group
from repalg.groups import (
    C, Cube, D, DkeR3, GL, Group, Lorentz, O, O2eR3, O11, O13, RubiksCube, S, SL, SO, SO2eR3, SO11p, SO13,
    SO13p, SU, Scaling, Sp, Trivial, U, Z, ZksZnxZn,
)

EMLP = json.loads((Path(__file__).parent.parent / "data" / "emlp_generators.json").read_text())


def decode(entry):
    a = np.array(entry["re"], dtype=float)
    return a + 1j * np.array(entry["im"]) if "im" in entry else a


@pytest.mark.parametrize("name", sorted(EMLP))
def test_generators_are_emlps(name):
    G, ref = group(name), EMLP[name]
    assert G.d == ref["d"]
    np.testing.assert_allclose(G.lie_algebra, decode(ref["lie_algebra"]).reshape(-1, G.d, G.d), atol=1e-12)
    np.testing.assert_allclose(G.discrete_generators, decode(ref["discrete_generators"]).reshape(-1, G.d, G.d),
                               atol=1e-12)
    assert G.is_orthogonal == ref["is_orthogonal"]
    assert G.is_permutation == ref["is_permutation"]
    assert G.num_constraints() == ref["num_constraints"]


def metric(p, q):
    return np.diag([1.0] * p + [-1.0] * q)


def symplectic(m):
    return np.block([[np.zeros((m, m)), np.eye(m)], [-np.eye(m), np.zeros((m, m))]])


# (group, the invariant it preserves: a check on each element)
LAWS = {
    "SO(3)": lambda g: np.allclose(g @ g.T, np.eye(3)) and np.isclose(np.linalg.det(g), 1),
    "O(3)": lambda g: np.allclose(g @ g.T, np.eye(3)),
    "O(5)": lambda g: np.allclose(g @ g.T, np.eye(5)),
    "SO(1,3)": lambda g: (np.allclose(g.T @ metric(1, 3) @ g, metric(1, 3), atol=1e-8)
                          and np.isclose(np.linalg.det(g), 1)),
    "SO+(1,3)": lambda g: np.allclose(g.T @ metric(1, 3) @ g, metric(1, 3), atol=1e-8) and g[0, 0] >= 1,
    "O(1,3)": lambda g: np.allclose(g.T @ metric(1, 3) @ g, metric(1, 3), atol=1e-8),
    "O(1,1)": lambda g: np.allclose(g.T @ metric(1, 1) @ g, metric(1, 1), atol=1e-8),
    "Sp(2)": lambda g: np.allclose(g.T @ symplectic(2) @ g, symplectic(2), atol=1e-6),
    "SU(3)": lambda g: np.allclose(g @ g.conj().T, np.eye(3)) and np.isclose(np.linalg.det(g), 1),
    "U(2)": lambda g: np.allclose(g @ g.conj().T, np.eye(2)),
    "SL(3)": lambda g: np.isclose(np.linalg.det(g), 1),
    "GL(2)": lambda g: np.linalg.det(g) > 0,
    "C(6)": lambda g: np.allclose(np.linalg.matrix_power(g, 6), np.eye(2)),
    "D(4)": lambda g: np.allclose(g @ g.T, np.eye(2)) and np.allclose(np.linalg.matrix_power(g, 8), np.eye(2)),
    "Z(5)": lambda g: np.allclose(np.linalg.matrix_power(g, 5), np.eye(5)),
    "S(6)": lambda g: set(np.unique(g)) <= {0, 1} and np.all(g.sum(0) == 1),
    "Cube": lambda g: set(np.unique(g)) <= {0, 1} and np.all(g.sum(1) == 1),
    "RubiksCube": lambda g: set(np.unique(g)) <= {0, 1} and np.all(g.sum(1) == 1),
    "Trivial(3)": lambda g: np.allclose(g, np.eye(3)),
    "Scaling(3)": lambda g: np.allclose(g, g[0, 0] * np.eye(3)) and g[0, 0] > 0,
    "ZksZnxZn(4,3)": lambda g: set(np.unique(g)) <= {0, 1},
    "O(2)eR3": lambda g: np.allclose(g @ g.T, np.eye(3)) and np.isclose(g[2, 2], 1),
    "SO(3)*S(4)": lambda g: np.allclose(g @ g.T, np.eye(12)),
}


@pytest.mark.parametrize("name", sorted(LAWS))
def test_samples_are_group_elements(name):
    G = group(name)
    gs = G.samples(4, key=0)
    assert gs.shape == (4, G.d, G.d)
    assert all(LAWS[name](g) for g in gs)


def test_samples_are_reproducible():
    G = SO(3)
    np.testing.assert_array_equal(G.samples(3, key=7), G.samples(3, key=7))
    assert not np.allclose(G.samples(3, key=7), G.samples(3, key=8))
    k = jax.random.PRNGKey(3)
    np.testing.assert_array_equal(G.samples(2, key=k), G.samples(2, key=k))
    np.testing.assert_array_equal(G.samples(2, key=jax.random.key(3)), G.samples(2, key=jax.random.key(3)))
    np.random.seed(0)
    first = G.samples(2)
    np.random.seed(0)
    np.testing.assert_array_equal(first, G.samples(2))
    assert G.sample(key=1).shape == (3, 3)


def test_samples_take_the_generators_in_one_shuffled_order_a_call_as_emlp():
    """emlp's ``noise2sample``: a round applies a random power in [-5, 5) of
    each discrete generator, in an order shuffled once per call and shared
    by its samples. S(3)'s two generators do not commute: with one round,
    each call's samples are all explained by one order, and over 20 calls
    both orders occur."""
    G = group("S(3)")
    a, b = G.discrete_generators
    powers = range(-5, 5)
    words = {order: {np.linalg.matrix_power(x, i).dot(np.linalg.matrix_power(y, j)).round().tobytes()
                     for i in powers for j in powers} for order, (x, y) in (("ab", (a, b)), ("ba", (b, a)))}
    seen = set()
    for key in range(20):
        samples = [g.round().tobytes() for g in G.samples(30, key=key, rounds=1)]
        explained = [order for order, made in words.items() if all(g in made for g in samples)]
        assert explained  # one order serves the whole call
        seen.update(explained if len(explained) == 1 else [])
    assert seen == {"ab", "ba"}


def test_lie_algebra_exponentiates_into_the_group():
    for name in ["SO(4)", "SO+(1,3)", "Sp(2)", "SU(2)", "SL(3)"]:
        G = group(name)
        for a in G.lie_algebra:
            g = scipy.linalg.expm(0.3 * a)
            assert LAWS.get(name, lambda g: True)(g)


def test_emlp_names():
    assert Lorentz() == O13() == O(1, 3)
    assert SO13() == SO(1, 3) and SO13p() == group("SO+(1,3)")
    assert O11() == O(1, 1) and SO11p() == group("SO+(1,1)")
    assert SO2eR3() == group("SO(2)eR3") and O2eR3() == group("O(2)eR3") and DkeR3(6) == group("D(6)eR3")
    for G in [SO(3), O(3), Sp(2), SU(3), U(2), SL(3), GL(2), C(4), D(6), Z(5), S(5), Cube(), RubiksCube(),
              Trivial(3), Scaling(3), ZksZnxZn(4, 4)]:
        assert G.num_constraints() == len(G.lie_algebra) + len(G.discrete_generators)


def test_user_group_by_keywords():
    flip = Group(discrete_generators=[np.diag([-1.0, 1.0, 1.0])], name="Flip")
    assert flip.d == 3 and flip.is_orthogonal and not flip.is_permutation and flip.is_discrete
    assert str(flip) == "Flip" and flip == Group(discrete_generators=[np.diag([-1.0, 1.0, 1.0])], name="Flip")
    assert flip != Group(discrete_generators=[np.diag([1.0, -1.0, 1.0])], name="Flip")
    assert Group(d=4).d == 4


def test_user_group_as_an_emlp_style_subclass():
    class Rotations(Group):
        def __init__(self, n):
            self.lie_algebra = SO(n).lie_algebra
            super().__init__(n)

    G = Rotations(3)
    assert str(G) == "Rotations(3)" and G.d == 3 and G.is_orthogonal and G.is_compact
    assert repalg.parse("T(2)")(G).equivariant_basis().shape == (9, 1)
    assert (SO(2) * G).d == 6
    gs = G.samples(2, key=0)
    assert np.allclose(gs[0] @ gs[0].T, np.eye(3))


def test_user_group_registered_by_name():
    klein = Group(discrete_generators=[np.eye(4)[[1, 0, 3, 2]], np.eye(4)[[2, 3, 0, 1]]], name="Klein")
    repalg.register_group("Klein", klein)
    rep = repalg.parse("T(2)(Klein)")
    assert rep.size() == 16
    assert rep.equivariant_basis().shape == (16, 4)  # regular rep of a group of order 4
    assert repalg.parse(repr(rep)) == rep


def test_bad_user_groups():
    with pytest.raises(ValueError, match="d"):
        Group()
    with pytest.raises(ValueError, match="sizes"):
        Group(lie_algebra=[np.zeros((2, 2))], discrete_generators=[np.eye(3)])
    with pytest.raises(ValueError, match="sizes"):
        Group(lie_algebra=[np.zeros((3, 2))], d=3)
    with pytest.raises(ValueError, match="2×2"):
        Group(lie_algebra=[np.zeros((3, 2))], d=2)


def test_named_group_without_numbers_says_so():
    from repalg.symbolic.group_descriptors import NamedGroup

    G = NamedGroup("Mystery", (), d=2)
    with pytest.raises(ValueError, match="no generators"):
        G.lie_algebra
