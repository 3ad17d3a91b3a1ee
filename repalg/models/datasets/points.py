"""Point-cloud datasets for LieConv: handwritten digits as clouds of pixels,
rotated at random for testing, and LieConv's spring systems.

A point-cloud dataset's rows are flat, so the trainer batches, shards and
pads them as any other: ``X = [coords (n·d) | values (n·c) | mask (n)]``
(:func:`pack_points`; a spring system's rows are its state and constants
instead, see :class:`SpringDynamics`). ``points`` says how to read them,
``{"n": ..., "d": ..., "c": ...}``; the rows are also a representation of the
dataset's ``symmetry`` (coordinates as vectors, the rest scalars), so the
trainer measures any model's equivariance error under it.

>>> X = pack_points(np.zeros((1, 3, 2)), np.ones((1, 3, 1)), np.ones((1, 3), bool))
>>> X.shape
(1, 12)
>>> [a.shape for a in unpack_points(X, {"n": 3, "d": 2, "c": 1})]
[(1, 3, 2), (1, 3, 1), (1, 3)]
"""

from __future__ import annotations

import hashlib
import math
import warnings

import numpy as np

from ...numeric.cache import read_npz, write_npz
from ...symbolic.group_descriptors import SO, integer
from ...symbolic.nodes import Scalar, Vector
from .base import Dataset
from .pendulum import data_dir, time_grid


def pack_points(coords, values, mask) -> np.ndarray:
    """Rows ``[coords | values | mask]`` (float32) of clouds ``coords (B, n,
    d)``, ``values (B, n, c)`` and ``mask (B, n)``."""
    coords, values, mask = np.asarray(coords), np.asarray(values), np.asarray(mask)
    B = len(coords)
    return np.concatenate([coords.reshape(B, -1), values.reshape(B, -1), mask.reshape(B, -1)], 1).astype(np.float32)


def unpack_points(X, points: dict):
    """``(coords, values, mask)`` of rows packed by :func:`pack_points`
    (numpy or JAX arrays; ``mask`` boolean)."""
    n, d, c = points["n"], points["d"], points["c"]
    B = X.shape[0]
    coords = X[:, :n * d].reshape(B, n, d)
    values = X[:, n * d:n * (d + c)].reshape(B, n, c)
    return coords, values, X[:, n * (d + c):n * (d + c + 1)] > 0.5


class RotatedDigits(Dataset):
    """scikit-learn's handwritten digits (``load_digits``: 1,797 images of
    8 × 8 pixels, intensities 0–16) as point clouds: each pixel a point at
    its centre (coordinates centred on the image, y up, one pixel apart) with
    its intensity / 16 as value, 64 points per image. A seeded third of the
    images is the test set, each rotated by a random angle about the centre
    (exactly: the points move, nothing is resampled); the training images are
    upright unless ``rotate_train``. ``Y`` holds the labels 0–9. ``images``
    keeps a seeded subset of them (all 1,797 by default), split the
    same way: for learning curves and quick runs.

    Needs scikit-learn (``pip install 'repalg[images]'``).

    >>> train, test = RotatedDigits(train=True), RotatedDigits(train=False)
    >>> train.X.shape, test.X.shape, train.num_classes
    ((1198, 256), (599, 256), 10)
    >>> RotatedDigits(train=True, images=300).X.shape
    (200, 256)
    """

    num_classes = 10
    points = {"n": 64, "d": 2, "c": 1}
    symmetry_text = "SO(2)"
    """The symmetry the rows represent, without making them."""

    @staticmethod
    def points_of(**options) -> dict:
        """The point layout of the rows, without making them."""
        return dict(RotatedDigits.points)

    def __init__(self, train: bool = True, seed: int = 0, rotate_train: bool = False,
                 images: int | None = None):
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError("RotatedDigits reads scikit-learn's digits: pip install 'repalg[images]' "
                              "(or scikit-learn)") from None
        seed = integer(seed, "seed", minimum=0)
        digits = load_digits()
        pixels, labels = digits.images.astype(np.float64) / 16.0, digits.target
        kept = len(pixels) if images is None else integer(images, "images", minimum=3)
        if kept > len(pixels):
            raise ValueError(f"RotatedDigits has {len(pixels)} images; images = {kept} asks for more")
        rng = np.random.default_rng([seed, 21])
        order = rng.permutation(len(pixels))[:kept]
        test = order[:kept // 3]
        part = np.setdiff1d(order, test) if train else test
        rows, cols = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
        grid = np.stack([cols - 3.5, 3.5 - rows], -1).reshape(64, 2)
        coords = np.broadcast_to(grid, (len(part), 64, 2))
        if not train or rotate_train:
            angles = np.random.default_rng([seed, 22, int(train)]).uniform(-math.pi, math.pi, len(part))
            c, s = np.cos(angles), np.sin(angles)
            R = np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)
            coords = np.einsum("bij,bnj->bni", R, coords)
        self.angles = angles if not train or rotate_train else np.zeros(len(part))
        self.X = pack_points(coords, pixels[part].reshape(-1, 64, 1), np.ones((len(part), 64), bool))
        self.Y = labels[part].astype(np.int32)
        self.symmetry = SO(2)
        self.rep_in = 64 * Vector + 128 * Scalar
        self.rep_out = 10 * Scalar
        self.stats = None


def spring_energy(z, constants) -> np.ndarray:
    """LieConv's spring systems' Hamiltonian ``Σ|pᵢ|²/2mᵢ + ½Σᵢⱼ kᵢkⱼ|qᵢ −
    qⱼ|²`` of states ``z`` (``(..., 2·n·d)``: positions, then momenta) with
    ``constants`` (``(..., 2n)``: each body's mass and spring constant).

    >>> float(spring_energy(np.array([0, 0, 1, 0, 0, 0, 0, 0.0]), np.array([1, 1, 1, 1.0])))
    1.0
    """
    z, constants = np.asarray(z, np.float64), np.asarray(constants, np.float64)
    n = constants.shape[-1] // 2
    q, p = _bodies(z, n)
    m, k = constants[..., 0::2], constants[..., 1::2]
    m, k = np.broadcast_to(m, q.shape[:-1]), np.broadcast_to(k, q.shape[:-1])
    K = k[..., :, None] * k[..., None, :]
    squared = np.sum((q[..., :, None, :] - q[..., None, :, :]) ** 2, -1)
    return np.sum(np.sum(p**2, -1) / (2 * m), -1) + 0.5 * np.sum(K * squared, (-1, -2))


def _bodies(z, n):
    d = z.shape[-1] // (2 * n)
    return z[..., :n * d].reshape(z.shape[:-1] + (n, d)), z[..., n * d:].reshape(z.shape[:-1] + (n, d))


def spring_trajectories(z0, constants, ts) -> np.ndarray:
    """The exact trajectories of spring systems from states ``z0``
    (``(B, 2·n·d)``) with ``constants`` (``(B, 2n)``) at times ``ts``
    (``(T,)``, or ``(B, T)`` for each system its own): ``(B, T, 2·n·d)``,
    float64. The dynamics are linear, ``M q̈ = −L
    q`` with ``L = 2(diag(K1) − K)``, ``K = kkᵀ``: each system is solved in
    the normal modes of ``M^{-1/2} L M^{-1/2}`` (its zero mode, the centre
    of mass, moves uniformly), no integrator involved.

    >>> z0, c = np.array([[0, 0, 1, 0, 0, 0, 0, 0.0]]), np.array([[1, 1, 1, 1.0]])
    >>> zs = spring_trajectories(z0, c, [0.0, math.pi / 4])
    >>> np.round(zs[0, 1, :4], 6).tolist()  # the two bodies meet at their centre after a quarter period
    [0.5, 0.0, 0.5, 0.0]
    """
    z0, constants, ts = np.asarray(z0, np.float64), np.asarray(constants, np.float64), np.asarray(ts, np.float64)
    n = constants.shape[-1] // 2
    q0, p0 = _bodies(z0, n)
    m, k = constants[:, 0::2], constants[:, 1::2]
    K = k[:, :, None] * k[:, None, :]
    L = 2 * (np.eye(n) * K.sum(-1)[:, :, None] - K)
    root = np.sqrt(m)
    S = L / root[:, :, None] / root[:, None, :]
    w2, W = np.linalg.eigh(S)
    omega = np.sqrt(np.maximum(w2, 0.0))
    a = np.einsum("bji,bjd->bid", W, root[..., None] * q0)  # mode amplitudes of y = M^{1/2} q
    b = np.einsum("bji,bjd->bid", W, p0 / root[..., None])  # and of dy/dt = M^{-1/2} p
    t = (ts[None] if ts.ndim == 1 else ts)[:, :, None]
    wt = omega[:, None, :] * t
    safe = np.where(omega > 1e-9, omega, 1.0)[:, None, :]
    sin_over = np.where(omega[:, None, :] > 1e-9, np.sin(wt) / safe, t)
    y = np.einsum("bij,btjd->btid", W, np.cos(wt)[..., None] * a[:, None] + sin_over[..., None] * b[:, None])
    dy = np.einsum("bij,btjd->btid", W, -(omega[:, None, :] * np.sin(wt))[..., None] * a[:, None]
                   + np.cos(wt)[..., None] * b[:, None])
    q = y / root[:, None, :, None]
    p = dy * root[:, None, :, None]
    B, T = len(z0), ts.shape[-1]
    return np.concatenate([q.reshape(B, T, -1), p.reshape(B, T, -1)], -1)


class SpringDynamics(Dataset):
    """LieConv's spring systems (its ``SpringDynamics``): ``n_bodies``
    bodies in the plane, masses ``3·U + 0.1``, spring constants ``k_ij =
    k_i k_j`` with ``k_i = 5·U``, positions ``0.4·N(0, 1)``, momenta
    ``0.6·N(0, 1)`` less their mean (LieConv subtracts the mean over systems;
    here over bodies, so the centre of mass rests). Each system runs for
    ``traj_len`` steps of ``dt`` (5 s), one chunk of ``chunk_len`` states is
    kept: ``X = [q (n·2) | p (n·2) | (m, k) per body (2n)]``, ``Y`` the chunk
    (flattened). The trajectories are exact (:func:`spring_trajectories`).

    The Hamiltonian is invariant under rigid motions of the plane (and
    reflections); the rows are a representation of ``SO(2)``
    (``12*V+12*Scalar`` for 6 bodies), under which the trainer measures a
    model's equivariance error. Seeded and kept in the disk cache.

    >>> ds = SpringDynamics(N=3)
    >>> ds.X.shape, ds.Y.shape, ds.points
    ((3, 36), (3, 120), {'n': 6, 'd': 2, 'c': 2})
    """

    symmetry_text = "SO(2)"
    """The symmetry the rows represent, without making them."""

    def __init__(self, N: int = 3000, seed: int = 0, n_bodies: int = 6, chunk_len: int = 5, dt: float = 0.01,
                 traj_len: int = 500):
        N = integer(N, "the number of systems N", minimum=1)
        seed = integer(seed, "seed", minimum=0)
        self.n_bodies = integer(n_bodies, "n_bodies", minimum=2)
        self.chunk_len = integer(chunk_len, "chunk_len", minimum=2)
        self.traj_len = integer(traj_len, "traj_len", minimum=self.chunk_len)
        if not isinstance(dt, (int, float)) or not 0 < dt < float("inf"):
            raise ValueError(f"dt is a positive time step, got {dt!r}")
        self.dt = float(dt)
        n = self.n_bodies
        self.points = {"n": n, "d": 2, "c": 2}
        self.state_size = 4 * n
        self.ts = time_grid(self.chunk_len, self.dt)
        self.T_long = time_grid(self.traj_len, self.dt)
        z0, constants, chunks = self._generate(N, seed)
        self.Z = chunks
        self.X = np.concatenate([chunks[:, 0], constants], 1)
        self.Y = chunks.reshape(N, -1)
        self.symmetry = SO(2)
        self.rep_state = 2 * n * Vector
        self.rep_in = 2 * n * Vector + 2 * n * Scalar
        self.rep_out = self.chunk_len * self.rep_state
        self.stats = None
        self.flow = self.flow_of(n_bodies=n, chunk_len=self.chunk_len, dt=self.dt)

    @staticmethod
    def flow_of(n_bodies: int = 6, chunk_len: int = 5, dt: float = 0.01, **options) -> dict:
        """What a model integrates (as :meth:`DoubleSpringPendulum.flow_of`),
        and the layout a point-cloud model reads the rows with.

        >>> SpringDynamics.flow_of(chunk_len=2)["rep_state"]
        '12*V'
        """
        return {"ts": tuple(float(t) for t in time_grid(chunk_len, dt)), "rep_state": f"{2 * n_bodies}*V"}

    @staticmethod
    def points_of(n_bodies: int = 6, **options) -> dict:
        """The point layout of the rows, without making them."""
        return {"n": n_bodies, "d": 2, "c": 2}

    def _generate(self, N, seed):
        n = self.n_bodies
        key = f"SpringDynamics v1 N={N} seed={seed} n={n} chunk_len={self.chunk_len} dt={self.dt!r} " \
              f"traj_len={self.traj_len}"
        path = data_dir() / f"springs-{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"
        found = read_npz(path, key)
        if found is not None:
            return found["z0"], found["constants"], found["chunks"]
        rng = np.random.default_rng([seed, 2020])
        masses = 3 * rng.uniform(size=(N, n)) + 0.1
        k = 5 * rng.uniform(size=(N, n))
        q0 = 0.4 * rng.standard_normal((N, n, 2))
        p0 = 0.6 * rng.standard_normal((N, n, 2))
        p0 -= p0.mean(1, keepdims=True)
        z0 = np.concatenate([q0.reshape(N, -1), p0.reshape(N, -1)], 1)
        constants = np.stack([masses, k], -1).reshape(N, 2 * n)
        start = rng.integers(0, self.traj_len // self.chunk_len, N) * self.chunk_len
        chunks = spring_trajectories(z0, constants, self.T_long[start[:, None] + np.arange(self.chunk_len)])
        try:
            write_npz(path, key, {"z0": z0, "constants": constants, "chunks": chunks})
        except OSError as error:
            warnings.warn(f"the generated spring data cannot be kept in {str(path.parent)!r} ({error}); "
                          "set REPALG_DATA_DIR to a writable folder", RuntimeWarning, stacklevel=3)
        return z0, constants, chunks

    def __getitem__(self, i):
        return (self.X[i], self.ts), self.Z[i]

    def integrate(self, X, ts) -> np.ndarray:
        """True trajectories from rows ``X`` (state, then constants) at ``ts``."""
        X = np.asarray(X, np.float64)
        return spring_trajectories(X[:, :self.state_size], X[:, self.state_size:], ts)

    def conserved(self, X):
        """The energy and the angular momentum ``Σ qᵢ × pᵢ`` as functions of
        states ``(systems, times, state)`` of the systems of rows ``X``."""
        constants = np.asarray(X, np.float64)[:, None, self.state_size:]

        def momentum(z):
            q, p = _bodies(np.asarray(z, np.float64), self.n_bodies)
            return np.sum(q[..., 0] * p[..., 1] - q[..., 1] * p[..., 0], -1)

        return (lambda z: spring_energy(z, constants)), momentum


__all__ = ["RotatedDigits", "SpringDynamics", "pack_points", "spring_energy", "spring_trajectories", "unpack_points"]
