"""emlp's double spring pendulum: two unit masses in ℝ³ hanging from the
origin on two springs under gravity, learned from chunks of trajectories.

The system, as emlp's code defines it (``experiments/trainer/
hamiltonian_dynamics.py``): the state ``z = (x₁, x₂, p₁, p₂)`` (12 numbers,
``4*Vector``), the Hamiltonian

    H = |p₁|²/2 + |p₂|²/2 + (|x₁| − 1)²/2 + (|x₁ − x₂| − 1)² + z₁ + z₂

(unit masses, spring constants and rest lengths, gravity g = 1 along −z;
emlp's second spring has no 1/2), initial positions (0, 0, −1.5) and
(0, 0, −3) plus 0.2·N(0, 1) noise and momenta 0.4·N(0, 1). Each system is
integrated for ``integration_time`` seconds, sampled every ``dt``, cut into
chunks of ``chunk_len`` samples, and one chunk is kept at random: ``X`` is
its first state, ``Y`` the chunk (``chunk_len`` states, flattened). The
trajectories are integrated in float64 by scipy's DOP853 at a relative
tolerance of 1e-10, so the targets are exact to the models' precision.

H is invariant under rotations about the z axis and reflections through
planes containing it (``O(2)eR3``), which also conserve the angular momentum
about z, ``L_z = Σᵢ (xᵢ × pᵢ)_z``. With ``gravity_input=True`` each row of
``X`` also holds the gravity direction (0, 0, 1) (``rep_in = 5*Vector``):
the map from (state, gravity) to the trajectory is then O(3)-equivariant,
the setting of ScalarEMLP's scalar models.

Generation is seeded; the arrays are kept in a disk cache (see
:func:`data_dir`), keyed by every parameter.

>>> ds = DoubleSpringPendulum(N=4, seed=1)
>>> ds.X.shape, ds.Y.shape, str(ds.rep_in(ds.symmetry))
((4, 12), (4, 60), '(4V)(O(2)eR3)')
>>> bool(np.allclose(ds.Y[:, :12], ds.X))
True
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from ...numeric.cache import read_npz, write_npz
from ...symbolic.group_descriptors import O, O2eR3, integer
from ...symbolic.nodes import Vector
from .base import Dataset

RTOL = 1e-10
"""The relative (and absolute) tolerance of the ground-truth integration."""

GENERATOR = 1
"""The version of the generating code; part of every cache key."""


def _split(z):
    return z[..., 0:3], z[..., 3:6], z[..., 6:9], z[..., 9:12]


def energy(z) -> np.ndarray:
    """The Hamiltonian of states ``z`` (``(..., 12)``), in numpy.

    >>> float(energy(np.array([0, 0, -1, 0, 0, -2, 0, 0, 0, 0, 0, 0.0])))
    -3.0
    """
    x1, x2, p1, p2 = _split(np.asarray(z, np.float64))
    r1, r12 = np.linalg.norm(x1, axis=-1), np.linalg.norm(x1 - x2, axis=-1)
    kinetic = 0.5 * (p1**2).sum(-1) + 0.5 * (p2**2).sum(-1)
    return kinetic + 0.5 * (r1 - 1) ** 2 + (r12 - 1) ** 2 + x1[..., 2] + x2[..., 2]


def angular_momentum_z(z) -> np.ndarray:
    """``L_z = Σᵢ (xᵢ × pᵢ)_z`` of states ``z`` (``(..., 12)``).

    >>> float(angular_momentum_z(np.array([1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0.0])))
    2.0
    """
    x1, x2, p1, p2 = _split(np.asarray(z, np.float64))
    return sum(x[..., 0] * p[..., 1] - x[..., 1] * p[..., 0] for x, p in ((x1, p1), (x2, p2)))


def vector_field(z) -> np.ndarray:
    """Hamilton's equations ``dz/dt = J∇H(z)`` for states ``z`` (``(..., 12)``)."""
    x1, x2, p1, p2 = _split(np.asarray(z, np.float64))
    r1 = np.linalg.norm(x1, axis=-1, keepdims=True)
    d = x1 - x2
    r12 = np.linalg.norm(d, axis=-1, keepdims=True)
    spring1 = (r1 - 1) * x1 / r1
    spring2 = 2 * (r12 - 1) * d / r12
    gravity = np.array([0.0, 0.0, 1.0])
    return np.concatenate([p1, p2, -(spring1 + spring2 + gravity), -(-spring2 + gravity)], axis=-1)


def integrate(z0, ts) -> np.ndarray:
    """The true trajectories from the states ``z0`` (``(n, 12)``) at times
    ``ts`` (starting at 0): ``(n, len(ts), 12)``, all systems integrated
    together by DOP853 at tolerance ``RTOL``, in float64.

    >>> z0 = np.array([[0.1, 0, -1.5, 0, 0.2, -3, 0, 0.3, 0, 0.1, 0, 0]])
    >>> zs = integrate(z0, np.linspace(0, 10, 6))
    >>> zs.shape, float(np.ptp(energy(zs))) < 1e-8
    ((1, 6, 12), True)
    """
    z0 = np.asarray(z0, np.float64)
    n = len(z0)
    ts = np.asarray(ts, np.float64)
    solution = solve_ivp(lambda t, flat: vector_field(flat.reshape(n, 12)).ravel(), (ts[0], ts[-1]), z0.ravel(),
                         method="DOP853", t_eval=ts, rtol=RTOL, atol=RTOL)
    if not solution.success:
        raise RuntimeError(f"the pendulum's integration failed: {solution.message}")
    return solution.y.reshape(n, 12, len(ts)).transpose(0, 2, 1)


def initial_conditions(N: int, rng: np.random.Generator) -> np.ndarray:
    """``N`` initial states drawn as emlp's ``sample_initial_conditions``:
    the masses at (0, 0, −1.5) and (0, 0, −3) plus 0.2·N(0, 1) noise, the
    momenta 0.4·N(0, 1).

    >>> z0 = initial_conditions(2, np.random.default_rng(0))
    >>> z0.shape, bool(abs(z0[:, 2] + 1.5).max() < 1)
    ((2, 12), True)
    """
    x1 = np.array([0, 0, -1.5]) + 0.2 * rng.standard_normal((N, 3))
    x2 = np.array([0, 0, -3.0]) + 0.2 * rng.standard_normal((N, 3))
    return np.concatenate([x1, x2, 0.4 * rng.standard_normal((N, 6))], axis=1)


def time_grid(count: int, dt: float) -> np.ndarray:
    """``count`` times ``0, dt, 2·dt, …`` (float64).

    >>> time_grid(3, 0.2).tolist()
    [0.0, 0.2, 0.4]
    """
    return np.arange(count) * float(dt)


def data_dir() -> Path:
    """Where generated datasets are kept: ``$REPALG_DATA_DIR``, else
    ``$XDG_CACHE_HOME/repalg/datasets`` (``~/.cache/repalg/datasets``)."""
    if os.environ.get("REPALG_DATA_DIR"):
        return Path(os.environ["REPALG_DATA_DIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "repalg" / "datasets"


class DoubleSpringPendulum(Dataset):
    """``N`` chunks of double spring pendulum trajectories, one per system:
    ``X`` the chunk's first state (with the gravity direction appended when
    ``gravity_input``), ``Y`` the chunk, ``chunk_len`` states ``dt`` apart,
    flattened (``rep_out = chunk_len*rep_state``). ``ts`` are the chunk's
    times, ``T_long`` those of a whole trajectory (``integration_time``
    seconds, the rollouts' horizon). ``symmetry`` is ``O(2)eR3``, or O(3)
    with ``gravity_input``. As emlp's, ``n_systems`` may name ``N``, ``Zs``
    holds the chunks ``(N, chunk_len, 12)`` and ``ds[i]`` is ``((z0, ts),
    chunk)``.

    >>> ds = DoubleSpringPendulum(N=3, chunk_len=4, gravity_input=True)
    >>> ds.X.shape, ds.Y.shape, ds.ts.tolist()[:2], str(ds.symmetry)
    ((3, 15), (3, 48), [0.0, 0.2], 'O(3)')
    """

    state_size = 12
    """The length of a state ``(x₁, x₂, p₁, p₂)``."""

    def __init__(self, N: int = 1500, seed: int = 0, chunk_len: int = 5, dt: float = 0.2,
                 integration_time: float = 30.0, gravity_input: bool = False, n_systems: int | None = None):
        N = integer(N if n_systems is None else n_systems, "the number of systems N", minimum=1)
        seed = integer(seed, "seed", minimum=0)
        self.chunk_len = integer(chunk_len, "chunk_len", minimum=2)
        if not isinstance(dt, (int, float)) or not 0 < dt < float("inf"):
            raise ValueError(f"dt is a positive time step, got {dt!r}")
        if not isinstance(integration_time, (int, float)) or not integration_time > 0:
            raise ValueError(f"integration_time is a positive number of seconds, got {integration_time!r}")
        self.dt, self.integration_time = float(dt), float(integration_time)
        steps = int(round(self.integration_time / self.dt))
        if steps < self.chunk_len:
            raise ValueError(f"integration_time {integration_time} holds {steps} steps of dt {dt}, fewer than "
                             f"chunk_len {chunk_len}")
        self.ts = time_grid(self.chunk_len, self.dt)
        self.T_long = time_grid(steps, self.dt)
        self.Z = self.Zs = self._chunks(N, seed, steps)
        X = self.Z[:, 0]
        self.gravity_input = bool(gravity_input)
        if self.gravity_input:
            X = np.concatenate([X, np.tile([0.0, 0.0, 1.0], (N, 1))], axis=1)
            self.symmetry = O(3)
        else:
            self.symmetry = O2eR3()
        self.X, self.Y = X, self.Z.reshape(N, -1)
        self.rep_state = 4 * Vector
        self.rep_in = (5 if self.gravity_input else 4) * Vector
        self.rep_out = self.chunk_len * self.rep_state
        self.stats = None
        self.flow = self.flow_of(chunk_len=self.chunk_len, dt=self.dt)

    @staticmethod
    def flow_of(chunk_len: int = 5, dt: float = 0.2, **options) -> dict:
        """What a model integrates for data made with these options, without
        making them: ``{"ts": the chunk's times, "rep_state": the state's
        representation, as text}`` (the trainer rebuilds a saved model from it).

        >>> DoubleSpringPendulum.flow_of(chunk_len=3)
        {'ts': (0.0, 0.2, 0.4), 'rep_state': '4*V'}
        """
        return {"ts": tuple(float(t) for t in time_grid(chunk_len, dt)), "rep_state": "4*V"}

    def _chunks(self, N: int, seed: int, steps: int) -> np.ndarray:
        key = f"DoubleSpringPendulum v{GENERATOR} N={N} seed={seed} chunk_len={self.chunk_len} dt={self.dt!r} " \
              f"steps={steps} rtol={RTOL!r}"
        path = data_dir() / f"pendulum-{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"
        found = read_npz(path, key)
        if found is not None:
            return found["chunks"]
        rng = np.random.default_rng(seed)
        zs = integrate(initial_conditions(N, rng), self.T_long)
        pieces = steps // self.chunk_len
        start = rng.integers(0, pieces, N) * self.chunk_len
        chunks = zs[np.arange(N)[:, None], start[:, None] + np.arange(self.chunk_len)]
        try:
            write_npz(path, key, {"chunks": chunks})
        except OSError as error:
            warnings.warn(f"the generated pendulum data cannot be kept in {str(path.parent)!r} ({error}); "
                          "set REPALG_DATA_DIR to a writable folder", RuntimeWarning, stacklevel=3)
        return chunks

    def __getitem__(self, i):
        return (self.X[i], self.ts), self.Z[i]

    def H(self, z) -> np.ndarray:
        """The Hamiltonian of states ``z`` (``(..., 12)``), as emlp's ``ds.H``."""
        return energy(z)

    def angular_momentum_z(self, z) -> np.ndarray:
        """The angular momentum about the z axis of states ``z`` (``(..., 12)``)."""
        return angular_momentum_z(z)

    def integrate(self, z0, ts) -> np.ndarray:
        """True trajectories from ``z0`` (``(n, 12)``, or rows of ``X``,
        whose gravity is fixed) at ``ts``: ``(n, len(ts), 12)``."""
        return integrate(np.asarray(z0)[:, :self.state_size], ts)

    def conserved(self, X):
        """The energy and ``L_z`` as functions of states, for the systems of
        rows ``X`` (the same for all: the pendulum has no parameters)."""
        return self.H, self.angular_momentum_z

