"""Learning dynamics: Hamiltonian neural networks and Neural ODEs, each on an
EMLP, an MLP or a scalar-invariant backbone (emlp's ``EMLPH``, ``MLPH``,
``EMLPode``, ``MLPode``; ``ScalarH`` and ``Scalarode`` after ScalarEMLP).

A Hamiltonian model is a network ``H(z)`` with a scalar output; its
dynamics are Hamilton's equations ``dz/dt = J∇H(z)``, ``J = [[0, I], [−I,
0]]`` on ``z = (q, p)``. A Neural ODE is a network whose output is ``dz/dt``
itself. :class:`Flow` integrates either from initial states over a time
grid with diffrax (Dopri5, adaptive steps at emlp's relative tolerance
1e-4, one step size for the whole batch, as ``jax.experimental.ode.odeint``
in emlp's trainer) or, for a model whose ``solver`` is ``"rk4"`` (LieConv's
models, as LieConv trains them), by one fourth-order Runge-Kutta step per
interval of the grid, so that a model is trained on the MSE between the
trajectories it integrates and the true ones. An input may carry constants
after the state (a gravity direction): the network sees them, the
integration keeps them fixed.

The model classes are the backbones with a ``dynamics`` attribute; a config
names one (``name = "EMLPH"``) with a dynamics dataset, and the trainer
builds the :class:`Flow` around it.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> flow = hk.transform(lambda x: Flow(EMLPH, "4*V", "4*V", "O(2)eR3", ts=(0.0, 0.1, 0.2), ch=16,
...                                      num_layers=1)(x))
>>> params = jax.jit(flow.init)(jax.random.PRNGKey(0), jnp.ones((2, 12)))
>>> jax.jit(flow.apply)(params, None, jnp.ones((2, 12))).shape
(2, 36)
"""

from __future__ import annotations

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from .binding import as_group, as_rep
from .emlp import EMLP
from .mlp import MLP
from .rollouts import (
    ERROR_FLOOR,
    drift,
    geometric_mean,
    relative_error,
    rollout_metrics,
)
from .scalars import ScalarMLP

RTOL, ATOL = 1e-4, 1e-6
"""The integration's tolerances: emlp's relative tolerance 1e-4; the
absolute one keeps steps finite near zero in float32."""

SOLVERS = ("dopri5", "rk4")
"""How :class:`Flow` integrates: diffrax's adaptive Dopri5 (emlp's
trainer), or fixed steps of classical RK4 on the time grid (LieConv's
trainer: torchdiffeq's ``method="rk4"``)."""

MAX_STEPS = 4096
"""Steps an integration may take before it gives up (the trajectory is then
``inf`` from where it stopped), at least: see :func:`step_budget`."""

STEPS_PER_INTERVAL = 64
"""Integrator steps allowed per interval of the rollout's time grid (see
:func:`step_budget`)."""


def step_budget(ts) -> int:
    """The steps an adaptive integration over the time grid ``ts`` may take:
    :data:`STEPS_PER_INTERVAL` per interval, and at least the training's
    :data:`MAX_STEPS`, so that the budget grows with the horizon.

    >>> step_budget(np.arange(0, 30, 0.2)), step_budget(np.arange(0, 300, 0.2))
    (9536, 95936)
    """
    return max(MAX_STEPS, STEPS_PER_INTERVAL * (len(ts) - 1))


class EMLPH(EMLP):
    """emlp's ``EMLPH``: an EMLP whose scalar output is the Hamiltonian."""

    dynamics = "hamiltonian"


class MLPH(MLP):
    """emlp's ``MLPH``: an MLP whose scalar output is the Hamiltonian."""

    dynamics = "hamiltonian"


class ScalarH(ScalarMLP):
    """ScalarEMLP's Hamiltonian model: the scalar-invariant model's output is
    the Hamiltonian."""

    dynamics = "hamiltonian"


class EMLPode(EMLP):
    """emlp's ``EMLPode``: an EMLP whose output is ``dz/dt``."""

    dynamics = "ode"


class MLPode(MLP):
    """emlp's ``MLPode``: an MLP whose output is ``dz/dt``."""

    dynamics = "ode"


class Scalarode(ScalarMLP):
    """The scalar-invariant model whose output is ``dz/dt``. Its output
    layer starts at zero (the flow starts still): the field is a combination
    of the input vectors with coefficients that are functions of their inner
    products, so at random weights it grows like the cube of the state, and
    its flow from the pendulum's states blows up within one chunk."""

    dynamics = "ode"
    output_init = hk.initializers.Constant(0.0)


DYNAMICS_MODELS = {cls.__name__: cls for cls in (EMLPH, MLPH, ScalarH, EMLPode, MLPode, Scalarode)}
"""The dynamics models by the name a config file gives them."""


def symplectic(gradient):
    """``J∇``: ``(∂H/∂q, ∂H/∂p) ↦ (∂H/∂p, −∂H/∂q)`` on the last axis.

    >>> symplectic(jnp.array([1.0, 2.0, 3.0, 4.0])).tolist()
    [3.0, 4.0, -1.0, -2.0]
    """
    half = gradient.shape[-1] // 2
    return jnp.concatenate([gradient[..., half:], -gradient[..., :half]], axis=-1)


def vector_field(kind: str, network, state_size: int):
    """``field(z, constants) -> dz/dt`` for a batch of states ``z``: Hamilton's
    equations of ``network``'s scalar output (``kind="hamiltonian"``) or its
    output itself (``"ode"``); ``network`` sees ``(z, constants)``."""
    def inputs(z, constants):
        return jnp.concatenate([z, constants], axis=-1)

    if kind == "hamiltonian":
        def field(z, constants):
            return symplectic(jax.grad(lambda z: jnp.sum(network(inputs(z, constants))))(z))
    elif kind == "ode":
        def field(z, constants):
            return network(inputs(z, constants))[..., :state_size]
    else:
        raise ValueError(f"a dynamics model is 'hamiltonian' or 'ode', got {kind!r}")
    return field


def odeint(field, z0, constants, ts, rtol: float = RTOL, atol: float = ATOL, max_steps: int | None = None):
    """The trajectories of ``dz/dt = field(z, constants)`` from the batch
    ``z0`` (``(B, s)``) at the times ``ts`` (increasing, from the start):
    ``(B, len(ts), s)``, by diffrax's Dopri5 with adaptive steps (one step size
    for the batch, at most ``max_steps`` of them, default :func:`step_budget`) and
    gradients by checkpointed backpropagation.

    >>> zs = odeint(lambda z, c: -z, jnp.ones((1, 1)), jnp.zeros((1, 0)), np.array([0.0, 1.0]))
    >>> round(float(zs[0, 1, 0]), 4)
    0.3679
    """
    diffrax = require_diffrax()
    ts = np.asarray(ts, np.float64)
    term = diffrax.ODETerm(lambda t, z, args: field(z, args))
    solution = diffrax.diffeqsolve(term, diffrax.Dopri5(), t0=float(ts[0]), t1=float(ts[-1]),
                                   dt0=float(ts[1] - ts[0]) if len(ts) > 1 else None, y0=z0, args=constants,
                                   saveat=diffrax.SaveAt(ts=jnp.asarray(ts, z0.dtype)),
                                   stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
                                   max_steps=step_budget(ts) if max_steps is None else max_steps, throw=False)
    return jnp.swapaxes(solution.ys, 0, 1)


def rk4(field, z0, constants, ts):
    """The trajectories of ``dz/dt = field(z, constants)`` from ``z0`` at the
    times ``ts``, by one classical Runge-Kutta step per interval of ``ts``
    (LieConv's integrator): four evaluations a step whatever the field does,
    so a learned field with a jump costs no more than a smooth one, and each
    row of the batch is integrated on its own. ``(B, len(ts), s)``.

    >>> zs = rk4(lambda z, c: -z, jnp.ones((1, 1)), jnp.zeros((1, 0)), np.linspace(0.0, 1.0, 11))
    >>> round(float(zs[0, -1, 0]), 5)
    0.36788
    """
    def step(z, dt):
        k1 = field(z, constants)
        k2 = field(z + dt / 2 * k1, constants)
        k3 = field(z + dt / 2 * k2, constants)
        k4 = field(z + dt * k3, constants)
        z = z + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return z, z

    dts = jnp.asarray(np.diff(np.asarray(ts, np.float64)), z0.dtype)
    _, zs = jax.lax.scan(step, z0, dts)
    return jnp.concatenate([z0[:, None], jnp.swapaxes(zs, 0, 1)], axis=1)


def require_diffrax():
    """diffrax, or an ImportError that says how to install it (an optional
    dependency, imported when a model is integrated: ``repalg[dynamics]``)."""
    try:
        import diffrax  # optional and heavy: only for the models that integrate
    except ImportError:
        raise ImportError("repalg's dynamics models integrate with diffrax, which is not installed: "
                          "pip install 'repalg[dynamics]'") from None
    return diffrax


class Flow(hk.Module):
    """The trajectories a dynamics model integrates: called on ``x``, rows of
    an initial state (``rep_state``) followed by constants (the rest of
    ``rep_in``), it returns the states at ``ts``, flattened:
    ``(B, len(ts) * rep_state.size())``. ``model`` is a class of
    :data:`DYNAMICS_MODELS` (or any backbone with a ``dynamics`` attribute),
    built on ``rep_in`` with ``options``; its output is ``Scalar`` for a
    Hamiltonian and ``rep_state`` for a Neural ODE. The batch is integrated
    as one system with one step size (as emlp trains), or, with
    ``independent``, each row with its own (for rollouts: one system whose
    learned dynamics turn stiff then stops only itself). ``solver`` (one of
    :data:`SOLVERS`; default the model's ``solver`` attribute, else
    ``"dopri5"``) says how."""

    def __init__(self, model, rep_in, rep_state, group, ts, rtol: float = RTOL, atol: float = ATOL,
                 independent: bool = False, solver: str | None = None, name: str | None = None, **options):
        super().__init__(name=name)
        self.group = as_group(group)
        self.rep_in, self.rep_state = as_rep(rep_in, self.group), as_rep(rep_state, self.group)
        self.state_size = self.rep_state.size()
        if self.state_size > self.rep_in.size() or self.state_size % 2:
            raise ValueError(f"a state ({self.rep_state!r}, size {self.state_size}) is positions and momenta, of "
                             f"even size, at the start of the input {self.rep_in!r} (size {self.rep_in.size()})")
        self.kind = getattr(model, "dynamics", None)
        if self.kind not in ("hamiltonian", "ode"):
            raise ValueError(f"{getattr(model, '__name__', model)} is not a dynamics model; use one of "
                             f"{', '.join(DYNAMICS_MODELS)}")
        self.ts = np.asarray(ts, np.float64)
        if self.ts.ndim != 1 or len(self.ts) < 2 or np.any(np.diff(self.ts) <= 0):
            raise ValueError(f"ts are at least two increasing times, got {ts!r}")
        out = as_rep("Scalar", self.group) if self.kind == "hamiltonian" else self.rep_state
        self.network = hk.transform(lambda u: model(self.rep_in, out, self.group, **options)(u))
        self.rtol, self.atol, self.independent = rtol, atol, independent
        self.solver = solver if solver is not None else getattr(model, "solver", "dopri5")
        if self.solver not in SOLVERS:
            raise ValueError(f"a solver is one of {', '.join(SOLVERS)}, got {self.solver!r}")

    def __call__(self, x):
        x = jnp.asarray(x)
        params = hk.lift(self.network.init, name="network")(hk.maybe_next_rng_key(), x)
        # one function object for every evaluation: JAX traces (and differentiates) the network once,
        # not once for each stage of each step of the integrator and of its adjoint
        field_at = jax.jit(lambda params, z, constants: vector_field(
            self.kind, lambda u: self.network.apply(params, None, u), self.state_size)(z, constants))
        field = lambda z, constants: field_at(params, z, constants)
        z0, constants = x[..., :self.state_size], x[..., self.state_size:]
        if self.solver == "rk4":
            zs = rk4(field, z0, constants, self.ts)
        elif self.independent:
            one = lambda z, c: odeint(field, z[None], c[None], self.ts, self.rtol, self.atol)[0]
            zs = jax.vmap(one)(z0, constants)
        else:
            zs = odeint(field, z0, constants, self.ts, self.rtol, self.atol)
        return zs.reshape(x.shape[:-1] + (-1,))


__all__ = [
    "ATOL",
    "DYNAMICS_MODELS",
    "EMLPH",
    "ERROR_FLOOR",
    "MAX_STEPS",
    "MLPH",
    "RTOL",
    "STEPS_PER_INTERVAL",
    "EMLPode",
    "Flow",
    "MLPode",
    "ScalarH",
    "Scalarode",
    "drift",
    "geometric_mean",
    "odeint",
    "relative_error",
    "require_diffrax",
    "rollout_metrics",
    "step_budget",
    "symplectic",
    "vector_field",
]
