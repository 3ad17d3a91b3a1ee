"""The exponential and logarithm maps that LieConv embeds pairs of group
elements with: for rotations of the plane and of space, and for the rigid
motions built on them (a rotation and a translation). Pure JAX on batches
(any leading axes), differentiable, and exact to float32 round-off also
near the identity and, for SO(3), near rotations by π.

Lie algebra coordinates: ``SO(2)`` an angle θ; ``SO(3)`` an axis-angle
vector ω (``exp`` is Rodrigues' formula); ``SE(2)`` ``(θ, v₁, v₂)``;
``SE(3)`` ``(ω, v)``. A rigid motion is a homogeneous matrix ``[[R, t], [0,
1]]``, and ``exp(ω, v) = [[exp(ω), V(ω) v], [0, 1]]`` with ``V`` the left
Jacobian of the rotation group.

>>> import numpy as np
>>> R = so3_exp(jnp.array([0.0, 0.0, np.pi / 2]))
>>> np.round(np.asarray(R @ jnp.array([1.0, 0.0, 0.0])), 6).tolist()
[0.0, 1.0, 0.0]
>>> np.allclose(so3_log(R), [0, 0, np.pi / 2], atol=1e-6)
True
"""

from __future__ import annotations

import jax.numpy as jnp

SMALL = 1e-3
"""Below this angle the series replace the closed forms (their error is then
below float32 round-off)."""


def hat3(w):
    """The skew matrix ``[w]×`` of vectors ``w`` (``(..., 3)``): ``[w]× x = w × x``.

    >>> hat3(jnp.array([1.0, 2.0, 3.0])) @ jnp.array([0.0, 0.0, 1.0])
    Array([ 2., -1.,  0.], dtype=float32)
    """
    x, y, z = w[..., 0], w[..., 1], w[..., 2]
    zero = jnp.zeros_like(x)
    return jnp.stack([jnp.stack([zero, -z, y], -1), jnp.stack([z, zero, -x], -1),
                      jnp.stack([-y, x, zero], -1)], -2)


def vee3(M):
    """The vector of skew matrices ``M`` (``(..., 3, 3)``; the skew part of
    any matrix), inverse to :func:`hat3`."""
    return 0.5 * jnp.stack([M[..., 2, 1] - M[..., 1, 2], M[..., 0, 2] - M[..., 2, 0],
                            M[..., 1, 0] - M[..., 0, 1]], -1)


def _safe(theta):
    """θ where it is not small, and 1 where it is, so that closed forms never
    divide by zero (their values there are replaced by series)."""
    return jnp.where(theta < SMALL, 1.0, theta)


def sinc(theta):
    """sin θ / θ."""
    t = _safe(theta)
    return jnp.where(theta < SMALL, 1 - theta**2 / 6, jnp.sin(t) / t)


def cosc(theta):
    """(1 − cos θ) / θ²."""
    t = _safe(theta)
    return jnp.where(theta < SMALL, 0.5 - theta**2 / 24, (1 - jnp.cos(t)) / t**2)


def _sinc3(theta):
    """(θ − sin θ) / θ³."""
    t = _safe(theta)
    return jnp.where(theta < SMALL, 1 / 6 - theta**2 / 120, (t - jnp.sin(t)) / t**3)


def so2_exp(theta):
    """Rotation matrices ``(..., 2, 2)`` by the angles ``theta``."""
    c, s = jnp.cos(theta), jnp.sin(theta)
    return jnp.stack([jnp.stack([c, -s], -1), jnp.stack([s, c], -1)], -2)


def so2_log(R):
    """The angles in (−π, π] of rotation matrices ``R`` (``(..., 2, 2)``).

    >>> float(so2_log(so2_exp(jnp.array(3.0))))
    3.0
    """
    return jnp.arctan2(R[..., 1, 0], R[..., 0, 0])


def _norm(w):
    """|w| with a gradient that stays finite at 0."""
    squared = jnp.sum(w**2, -1)
    return jnp.where(squared > 0, jnp.sqrt(jnp.where(squared > 0, squared, 1.0)), 0.0)


def so3_exp(w):
    """Rotation matrices ``(..., 3, 3)`` of axis-angle vectors ``w``
    (``(..., 3)``), by Rodrigues' formula."""
    theta = _norm(w)[..., None, None]
    K = hat3(w)
    return jnp.eye(3, dtype=K.dtype) + sinc(theta) * K + cosc(theta) * K @ K


def so3_log(R):
    """The axis-angle vectors (angle in [0, π]) of rotation matrices ``R``
    (``(..., 3, 3)``). Near π, where ``sin θ`` vanishes, the axis is read
    from the symmetric part ``(R + I)/2 = cos²(θ/2)·I + sin²(θ/2)·n nᵀ``
    with its sign taken from the skew part."""
    trace = R[..., 0, 0] + R[..., 1, 1] + R[..., 2, 2]
    cos = jnp.clip((trace - 1) / 2, -1.0, 1.0)
    skew = vee3(R)  # sin θ · n
    theta = jnp.arctan2(_norm(skew), cos)  # not arccos: its slope is infinite at 0 and π
    general = skew / sinc(theta)[..., None]
    # near π: n nᵀ from the symmetric part, its largest column, signed by the skew part
    B = (R + jnp.swapaxes(R, -1, -2)) / 2 - cos[..., None, None] * jnp.eye(3, dtype=R.dtype)
    B = B / jnp.maximum(1 - cos, 1e-12)[..., None, None]
    column = jnp.argmax(jnp.diagonal(B, axis1=-2, axis2=-1), -1)
    n = jnp.take_along_axis(B, column[..., None, None], -1)[..., 0]
    n = n / jnp.maximum(_norm(n), 1e-12)[..., None]
    sign = jnp.where(jnp.sum(n * skew, -1) < 0, -1.0, 1.0)
    near_pi = theta[..., None] * sign[..., None] * n
    return jnp.where((theta > jnp.pi - 0.1)[..., None], near_pi, general)


def _left_jacobian3(w):
    theta = _norm(w)[..., None, None]
    K = hat3(w)
    return jnp.eye(3, dtype=K.dtype) + cosc(theta) * K + _sinc3(theta) * K @ K


def _left_jacobian3_inverse(w):
    theta = _norm(w)[..., None, None]
    K = hat3(w)
    t = _safe(theta)
    half = t / 2
    coefficient = jnp.where(theta < SMALL, 1 / 12 + theta**2 / 720,
                            (1 - half * jnp.cos(half) / jnp.sin(jnp.where(theta < SMALL, 1.0, half))) / t**2)
    return jnp.eye(3, dtype=K.dtype) - 0.5 * K + coefficient * K @ K


def _homogeneous(R, t):
    d = R.shape[-1]
    top = jnp.concatenate([R, t[..., None]], -1)
    bottom = jnp.concatenate([jnp.zeros(R.shape[:-2] + (1, d), R.dtype), jnp.ones(R.shape[:-2] + (1, 1), R.dtype)],
                             -1)
    return jnp.concatenate([top, bottom], -2)


def se3_exp(a):
    """Rigid motions ``(..., 4, 4)`` of Lie algebra vectors ``a = (ω, v)``
    (``(..., 6)``)."""
    w, v = a[..., :3], a[..., 3:]
    return _homogeneous(so3_exp(w), (_left_jacobian3(w) @ v[..., None])[..., 0])


def se3_log(g):
    """The Lie algebra vectors ``(ω, v)`` of rigid motions ``g`` (``(..., 4, 4)``).

    >>> a = jnp.array([0.1, -0.2, 0.3, 1.0, 2.0, 3.0])
    >>> bool(jnp.allclose(se3_log(se3_exp(a)), a, atol=1e-5))
    True
    """
    w = so3_log(g[..., :3, :3])
    return jnp.concatenate([w, (_left_jacobian3_inverse(w) @ g[..., :3, 3:])[..., 0]], -1)


def _left_jacobian2(theta):
    s, c = sinc(jnp.abs(theta)), cosc(jnp.abs(theta)) * theta
    return jnp.stack([jnp.stack([s, -c], -1), jnp.stack([c, s], -1)], -2)


def se2_exp(a):
    """Rigid motions of the plane ``(..., 3, 3)`` of ``a = (θ, v₁, v₂)``
    (``(..., 3)``)."""
    theta, v = a[..., 0], a[..., 1:]
    return _homogeneous(so2_exp(theta), (_left_jacobian2(theta) @ v[..., None])[..., 0])


def se2_log(g):
    """The Lie algebra vectors ``(θ, v₁, v₂)`` (θ in (−π, π]) of rigid motions
    of the plane ``g`` (``(..., 3, 3)``).

    >>> a = jnp.array([2.5, 1.0, -2.0])
    >>> bool(jnp.allclose(se2_log(se2_exp(a)), a, atol=1e-5))
    True
    """
    theta = so2_log(g[..., :2, :2])
    V = _left_jacobian2(theta)
    return jnp.concatenate([theta[..., None], jnp.linalg.solve(V, g[..., :2, 2:])[..., 0]], -1)


__all__ = ["SMALL", "cosc", "hat3", "se2_exp", "se2_log", "se3_exp", "se3_log", "sinc", "so2_exp", "so2_log", "so3_exp", "so3_log",
           "vee3"]
