"""The groups LieConv convolves over, each with its lift from points to
group elements, its exponential and logarithm, the pairwise embedding
``log(v⁻¹u)`` and the distance that trades group against orbit distance.

A point cloud ``(coords, values, mask)`` of ``n`` points in ℝᵈ is *lifted*:
each point ``x`` becomes ``n_samples`` group elements ``u`` that carry the
origin of its orbit to it (``u·o = x``; for a group whose stabilizer is not
trivial they are drawn from that stabilizer), together with an orbit
identifier ``q`` (what the group cannot change: the radius for rotations).
LieConv's kernel then sees, for each pair of lifted points, ``[log(v⁻¹u),
q_u, q_v]``: invariant under ``u, v → gu, gv``, so the convolution is
equivariant. :meth:`LieGroup.lift` computes that embedding for every pair
at once, ``(B, M, M, lie_dim + 2 q_dim)`` with ``M = n · n_samples``.

The names are the config's ``group`` for a point-cloud model:

=================  ========  =====  ========  ===========================
group              acts on   lie    orbit q   lift
=================  ========  =====  ========  ===========================
``Trivial(d)``     ℝᵈ        0      x         none (the pairs are (x, y))
``Translation(d)`` ℝᵈ        d      none      u = x, deterministic
``SO(2)``          ℝ²        1      r         θ = atan2(y, x), deterministic
``RxSO(2)``        ℝ²∖{0}    2      none      (log r, θ), deterministic
``SE(2)``          ℝ²        3      none      T(x)R(θ), θ sampled
``SO(3)``          ℝ³        3      r         a frame [x̂, u, x̂×u], u sampled
``SE(3)``          ℝ³        6      none      T(x)R, R sampled
=================  ========  =====  ========  ===========================

``SO(2)``, ``SO(3)`` and ``Trivial(d)`` are the groups of the same names
that ``repalg.parse`` reads (``LieGroup.matrix_group`` is that object): one
name, one group. ``Translation(d)``, ``RxSO(2)`` and ``SE(d)`` are LieConv
groups only; they have no representations in repalg's language, and the
parser says so.

>>> G = as_lie_group("SE(2)")
>>> coords = jnp.array([[[1.0, 0.0], [0.0, 2.0], [-1.0, -1.0]]])
>>> pairs, values, mask = G.lift(coords, jnp.ones((1, 3, 1)), jnp.ones((1, 3), bool), n_samples=2,
...                              key=jax.random.PRNGKey(0))
>>> pairs.shape, values.shape, mask.shape
((1, 6, 6, 3), (1, 6, 1), (1, 6))
"""

from __future__ import annotations

import math
import re

import jax
import jax.numpy as jnp

from ..binding import as_group
from .maps import cosc, se2_exp, se2_log, se3_exp, se3_log, sinc, so2_exp, so2_log, so3_exp, so3_log

ORIGIN_RADIUS = 1e-6
"""RxSO(2) acts on the punctured plane: a point closer to the origin than
this is lifted as if it were at this radius (its log-radius stays finite)."""


def _wrap(angle):
    """Angles wrapped into (−π, π]."""
    return jnp.arctan2(jnp.sin(angle), jnp.cos(angle))


def _norm(x):
    """|x| over the last axis, with a finite gradient at 0."""
    squared = jnp.sum(x * x, -1)
    safe = jnp.where(squared > 0, squared, 1.0)
    return jnp.where(squared > 0, jnp.sqrt(safe), 0.0)


def _per_point(key, shape):
    """A key for each point of a ``(B, n)`` cloud, folded in from its
    position, so a point's random draws do not depend on how much padding
    follows it."""
    B, n = shape
    fold = lambda b, i: jax.random.fold_in(jax.random.fold_in(key, b), i)
    return jax.vmap(lambda b: jax.vmap(lambda i: fold(b, i))(jnp.arange(n)))(jnp.arange(B))


def _polar_angle(x):
    """atan2(y, x) of points ``x`` (``(..., 2)``), 0 at the origin with a
    finite gradient there."""
    at_origin = jnp.all(x == 0, -1)
    return jnp.arctan2(jnp.where(at_origin, 0.0, x[..., 1]), jnp.where(at_origin, 1.0, x[..., 0]))


def _rigid_inverse(g):
    """Inverses of homogeneous rigid motions ``[[R, t], [0, 1]]``."""
    d = g.shape[-1] - 1
    Rt = jnp.swapaxes(g[..., :d, :d], -1, -2)
    t = -(Rt @ g[..., :d, d:])
    bottom = jnp.broadcast_to(jnp.eye(d + 1, dtype=g.dtype)[d], g.shape[:-2] + (1, d + 1))
    return jnp.concatenate([jnp.concatenate([Rt, t], -1), bottom], -2)


def _translation(x):
    """Homogeneous translations ``[[I, x], [0, 1]]`` by vectors ``x`` (``(..., d)``)."""
    d = x.shape[-1]
    eye = jnp.broadcast_to(jnp.eye(d + 1, dtype=x.dtype), x.shape[:-1] + (d + 1, d + 1))
    return eye.at[..., :d, d].set(x)


class LieGroup:
    """A group LieConv convolves over. ``d``: the dimension of the space it
    acts on; ``lie_dim``: of its Lie algebra (the coordinates of ``log``);
    ``q_dim``: of the orbit identifiers; ``stochastic``: whether the lift
    samples a stabilizer (then ``n_samples`` lifts per point help). Group
    elements are matrices (``matrix_size`` square): rotations, or
    homogeneous matrices for groups with translations."""

    name: str = ""
    d: int = 2
    lie_dim: int = 0
    q_dim: int = 0
    stochastic: bool = False
    homogeneous: bool = False

    @property
    def matrix_size(self) -> int:
        return self.d + 1 if self.homogeneous else self.d

    @property
    def embed_dim(self) -> int:
        """The width of a pair's embedding ``[log(v⁻¹u), q_u, q_v]``."""
        return self.lie_dim + 2 * self.q_dim

    @property
    def matrix_group(self):
        """The group of the same name in repalg's language (``None`` for a
        LieConv-only group)."""
        return None

    def __repr__(self) -> str:
        return self.name

    def __eq__(self, other) -> bool:
        return isinstance(other, LieGroup) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("LieGroup", self.name))

    # -- the maps -------------------------------------------------------------------------------------------------

    def exp(self, a):
        """Group elements (matrices) of Lie algebra coordinates ``a`` (``(..., lie_dim)``)."""
        raise NotImplementedError

    def log(self, g):
        """Lie algebra coordinates (``(..., lie_dim)``) of group elements ``g``."""
        raise NotImplementedError

    def inverse(self, g):
        """Inverses of group elements ``g``."""
        return _rigid_inverse(g) if self.homogeneous else jnp.swapaxes(g, -1, -2)

    def act(self, g, x):
        """The points ``x`` (``(..., d)``) moved by group elements ``g``
        (broadcast against ``x``'s leading axes)."""
        if self.homogeneous:
            return (g[..., :self.d, :self.d] @ x[..., None])[..., 0] + g[..., :self.d, self.d]
        return (g @ x[..., None])[..., 0]

    def sample(self, key, shape=()):
        """Random group elements ``(*shape, matrix_size, matrix_size)``
        (Haar-uniform rotations; translations and log-scales Gaussian), for
        checks of invariance."""
        raise NotImplementedError

    # -- the lift -------------------------------------------------------------------------------------------------

    def elements(self, coords, n_samples: int, key):
        """Each point's lifted elements and orbit identifiers:
        ``(u (B, n, n_samples, ...), q (B, n, n_samples, q_dim))``, in the
        form :meth:`pairs` reads (matrices, or vectors for abelian groups)."""
        raise NotImplementedError

    def pairs(self, u):
        """``log(u_j⁻¹ u_i)`` for every pair ``(i, j)`` of the lifted
        elements ``u`` (``(B, M, ...)``): ``(B, M, M, lie_dim)``."""
        inv = self.inverse(u)
        return self.log(inv[:, None] @ u[:, :, None])

    def lift(self, coords, values, mask, n_samples: int = 1, key=None):
        """The lifted point cloud ``(pairs, values, mask)``: ``pairs``
        ``(B, M, M, embed_dim)`` is ``[log(u_j⁻¹u_i), q_i, q_j]`` for lifted
        points ``i, j``; ``values`` and ``mask`` are repeated for each of a
        point's ``n_samples`` lifts (``M = n · n_samples``, sample-minor).
        Padding (``mask`` false) is lifted from the origin, so its
        coordinates, whatever they hold, reach nothing. ``key`` draws the
        stabilizer samples (a fixed key when ``None``).

        >>> G = as_lie_group("Translation(2)")
        >>> x = jnp.array([[[0.0, 0.0], [1.0, 2.0]]])
        >>> pairs, _, _ = G.lift(x, jnp.zeros((1, 2, 1)), jnp.ones((1, 2), bool))
        >>> pairs[0, 1, 0].tolist()
        [1.0, 2.0]
        """
        coords, values, mask = jnp.asarray(coords), jnp.asarray(values), jnp.asarray(mask, bool)
        if coords.ndim != 3 or coords.shape[-1] != self.d:
            raise ValueError(f"{self.name} lifts points of ℝ^{self.d}: coords of shape (batch, points, {self.d}), "
                             f"got {coords.shape}")
        if values.shape[:2] != coords.shape[:2] or mask.shape != coords.shape[:2]:
            raise ValueError(f"coords {coords.shape}, values {values.shape} and mask {mask.shape} disagree on "
                             "(batch, points)")
        if n_samples < 1 or (n_samples > 1 and not self.stochastic):
            raise ValueError(f"{self.name}'s lift is deterministic: liftsamples is 1, got {n_samples}"
                             if n_samples > 1 else f"liftsamples is at least 1, got {n_samples}")
        key = jax.random.PRNGKey(0) if key is None else key
        coords = jnp.where(mask[..., None], coords, 0.0)
        B, n = mask.shape
        M = n * n_samples
        u, q = self.elements(coords, n_samples, key)
        parts = [self.pairs(u.reshape((B, M) + u.shape[3:]))] if self.lie_dim else []
        if self.q_dim:
            q = q.reshape(B, M, self.q_dim)
            parts += [jnp.broadcast_to(q[:, :, None], (B, M, M, self.q_dim)),
                      jnp.broadcast_to(q[:, None, :], (B, M, M, self.q_dim))]
        repeat = lambda a: jnp.repeat(a, n_samples, axis=1)
        return jnp.concatenate(parts, -1), repeat(values), repeat(mask)

    def distance(self, pairs, alpha: float = 0.2):
        """The distance between lifted points from their embedding:
        ``alpha·|log(v⁻¹u)| + (1 − alpha)·|q_u − q_v|``; the group part
        alone for a group with one orbit, the orbit part alone for the
        trivial group."""
        group = _norm(pairs[..., :self.lie_dim]) if self.lie_dim else None
        q = pairs[..., self.lie_dim:]
        orbit = _norm(q[..., :self.q_dim] - q[..., self.q_dim:]) if self.q_dim else None
        if group is None:
            return orbit
        if orbit is None:
            return group
        return alpha * group + (1 - alpha) * orbit


class Trivial(LieGroup):
    """The trivial group on ℝᵈ: no lift; a pair is embedded as the two
    points themselves, so the convolution sees absolute positions (a
    PointConv)."""

    def __init__(self, d: int):
        self.d, self.q_dim, self.name = d, d, f"Trivial({d})"

    @property
    def matrix_group(self):
        return as_group(self.name)

    def exp(self, a):
        return jnp.broadcast_to(jnp.eye(self.d, dtype=jnp.result_type(a, jnp.float32)), a.shape[:-1] + (self.d,) * 2)

    def log(self, g):
        return jnp.zeros(g.shape[:-2] + (0,), g.dtype)

    def sample(self, key, shape=()):
        return jnp.broadcast_to(jnp.eye(self.d), tuple(shape) + (self.d, self.d))

    def elements(self, coords, n_samples, key):
        return None, coords[:, :, None]


class Translation(LieGroup):
    """Translations of ℝᵈ: each point is lifted to the translation that
    carries the origin to it, and a pair is embedded as ``x_i − x_j``."""

    homogeneous = True

    def __init__(self, d: int):
        self.d, self.lie_dim, self.name = d, d, f"Translation({d})"

    def exp(self, a):
        return _translation(a)

    def log(self, g):
        return g[..., :self.d, self.d]

    def sample(self, key, shape=()):
        return _translation(jax.random.normal(key, tuple(shape) + (self.d,)))

    def elements(self, coords, n_samples, key):
        return coords[:, :, None], None

    def pairs(self, u):
        return u[:, :, None] - u[:, None, :]


class SO2(LieGroup):
    """Rotations of the plane: a point is lifted to the rotation by its polar
    angle, with its radius as orbit identifier."""

    d, lie_dim, q_dim, name = 2, 1, 1, "SO(2)"

    @property
    def matrix_group(self):
        return as_group(self.name)

    def exp(self, a):
        return so2_exp(a[..., 0])

    def log(self, g):
        return so2_log(g)[..., None]

    def sample(self, key, shape=()):
        return so2_exp(jax.random.uniform(key, tuple(shape), minval=-math.pi, maxval=math.pi))

    def elements(self, coords, n_samples, key):
        theta = _polar_angle(coords)
        return theta[:, :, None, None], _norm(coords)[:, :, None, None]

    def pairs(self, u):
        return _wrap(u[:, :, None] - u[:, None, :])

    def distance(self, pairs, alpha: float = 0.2):
        r_u, r_v = pairs[..., 1], pairs[..., 2]
        return alpha * jnp.abs(pairs[..., 0]) + (1 - alpha) * jnp.abs(r_u - r_v) / (r_u + r_v + 1e-3)


class RxSO2(LieGroup):
    """Rotations and scalings of the punctured plane (log-polar
    coordinates): a point is lifted to ``(log r, θ)``; one orbit."""

    d, lie_dim, name = 2, 2, "RxSO(2)"

    def exp(self, a):
        return jnp.exp(a[..., 0])[..., None, None] * so2_exp(a[..., 1])

    def log(self, g):
        scale = jnp.sqrt(jnp.abs(jnp.linalg.det(g)))
        return jnp.stack([jnp.log(scale), so2_log(g / scale[..., None, None])], -1)

    def inverse(self, g):
        return jnp.linalg.inv(g)

    def sample(self, key, shape=()):
        k1, k2 = jax.random.split(key)
        angle = jax.random.uniform(k1, tuple(shape), minval=-math.pi, maxval=math.pi)
        return self.exp(jnp.stack([0.5 * jax.random.normal(k2, tuple(shape)), angle], -1))

    def elements(self, coords, n_samples, key):
        r = jnp.maximum(_norm(coords), ORIGIN_RADIUS)
        theta = _polar_angle(coords)
        return jnp.stack([jnp.log(r), theta], -1)[:, :, None], None

    def pairs(self, u):
        delta = u[:, :, None] - u[:, None, :]
        return jnp.stack([delta[..., 0], _wrap(delta[..., 1])], -1)

    def distance(self, pairs, alpha: float = 0.2):
        return alpha * jnp.abs(pairs[..., 1]) + (1 - alpha) * jnp.abs(pairs[..., 0])


class SE2(LieGroup):
    """Rigid motions of the plane: a point ``x`` is lifted to ``T(x)R(θ)``
    with ``θ`` from the stabilizer of the origin (SO(2)): ``n_samples``
    angles evenly spaced from a random offset per point, so the lift is
    equivariant in distribution and the convolution's invariance error falls
    as ``n_samples`` grows."""

    d, lie_dim, name, stochastic, homogeneous = 2, 3, "SE(2)", True, True

    def exp(self, a):
        return se2_exp(a)

    def log(self, g):
        return se2_log(g)

    def sample(self, key, shape=()):
        k1, k2 = jax.random.split(key)
        angle = jax.random.uniform(k1, tuple(shape), minval=-math.pi, maxval=math.pi)
        g = jnp.broadcast_to(jnp.eye(3), tuple(shape) + (3, 3)).at[..., :2, :2].set(so2_exp(angle))
        return g.at[..., :2, 2].set(jax.random.normal(k2, tuple(shape) + (2,)))

    def elements(self, coords, n_samples, key):
        """``(θ, x)`` for each lifted element ``T(x)R(θ)``."""
        B, n, _ = coords.shape
        draw = lambda k: jax.random.uniform(k, (1,), minval=-math.pi, maxval=math.pi)
        offset = jax.vmap(jax.vmap(draw))(_per_point(key, (B, n)))
        theta = offset + 2 * math.pi * jnp.arange(n_samples) / n_samples
        x = jnp.broadcast_to(coords[:, :, None], (B, n, n_samples, 2))
        return jnp.concatenate([theta[..., None], x], -1), None

    def pairs(self, u):
        """In closed form, point by point (so a pair's embedding does not
        depend on the batch's shape, even on the logarithm's cut locus at
        angle π): ``u_j⁻¹u_i = (θ_i − θ_j, R(−θ_j)(x_i − x_j))``, and its
        log ``(φ, V(φ)⁻¹ t)``."""
        ui, uj = u[:, :, None], u[:, None, :]
        phi = _wrap(ui[..., 0] - uj[..., 0])
        dx, dy = ui[..., 1] - uj[..., 1], ui[..., 2] - uj[..., 2]
        c, s = jnp.cos(uj[..., 0]), jnp.sin(uj[..., 0])
        tx, ty = c * dx + s * dy, -s * dx + c * dy
        a, b = sinc(jnp.abs(phi)), cosc(jnp.abs(phi)) * phi  # V(φ) = [[a, −b], [b, a]]
        det = a * a + b * b
        return jnp.stack([phi, (a * tx + b * ty) / det, (a * ty - b * tx) / det], -1)

    def distance(self, pairs, alpha: float = 0.2):
        return alpha * jnp.abs(pairs[..., 0]) + (1 - alpha) * _norm(pairs[..., 1:])


def _random_rotations(key, shape):
    """Haar-uniform rotations of space, from normalized Gaussian quaternions."""
    q = jax.random.normal(key, tuple(shape) + (4,))
    q = q / jnp.linalg.norm(q, axis=-1, keepdims=True)
    half = jnp.arctan2(jnp.linalg.norm(q[..., 1:], axis=-1), q[..., 0])
    axis = q[..., 1:] / jnp.maximum(jnp.linalg.norm(q[..., 1:], axis=-1, keepdims=True), 1e-12)
    return so3_exp(2 * half[..., None] * axis)


class SO3(LieGroup):
    """Rotations of space: a point ``x`` is lifted to a rotation carrying
    ``e₁`` to ``x̂``, the frame ``[x̂, u, x̂ × u]`` with ``u`` a random unit
    vector orthogonal to ``x̂`` (uniform over the stabilizer's coset); its
    radius is the orbit identifier."""

    d, lie_dim, q_dim, name, stochastic = 3, 3, 1, "SO(3)", True

    @property
    def matrix_group(self):
        return as_group(self.name)

    def exp(self, a):
        return so3_exp(a)

    def log(self, g):
        return so3_log(g)

    def sample(self, key, shape=()):
        return _random_rotations(key, shape)

    def _frames(self, coords, n_samples, key):
        B, n, _ = coords.shape
        r = _norm(coords)
        e1 = jnp.array([1.0, 0.0, 0.0], coords.dtype)
        x = jnp.where((r > 0)[..., None], coords / jnp.where(r > 0, r, 1.0)[..., None], e1)
        x = jnp.broadcast_to(x[:, :, None], (B, n, n_samples, 3))
        g = jax.vmap(jax.vmap(lambda k: jax.random.normal(k, (n_samples, 3), coords.dtype)))(_per_point(key, (B, n)))
        u = g - jnp.sum(g * x, -1, keepdims=True) * x
        u = u / jnp.linalg.norm(u, axis=-1, keepdims=True)
        return jnp.stack([x, u, jnp.cross(x, u)], -1), r

    def elements(self, coords, n_samples, key):
        R, r = self._frames(coords, n_samples, key)
        return R, jnp.broadcast_to(r[:, :, None, None], R.shape[:3] + (1,))


class SE3(LieGroup):
    """Rigid motions of space: a point ``x`` is lifted to ``T(x)R`` with
    ``R`` a Haar-uniform rotation (the stabilizer of the origin)."""

    d, lie_dim, name, stochastic, homogeneous = 3, 6, "SE(3)", True, True

    def exp(self, a):
        return se3_exp(a)

    def log(self, g):
        return se3_log(g)

    def sample(self, key, shape=()):
        k1, k2 = jax.random.split(key)
        g = jnp.broadcast_to(jnp.eye(4), tuple(shape) + (4, 4)).at[..., :3, :3].set(_random_rotations(k1, shape))
        return g.at[..., :3, 3].set(jax.random.normal(k2, tuple(shape) + (3,)))

    def elements(self, coords, n_samples, key):
        B, n, _ = coords.shape
        R = jax.vmap(jax.vmap(lambda k: _random_rotations(k, (n_samples,))))(_per_point(key, (B, n)))
        R = R.astype(coords.dtype)
        g = jnp.broadcast_to(jnp.eye(4, dtype=coords.dtype), (B, n, n_samples, 4, 4)).at[..., :3, :3].set(R)
        return g.at[..., :3, 3].set(jnp.broadcast_to(coords[:, :, None], (B, n, n_samples, 3))), None

    def distance(self, pairs, alpha: float = 0.2):
        return alpha * _norm(pairs[..., :3]) + (1 - alpha) * _norm(pairs[..., 3:])


LIE_GROUPS = {"Trivial": Trivial, "Translation": Translation, "SO": {2: SO2, 3: SO3}, "RxSO": {2: RxSO2},
              "SE": {2: SE2, 3: SE3}}
"""LieConv's groups by name (and dimension)."""

KNOWN = "Trivial(d), Translation(d), SO(2), RxSO(2), SE(2), SO(3), SE(3)"

_TEXT = re.compile(r"\s*([A-Za-z]+)\s*\(\s*(\d+)\s*\)\s*")


def as_lie_group(group) -> LieGroup:
    """The LieConv group named by ``group``: a :class:`LieGroup`, its text
    (``"SE(2)"``), or a group of repalg's language with a LieConv lift
    (``SO(2)``, ``SO(3)``, ``Trivial(d)``). Anything else is refused with
    the list of LieConv's groups.

    >>> from repalg.models import as_group
    >>> as_lie_group("SO(2)").matrix_group == as_group("SO(2)")
    True
    >>> as_lie_group("O(2)")
    Traceback (most recent call last):
    ...
    ValueError: O(2) has no LieConv lift; LieConv's groups are Trivial(d), Translation(d), SO(2), RxSO(2), SE(2), SO(3), SE(3)
    """
    if isinstance(group, LieGroup):
        return group
    text = str(group)
    match = _TEXT.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a LieConv group; LieConv's groups are {KNOWN}")
    name, d = match.group(1), int(match.group(2))
    if name == "T":
        raise ValueError(f"{text!r}: LieConv's T({d}) is Translation({d}) here (T(k) is a tensor representation)")
    entry = LIE_GROUPS.get(name)
    if isinstance(entry, dict):
        entry = entry.get(d)
    elif entry is not None and d < 1:
        entry = None
    if entry is None:
        raise ValueError(f"{name}({d}) has no LieConv lift; LieConv's groups are {KNOWN}")
    return entry(d) if name in ("Trivial", "Translation") else entry()


__all__ = ["KNOWN", "LIE_GROUPS", "LieGroup", "RxSO2", "SE2", "SE3", "SO2", "SO3", "Translation", "Trivial",
           "as_lie_group"]
