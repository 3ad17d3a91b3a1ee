"""The exponential and logarithm maps of LieConv's groups: against scipy's
matrix exponential of the Lie algebra element, and as inverses of each
other, also at the identity and at rotations by π."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, strategies as st

from repalg.models.lieconv import maps

# each map compiled once: hypothesis calls them hundreds of times, which run operation by operation costs seconds
hat3, se2_exp, se2_log, se3_exp, se3_log, so2_exp, so2_log, so3_exp, so3_log, vee3 = (
    jax.jit(getattr(maps, name)) for name in ("hat3", "se2_exp", "se2_log", "se3_exp", "se3_log", "so2_exp", "so2_log",
                                              "so3_exp", "so3_log", "vee3"))
so3_log_jacobian = jax.jit(jax.jacobian(maps.so3_log))

finite = st.floats(-3.0, 3.0, allow_nan=False, width=32)
vector3 = st.tuples(finite, finite, finite).map(np.array)


def algebra3(w):
    return np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])


@given(vector3)
def test_so3_exp_is_the_matrix_exponential_and_log_inverts_it(w):
    R = np.asarray(so3_exp(jnp.asarray(w, jnp.float32)), np.float64)
    assert np.allclose(R, scipy.linalg.expm(algebra3(w)), atol=2e-6)
    back = np.asarray(so3_log(jnp.asarray(R, jnp.float32)))
    assert np.allclose(np.asarray(so3_exp(jnp.asarray(back))), R, atol=3e-6)  # always: exp(log(R)) = R
    if np.linalg.norm(w) < np.pi - 1e-2:
        assert np.allclose(back, w, atol=1e-4)


@pytest.mark.parametrize("angle", [0.0, 1e-7, 1e-4, 1e-3, 0.5, np.pi - 1e-3, np.pi - 1e-5, np.pi])
@pytest.mark.parametrize("axis", [(1, 0, 0), (0, 0, 1), (1, 2, -2)])
def test_so3_log_at_the_identity_and_at_half_turns(angle, axis):
    n = np.array(axis, np.float64) / np.linalg.norm(axis)
    R = scipy.linalg.expm(algebra3(angle * n))
    w = np.asarray(so3_log(jnp.asarray(R, jnp.float32)), np.float64)
    assert np.allclose(scipy.linalg.expm(algebra3(w)), R, atol=3e-6)
    assert abs(np.linalg.norm(w) - angle) < 1e-3
    assert np.all(np.isfinite(np.asarray(so3_log_jacobian(jnp.asarray(R, jnp.float32)))))


def test_the_maps_have_finite_gradients_at_the_identity():
    # exp(w) e₁ ≈ e₁ + w × e₁ = e₁ + (0, w₃, −w₂)
    expected = np.array([[0, 0, 0], [0, 0, 1], [0, -1, 0]])
    assert np.allclose(jax.jit(jax.jacobian(lambda w: maps.so3_exp(w)[..., 0]))(jnp.zeros(3)), expected, atol=1e-6)
    assert np.all(np.isfinite(np.asarray(jax.jit(jax.jacobian(maps.se3_exp))(jnp.zeros(6)))))
    assert np.all(np.isfinite(np.asarray(jax.jit(jax.jacobian(maps.se2_log))(jnp.eye(3)))))


@pytest.mark.parametrize("angle", [1e-5, 4e-4, 9.9e-4, 1.01e-3, 0.3])
def test_the_series_near_the_identity_are_the_maps_in_float64(angle):
    """Below ``SMALL`` the maps switch to Taylor series; in float64 they
    must still be the matrix exponential and its inverse to about 1e-13
    (a wrong series coefficient shows at angle² ≈ 1e-7)."""
    n = np.array([1.0, 2.0, -2.0]) / 3
    a = np.concatenate([angle * n, [0.7, -1.1, 0.4]])
    M = np.zeros((4, 4))
    M[:3, :3], M[:3, 3] = algebra3(a[:3]), a[3:]
    with jax.enable_x64(True):
        g = np.asarray(maps.se3_exp(jnp.asarray(a)))
        back = np.asarray(maps.se3_log(jnp.asarray(g)))
        R = np.asarray(maps.so3_exp(jnp.asarray(a[:3])))
        w = np.asarray(maps.so3_log(jnp.asarray(R)))
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, scipy.linalg.expm(M), atol=1e-13)
    np.testing.assert_allclose(back, a, atol=1e-13)
    np.testing.assert_allclose(R, scipy.linalg.expm(algebra3(a[:3])), atol=1e-13)
    np.testing.assert_allclose(w, a[:3], atol=1e-13, rtol=1e-9)


@given(vector3, vector3)
def test_se3_exp_and_log(w, v):
    a = np.concatenate([w, v])
    g = np.asarray(se3_exp(jnp.asarray(a, jnp.float32)), np.float64)
    M = np.zeros((4, 4))
    M[:3, :3], M[:3, 3] = algebra3(w), v
    assert np.allclose(g, scipy.linalg.expm(M), atol=2e-5)
    back = np.asarray(se3_log(jnp.asarray(g, jnp.float32)))
    assert np.allclose(np.asarray(se3_exp(jnp.asarray(back))), g, atol=3e-5)
    if np.linalg.norm(w) < np.pi - 1e-2:
        assert np.allclose(back, a, atol=2e-3 * (1 + np.abs(a).max()))


@given(finite, finite, finite)
def test_se2_exp_and_log(theta, v1, v2):
    a = np.array([theta, v1, v2])
    g = np.asarray(se2_exp(jnp.asarray(a, jnp.float32)), np.float64)
    M = np.array([[0, -theta, v1], [theta, 0, v2], [0, 0, 0]])
    assert np.allclose(g, scipy.linalg.expm(M), atol=2e-5)
    assert np.allclose(np.asarray(se2_log(jnp.asarray(g, jnp.float32))), a, atol=1e-4)
    assert float(so2_log(so2_exp(jnp.float32(theta)))) == pytest.approx(theta, abs=1e-6)


@given(vector3)
def test_hat_and_vee_are_inverse_and_hat_is_the_cross_product(w):
    x = np.array([0.3, -1.0, 2.0])
    assert np.allclose(np.asarray(hat3(jnp.asarray(w))) @ x, np.cross(w, x), atol=1e-5)
    assert np.allclose(np.asarray(vee3(hat3(jnp.asarray(w)))), w, atol=1e-6)
