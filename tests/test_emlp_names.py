"""The names emlp's notebooks and tests import from emlp.reps and emlp.groups,
under repalg: the LinearOperator base class, the lazy operators, and the
helpers sparsify_basis, vis, equivariance_error and rel_err."""

import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest
import scipy.linalg

from repalg.groups import S, SO, rel_err
from repalg.reps import V, equivariance_error, sparsify_basis, vis
from repalg.reps.linear_operator_base import Lazy, LinearOperator
from repalg.reps.linear_operators import (
    ConcatLazy, I, LazyDirectSum, LazyJVP, LazyKron, LazyKronsum, LazyPerm, densify, lazify,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


class UserPerm(LinearOperator):
    """emlp's notebook 3 example, word for word: no super().__init__."""

    def __init__(self, perm):
        self.perm = perm
        self.shape = (len(perm), len(perm))

    def _matmat(self, V):
        return V[self.perm]

    def _matvec(self, V):
        return V[self.perm]

    def _adjoint(self):
        return UserPerm(np.argsort(self.perm))


PERM = np.array([3, 0, 4, 1, 2])
DENSE = np.eye(5)[PERM]
rng = np.random.default_rng(0)


@pytest.mark.parametrize("xp", [np, jnp], ids=["numpy", "jax"])
def test_user_subclass_applies_to_vectors_and_matrices(xp):
    P = UserPerm(PERM)
    x, X = xp.asarray(rng.normal(size=5)), xp.asarray(rng.normal(size=(5, 3)))
    np.testing.assert_allclose(P @ x, DENSE @ np.asarray(x))
    np.testing.assert_allclose(P @ X, DENSE @ np.asarray(X))
    np.testing.assert_allclose(P.matvec(x), DENSE @ np.asarray(x))
    np.testing.assert_allclose(P.matmat(X), DENSE @ np.asarray(X))
    np.testing.assert_allclose(x @ P, np.asarray(x) @ DENSE)


def test_user_subclass_adjoint_dense_and_algebra():
    P = UserPerm(PERM)
    assert P.dtype == np.dtype(float)
    np.testing.assert_allclose(P.to_dense(), DENSE)
    np.testing.assert_allclose(np.asarray(P), DENSE)
    np.testing.assert_allclose(P.T.to_dense(), DENSE.T)
    np.testing.assert_allclose(P.H.to_dense(), DENSE.T)
    np.testing.assert_allclose(P.adjoint().to_dense(), DENSE.T)
    y = rng.normal(size=5)
    np.testing.assert_allclose(P.rmatvec(y), DENSE.T @ y)
    np.testing.assert_allclose(P.rmatmat(y[:, None]), DENSE.T @ y[:, None])
    combo = 2 * (P @ P) + P * 0.5 - Lazy(np.eye(5)) + np.eye(5)
    expected = 2 * DENSE @ DENSE + 0.5 * DENSE
    np.testing.assert_allclose(combo.to_dense(), expected)
    np.testing.assert_allclose(combo @ y, expected @ y)
    np.testing.assert_allclose(combo.T @ y, expected.T @ y)


def test_user_subclass_inside_jit_and_vmap():
    P = UserPerm(PERM)
    x = jnp.asarray(rng.normal(size=(4, 5)))
    np.testing.assert_allclose(jax.jit(lambda v: P.T @ (P @ v))(x[0]), x[0], rtol=1e-6)
    np.testing.assert_allclose(jax.vmap(lambda v: P @ v)(x), x @ DENSE.T, rtol=1e-6)
    np.testing.assert_allclose(jax.jit(lambda M, v: (Lazy(M) @ P) @ v)(jnp.eye(5), x[0]), DENSE @ x[0], rtol=1e-6)


def test_clear_errors():
    class Nothing(LinearOperator):
        def __init__(self):
            self.shape = (2, 2)

    with pytest.raises(NotImplementedError, match="neither _matvec nor _matmat"):
        Nothing() @ np.ones(2)
    with pytest.raises(ValueError, match="shape"):
        UserPerm(PERM) @ np.ones(4)
    with pytest.raises(ValueError, match="use \\*"):
        UserPerm(PERM) @ 2.0
    with pytest.raises(ValueError, match="cannot compose"):
        UserPerm(PERM) @ I(3)
    with pytest.raises(TypeError, match="linear operator"):
        lazify("not a matrix")


def test_kron_against_numpy():
    A, B, C = rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), rng.normal(size=(2, 2))
    K = LazyKron([A, Lazy(B), C])
    dense = np.kron(np.kron(A, B), C)
    assert K.shape == dense.shape and len(K.Ms) == 3
    np.testing.assert_allclose(K.to_dense(), dense, rtol=1e-5, atol=1e-5)
    x = rng.normal(size=(K.shape[1], 2))
    np.testing.assert_allclose(K @ x, dense @ x, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(K.T @ x[:12, 0], dense.T @ x[:12, 0], rtol=1e-5, atol=1e-5)
    square = LazyKron([B, C])
    np.testing.assert_allclose(square.invT().to_dense(), np.linalg.inv(np.kron(B, C)).T, rtol=1e-3, atol=1e-4)


def test_kronsum_against_numpy():
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(2, 2))
    K = LazyKronsum([A, B])
    dense = np.kron(A, np.eye(2)) + np.kron(np.eye(3), B)
    assert len(K.Ms) == 2
    np.testing.assert_allclose(K.to_dense(), dense, rtol=1e-5, atol=1e-5)
    x = rng.normal(size=6)
    np.testing.assert_allclose(K @ x, dense @ x, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(K.T @ x, dense.T @ x, rtol=1e-5, atol=1e-5)


def test_direct_sum_against_block_diag():
    A, B = rng.normal(size=(2, 2)), rng.normal(size=(3, 3))
    D = LazyDirectSum([A, UserPerm(np.array([2, 0, 1])), B], [2, 1, 1])
    dense = scipy.linalg.block_diag(A, A, np.eye(3)[[2, 0, 1]], B)
    np.testing.assert_allclose(D.to_dense(), dense, rtol=1e-5, atol=1e-5)
    x = rng.normal(size=(dense.shape[1], 3))
    np.testing.assert_allclose(D @ x, dense @ x, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(D.T @ x, dense.T @ x, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(LazyDirectSum([A, B]).to_dense(), scipy.linalg.block_diag(A, B), rtol=1e-6)


def test_perm_concat_identity_jvp_and_helpers():
    np.testing.assert_allclose(LazyPerm(PERM).to_dense(), DENSE)
    np.testing.assert_allclose((LazyPerm(PERM).T @ LazyPerm(PERM)).to_dense(), np.eye(5))
    A, B = rng.normal(size=(2, 3)), rng.normal(size=(4, 3))
    C = ConcatLazy([A, Lazy(B)])
    np.testing.assert_allclose(C.to_dense(), np.vstack([A, B]), rtol=1e-6)
    y = rng.normal(size=6)
    np.testing.assert_allclose(C.T @ y, np.vstack([A, B]).T @ y, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(densify(I(3)), np.eye(3))
    X, T = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    J = LazyJVP(lambda M: M @ M, X, T)
    np.testing.assert_allclose(J.to_dense(), X @ T + T @ X, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(J.T.to_dense(), (X @ T + T @ X).T, rtol=1e-4, atol=1e-4)
    assert isinstance(lazify(np.eye(2)), Lazy) and lazify(J) is J
    np.testing.assert_allclose(densify(lazify(V(SO(3)).rho(np.eye(3)))), np.eye(3))


def test_sparsify_gives_the_levi_civita_symbol():
    W = V(SO(3))
    SQ = sparsify_basis((W**2 >> W).equivariant_basis()).reshape(3, 3, 3)
    levi_civita = np.zeros((3, 3, 3))
    for i, j, k in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        levi_civita[i, j, k], levi_civita[i, k, j] = 1, -1
    assert np.array_equal(SQ, levi_civita) or np.array_equal(SQ, -levi_civita)


@pytest.mark.parametrize("rep", [V(SO(3))**2 >> V(SO(3)), V(S(4))**2 >> V(S(4))], ids=["SO(3)", "S(4)"])
def test_sparsify_separates_the_basis_as_emlp_tests(rep):
    Q = rep.equivariant_basis()
    SQ = sparsify_basis(Q)
    A = SQ @ (1 + np.arange(SQ.shape[-1]))
    assert len(np.unique(np.abs(A))) in (SQ.shape[-1], SQ.shape[-1] + 1)
    assert np.linalg.matrix_rank(np.hstack([np.asarray(Q), SQ])) == Q.shape[1]  # the same column space
    assert np.array_equal(SQ, sparsify_basis(Q))  # deterministic


def test_equivariance_error_of_arrays():
    W = V(SO(3))
    Q = (W**2 >> W).equivariant_basis()
    assert equivariance_error(Q, W**2, W, SO(3)) < 1e-6
    assert equivariance_error(np.asarray(Q)[:, 0].reshape(3, 9), W**2, W, SO(3)) < 1e-6
    assert equivariance_error(rng.normal(size=(3, 9)), W**2, W, SO(3)) > 1e-2


@pytest.mark.parametrize("cluster", [True, False])
def test_vis_draws_an_image_of_the_map_shape(cluster):
    W = V(S(3))
    plt.figure()
    try:
        vis(W**2, W, cluster=cluster)
        image = plt.gca().get_images()[-1].get_array()
        assert image.shape == (3, 9)
        if cluster:  # one colour for each of the 5 basis maps
            assert len(np.unique(image)) == (W**2 >> W).equivariant_basis().shape[1]
    finally:
        plt.close("all")


def test_rel_err():
    assert float(rel_err(np.ones(4), np.ones(4))) == 0.0
    a, b = np.array([1.0, -2.0]), np.array([3.0, 0.0])
    assert float(rel_err(a, b)) == pytest.approx(np.mean(np.abs(a - b)) / (1.5 + 1.5 + 1e-6), rel=1e-6)


def test_complex_operators_transpose_and_adjoint():
    M = np.array([[1.0, 2.0j], [3.0, 4.0 + 1.0j]])
    op = (1 + 1j) * Lazy(M) + I(2)
    dense = (1 + 1j) * M + np.eye(2)
    assert op.dtype == np.complex128
    np.testing.assert_allclose(op.to_dense(), dense)
    np.testing.assert_allclose(op.T.to_dense(), dense.T)
    np.testing.assert_allclose(op.H.to_dense(), dense.conj().T)
