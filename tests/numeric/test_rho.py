"""Representations in numbers: rho and drho of every kind of expression."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from repalg import parse
from repalg.groups import GL, O, S, SO, SU, Z
from repalg.reps import Scalar, T, V
from tests.symbolic.expressions import explicit

EXPRESSIONS = ["V", "V.T", "Scalar", "2*V+1", "V*(1+V)", "V**3", "V>>V**2", "(2*V+V**2)>>(V+1)", "V*V.T*V",
               "(V+V.T)**2", "T(2,1)"]
GROUPS = [SO(3), O(1, 3), GL(2), SU(2), S(4), Z(3)]


@pytest.mark.parametrize("text", EXPRESSIONS)
@pytest.mark.parametrize("G", GROUPS, ids=str)
def test_rho_is_the_explicit_kronecker_and_block_structure(text, G):
    rep = parse(text)(G)
    g = G.samples(1, key=1)[0]
    np.testing.assert_allclose(np.asarray(rep.rho_dense(g)), explicit(rep, {G: g}), rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize("text", EXPRESSIONS)
@pytest.mark.parametrize("G", [SO(3), O(1, 3), SU(2), GL(2)], ids=str)
def test_rho_is_a_homomorphism_and_drho_its_derivative(text, G):
    rep = parse(text)(G)
    g1, g2 = G.samples(2, key=2)
    np.testing.assert_allclose(np.asarray(rep.rho_dense(g1 @ g2)),
                               np.asarray(rep.rho_dense(g1)) @ np.asarray(rep.rho_dense(g2)), rtol=1e-3, atol=1e-3)
    a = G.lie_algebra[0]
    t = 1e-2
    lhs = np.asarray(rep.rho_dense(scipy.linalg.expm(t * a)))
    rhs = scipy.linalg.expm(t * np.asarray(rep.drho_dense(a)))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-3, atol=1e-4)


def test_structured_operators_match_their_dense_form():
    rep = parse("(2*V+V**2)>>(V+1)")(SO(3))
    g = SO(3).sample(key=0)
    x = np.random.default_rng(0).normal(size=(rep.size(), 3))
    np.testing.assert_allclose(np.asarray(rep.rho(g) @ x), np.asarray(rep.rho_dense(g)) @ x, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(rep.rho(g) @ x[:, 0]), np.asarray(rep.rho_dense(g)) @ x[:, 0],
                               rtol=1e-4, atol=1e-4)
    a = SO(3).lie_algebra[1]
    np.testing.assert_allclose(np.asarray(rep.drho(a) @ x), np.asarray(rep.drho_dense(a)) @ x, rtol=1e-4, atol=1e-4)
    assert np.asarray(rep.rho(g)).shape == (rep.size(), rep.size())


def test_traceable_by_vmap_and_jit():
    rep = (V**2 >> V)(O(1, 3))
    gs = O(1, 3).samples(5, key=0)
    batched = jax.vmap(rep.rho_dense)(gs)
    assert batched.shape == (5, 64, 64)
    np.testing.assert_allclose(batched[2], rep.rho_dense(gs[2]), rtol=1e-5, atol=1e-5)
    jitted = jax.jit(rep.rho_dense)(jnp.asarray(gs[0]))
    np.testing.assert_allclose(jitted, rep.rho_dense(gs[0]), rtol=1e-5, atol=1e-5)
    applied = jax.jit(lambda g, x: rep.rho(g) @ x)(jnp.asarray(gs[0]), jnp.ones(64))
    assert applied.shape == (64,)


def test_mixed_groups_take_a_dict():
    rep = 2 * V(Z(3)) * V(S(4)) + V(O(3))**2
    elements = {Z(3): Z(3).sample(key=0), S(4): S(4).sample(key=1), O(3): O(3).sample(key=2)}
    dense = np.asarray(rep.rho_dense(elements))
    np.testing.assert_allclose(dense, explicit(rep, elements), atol=1e-5)
    with pytest.raises(ValueError, match="dict"):
        rep.rho_dense(elements[O(3)])
    with pytest.raises(ValueError, match="no element given for the group Z"):
        rep.rho_dense({S(4): elements[S(4)], O(3): elements[O(3)]})
    lie = {Z(3): np.zeros((3, 3)), S(4): np.zeros((4, 4)), O(3): O(3).lie_algebra[0]}
    assert np.asarray(rep.drho_dense(lie)).shape == (33, 33)


def test_unbound_expressions_say_so():
    with pytest.raises(ValueError, match="bind"):
        V.rho_dense(np.eye(3))
    with pytest.raises(ValueError, match="bind"):
        (V * V).equivariant_basis()


def test_scalar_and_zero():
    assert np.asarray(Scalar.rho_dense(np.eye(3))).tolist() == [[1.0]]
    assert np.asarray(Scalar.drho_dense(np.eye(3))).tolist() == [[0.0]]
    assert np.asarray((0 * V)(SO(3)).rho_dense(np.eye(3))).shape == (0, 0)


def test_elements_of_the_wrong_shape_are_refused():
    rep = T(2)(SO(3))
    with pytest.raises(ValueError, match=r"3×3 matrix, got an array of shape \(2, 2\)"):
        rep.rho_dense(np.eye(2))
    with pytest.raises(ValueError, match="3×3"):
        rep.drho(np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="3×3"):
        jax.vmap(rep.rho_dense)(np.zeros((4, 2, 2)))
    assert np.asarray(rep.rho_dense([[1, 0, 0], [0, 1, 0], [0, 0, 1]])).shape == (9, 9)  # a plain list works
