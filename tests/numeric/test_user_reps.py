"""Representations and groups of the user's own, written emlp's way: a Rep
subclass with its own rho, a Group whose generators are linear operators,
groups as dict keys of JAX pytrees."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import repalg
from repalg.groups import O, S, SO, Group, Z
from repalg.reps import Rep, Scalar, T, V


class Psi(Rep):
    """The real irreducible of SO(2) of frequency k (emlp's notebook 4)."""

    def __init__(self, k):
        self.G = SO(2)
        self.k = k

    def rho(self, M):
        return jnp.linalg.matrix_power(M, self.k)

    def __str__(self):
        return f"psi{self.k}"


class Pseudo(Rep):
    """The sign of the determinant: emlp's PseudoScalar, unbound until called."""

    def __init__(self, G=None):
        self.G = G

    def __str__(self):
        return "P"

    def rho(self, M):
        return jnp.linalg.slogdet(M @ jnp.eye(M.shape[0]))[0] * jnp.eye(1)

    def __call__(self, G):
        return Pseudo(G)


def rotation(t):
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def null_dim(blocks) -> int:
    m = np.vstack(blocks)
    sigma = np.linalg.svd(m, compute_uv=False)
    return m.shape[1] - int(np.sum(sigma > 1e-8 * max(sigma.max(), 1.0)))


def kron(*ms):
    out = np.eye(1)
    for m in ms:
        out = np.kron(out, m)
    return out


def test_user_rep_in_expressions_prints_and_sizes():
    p1, p2, p3 = Psi(1), Psi(2), Psi(3)
    rep = p1 * p2 + p3
    assert rep.size() == 6
    assert "psi1⊗psi2" in str(rep) and "psi3" in str(rep)
    assert p2.size() == 2 and str(p2) == "psi2"
    assert Psi(2) == Psi(2) and Psi(2) != Psi(3) and hash(Psi(2)) == hash(Psi(2))
    assert p2.T is p2  # orthogonal group: V* = V, as emlp


@pytest.mark.parametrize("k", [1, 2, 4])
def test_user_rep_basis_against_a_dense_null_space(k):
    """Hom_SO(2)(V⊗4, psi_k) from the Lie algebra constraint, built by hand."""
    rep = V(SO(2)) ** 4 >> Psi(k)
    Q = rep.equivariant_basis()
    a = SO(2).lie_algebra[0]
    eps = 1e-6
    d_psi = (np.linalg.matrix_power(scipy.linalg.expm(eps * a), k) - np.linalg.matrix_power(scipy.linalg.expm(-eps * a), k)) / (2 * eps)
    dual = -a.T
    constraint = np.kron(d_psi, np.eye(16)) + sum(
        kron(np.eye(2), *[dual if j == i else np.eye(2) for j in range(4)]) for i in range(4))
    assert Q.shape == (32, null_dim([constraint]))
    # V⊗4 holds frequency ±4 once, ±2 four times, 0 six times: dim Hom = 2·multiplicity
    assert Q.shape[1] == {1: 0, 2: 8, 4: 2}[k]
    g = rotation(0.7)
    rho = np.kron(np.linalg.matrix_power(g, k), np.kron(np.kron(g, g), np.kron(g, g)))
    np.testing.assert_allclose(rho @ Q.dense(), Q.dense(), atol=1e-8)


def test_frequencies_that_differ_have_no_maps():
    for a, b in [(1, 2), (2, 3), (1, 3)]:
        assert (Psi(a) >> Psi(b)).equivariant_basis().shape == (4, 0)
    assert (Psi(2) >> Psi(2)).equivariant_basis().shape == (4, 2)


def test_pseudoscalar_binds_through_its_call_and_solves():
    G = S(4)
    P = Pseudo()
    bound = (P + V * P)(G)
    assert bound.size() == 5
    g = G.samples(1, key=2)[0]
    sign = np.linalg.det(g)
    np.testing.assert_allclose((Pseudo(G) * V(G)).rho_dense(g), sign * g, atol=1e-6)
    rin, rout = Pseudo(G) * V(G) ** 2, V(G) ** 2
    Q = (rin >> rout).equivariant_basis()
    # first principles: the constraints rho(h) - I for S(4)'s generators
    blocks = [kron(h, h, np.linalg.det(h) * h, h) - np.eye(256) for h in G.discrete_generators]
    assert Q.shape == (256, null_dim(blocks))
    for g in G.samples(3, key=5):
        rho = kron(g, g, np.linalg.det(g) * g, g)
        np.testing.assert_allclose(rho @ Q.dense(), Q.dense(), atol=1e-8)


def test_pseudoscalar_under_o3_is_odd():
    G = O(3)
    P = Pseudo(G)
    # the cross product V⊗V -> V is SO(3)-equivariant but odd: it lands in P⊗V under O(3)
    assert (V(G) ** 2 >> V(G)).equivariant_basis().shape[1] == 0
    assert (V(G) ** 2 >> P * V(G)).equivariant_basis().shape[1] == 1
    assert (Pseudo(SO(3)) * V(SO(3)) ** 3).equivariant_basis().shape[1] == 1


def test_drho_defaults_to_the_derivative_of_rho():
    a = SO(2).lie_algebra[0]
    np.testing.assert_allclose(np.asarray(Psi(3).drho_dense(a)), 3 * a, atol=1e-6)


def test_a_rep_without_rho_says_so():
    class Empty(Rep):
        def __init__(self):
            self.G = SO(3)

        def size(self):
            return 2

    with pytest.raises(ValueError, match="defines no rho"):
        Empty().equivariant_basis()


def test_user_reps_stay_off_the_disk_cache(tmp_path):
    repalg.set_cache_dir(tmp_path)
    try:
        repalg.clear_cache()
        (V(SO(2)) ** 2 >> Psi(2)).equivariant_basis()
        assert not any(tmp_path.iterdir())
    finally:
        repalg.set_cache_dir(None)


def test_two_user_reps_with_one_name_are_kept_apart():
    class A(Rep):
        def __init__(self, k):
            self.G, self.k = SO(2), k

        def rho(self, M):
            return jnp.linalg.matrix_power(M, self.k)

        def __str__(self):
            return "X"

    assert (A(1) >> Psi(1)).equivariant_basis().shape[1] == 2
    assert (A(2) >> Psi(1)).equivariant_basis().shape[1] == 0


class LazyPerm:
    """A permutation known only by its action, as emlp's docs define it."""

    def __init__(self, perm):
        self.perm = perm
        self.shape = (len(perm), len(perm))

    def __matmul__(self, x):
        return x[self.perm]


class AltFast(Group):
    """The alternating group from 3-cycles given as operators (emlp's notebook 3)."""

    def __init__(self, n):
        perms = np.zeros((n - 2, n), dtype=int) + np.arange(n)
        for i in range(n - 2):
            ids = (0, 1, i + 2)
            perms[i, ids] = perms[i, np.roll(ids, 1)]
        self.discrete_generators = [LazyPerm(p) for p in perms]
        super().__init__(n)


def test_alternating_group_from_operators():
    # T(5) of Alt(5): 63 invariants, against 52 for S(5) (orbits of 5-tuples)
    Q = T(5)(AltFast(5)).equivariant_basis()
    assert Q.shape == (3125, 63) and Q.info.strategy == "orbit"
    assert T(5)(S(5)).equivariant_basis().shape == (3125, 52)
    assert T(2)(AltFast(100)).equivariant_basis().shape == (10000, 2)


def test_groups_are_totally_ordered_and_jax_pytree_keys():
    G1, G2 = SO(3), S(5)
    assert sorted([G2, G1]) == sorted([G1, G2]) == [G2, G1]  # by name: "S(5)" < "SO(3)"
    assert G2 < G1 and not G1 < G2 and G1 <= G1 and G1 >= G1 and G1 > G2
    rep = T(2)(G1) * T(1)(G2)
    samples = {G1: G1.samples(4, key=0), G2: G2.samples(4, key=1)}
    out = jax.vmap(rep.rho_dense)(samples)
    assert out.shape == (4, 45, 45)
    a = Group(discrete_generators=[np.diag([-1.0, 1.0])], name="F")
    b = Group(discrete_generators=[np.diag([1.0, -1.0])], name="F")
    assert a != b and (a < b) != (b < a)
    shapes = jax.tree_util.tree_map(lambda x: x.shape, {a: np.ones(2), b: np.ones(3), Z(3): np.ones(4)})
    assert shapes == {a: (2,), b: (3,), Z(3): (4,)}
    assert jax.jit(lambda d: d[a] + 1)({a: jnp.ones(2), b: jnp.zeros(3)}).shape == (2,)


def test_scalar_and_user_reps_mix():
    assert ((Scalar + Psi(1)) >> Psi(1)).equivariant_basis().shape[1] == 2


class ProductSubRep(Rep):
    """One factor's base representation inside a direct product (emlp's model test)."""

    def __init__(self, G, index, size):
        self.G, self.index, self._size = G, index, size

    def __str__(self):
        return f"V_{self.G.factors[self.index]}"

    def size(self):
        return self._size

    def rho(self, M):
        return M.Ms[self.index]

    def drho(self, A):
        return A.Ms[self.index]


def test_reps_of_a_direct_product_receive_lazy_kron_elements():
    from repalg.reps.linear_operators import LazyKron

    G1, G2 = SO(3), S(5)
    G = G1 * G2
    v3, v5 = ProductSubRep(G, 0, 3), ProductSubRep(G, 1, 5)
    rep = v3 * v5 >> V(G)  # V(G) = V_SO(3) ⊗ V_S(5): SO(3) has one invariant of V⊗V, S(5) two
    Q = rep.equivariant_basis()
    assert Q.shape == (225, 2)
    for seed in range(3):
        g1, g2 = G1.samples(1, key=seed)[0], G2.samples(1, key=seed + 10)[0]
        explicit = kron(g1, g2, g1, g2)
        np.testing.assert_allclose(explicit @ Q.dense(), Q.dense(), atol=1e-8)
        np.testing.assert_allclose(np.asarray(v3.rho(LazyKron([g1, g2]))), g1)
        np.testing.assert_allclose(np.asarray((v5 + V(G)).rho_dense(LazyKron([g1, g2]))),
                                   scipy.linalg.block_diag(g2, np.kron(g1, g2)), atol=1e-6)
    # Hom(V_S(5), V_SO(3)) has none (SO(3) fixes no vector); Hom(V(G), V_SO(3)) one, from V_SO(3)⊗V_SO(3)
    assert (v5 + V(G) >> v3).equivariant_basis().shape == (60, 1)


@pytest.mark.parametrize("G1,G2", [(SO(3), S(5)), (S(4), SO(3)), (O(3), S(3)), (Z(3), SO(2))], ids=str)
def test_a_product_element_given_as_one_matrix_splits_into_its_factors(G1, G2):
    """Where the factors' groups tell +g from -g, a dense g1 ⊗ g2 made here
    reaches a user's rho as exactly (g1, g2); every generator splits exactly."""
    G = G1 * G2
    v1 = ProductSubRep(G, 0, G1.d)
    v2 = ProductSubRep(G, 1, G2.d)
    for seed in range(20):
        g1, g2 = G1.samples(1, key=seed)[0], G2.samples(1, key=seed + 100)[0]
        np.testing.assert_allclose(np.asarray(v1.rho_dense(np.kron(g1, g2))), g1, atol=1e-6)
        np.testing.assert_allclose(np.asarray(v2.rho_dense(np.kron(g1, g2))), g2, atol=1e-6)
    for i, h in enumerate(G.discrete_generators):
        blocks = [np.asarray(v.rho_dense(h)) for v in (v1, v2)]
        np.testing.assert_allclose(np.kron(*blocks), h, atol=1e-6)
        assert any(np.allclose(b, np.eye(len(b)), atol=1e-6) for b in blocks)
