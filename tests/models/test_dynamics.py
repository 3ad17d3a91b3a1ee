"""Dynamics: the pendulum's data are true trajectories, Hamiltonian and
Neural-ODE models built on EMLP are equivariant for every group of the
paper's table, an O(2)-invariant Hamiltonian conserves L_z (Noether), and
a short training run learns.

The models here are small (``ch=16``, one layer) so that compiling them
through the integrator stays quick.
"""

from __future__ import annotations

import re

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg import group as parse_group
from repalg.models import MODELS
from repalg.models.config import ConfigError, parse_config
from repalg.models.datasets import DoubleSpringPendulum
from repalg.models.datasets import pendulum
from repalg.models.dynamics import (DYNAMICS_MODELS, EMLPH, EMLPode, Flow, MLPode, ScalarH, Scalarode, odeint,
                                    relative_error, rk4, rollout_metrics, symplectic, vector_field)
from repalg.models.sweep.plan import Plan, Task
from repalg.models.sweep.report import summarize
from repalg.models.training import ROLLOUT_PLOT, ROLLOUTS, load, prepare, train
from repalg.reps import V

from ..marks import default
from ..reference import DATA, fixture

GROUPS = ["O(2)eR3", "SO(2)eR3", "D(6)eR3", "D(2)eR3"]
SMALL = {"ch": 16, "num_layers": 1}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("REPALG_DATA_DIR", str(tmp_path))
    return tmp_path


def states(n, seed=0):
    ds = DoubleSpringPendulum(N=n, seed=seed, integration_time=1.0)
    return ds.X


# -- the data -------------------------------------------------------------------------------------------------------

def test_the_integrator_conserves_energy_and_angular_momentum(data_dir):
    ds = DoubleSpringPendulum(N=20, seed=3)
    zs = ds.integrate(ds.X, ds.T_long)  # 30 s from each chunk's first state
    assert zs.shape == (20, 150, 12)
    for quantity in (pendulum.energy, pendulum.angular_momentum_z):
        values = quantity(zs)
        assert np.max(np.abs(values - values[:, :1])) < 1e-7
    # and a chunk is the trajectory from its first state
    again = ds.integrate(ds.X, ds.ts)
    assert np.allclose(again.reshape(20, -1), ds.Y, atol=1e-8)


def test_the_vector_field_is_hamiltons_equations_of_the_energy():
    z = np.random.default_rng(0).normal(size=(7, 12)) + np.r_[0, 0, -1.5, 0, 0, -3, [0] * 6]
    jax.config.update("jax_enable_x64", True)
    try:
        def H(z):
            x1, x2, p1, p2 = z[0:3], z[3:6], z[6:9], z[9:12]
            return (0.5 * p1 @ p1 + 0.5 * p2 @ p2 + 0.5 * (jnp.linalg.norm(x1) - 1) ** 2
                    + (jnp.linalg.norm(x1 - x2) - 1) ** 2 + x1[2] + x2[2])

        gradient = np.asarray(jax.vmap(jax.grad(H))(jnp.asarray(z)))
        assert np.allclose(pendulum.energy(z), np.asarray(jax.vmap(H)(jnp.asarray(z))), atol=1e-12)
    finally:
        jax.config.update("jax_enable_x64", False)
    assert np.allclose(pendulum.vector_field(z), np.asarray(symplectic(jnp.asarray(gradient))), atol=1e-12)
    # states of any leading shape (..., 12): one state, a grid of them
    assert np.allclose(pendulum.vector_field(z[3]), pendulum.vector_field(z)[3], atol=1e-15)
    grid = np.concatenate([z, z[:1]]).reshape(2, 4, 12)
    assert np.allclose(pendulum.vector_field(grid).reshape(8, 12)[:7], pendulum.vector_field(z), atol=1e-15)


def test_initial_conditions_are_emlps():
    """emlp's ``sample_initial_conditions``: positions (0, 0, -1.5) and
    (0, 0, -3) plus 0.2 N(0, 1), momenta 0.4 N(0, 1), independent. With
    40,000 draws a standard deviation is known to 0.4%: 1% tolerances."""
    z0 = pendulum.initial_conditions(40_000, np.random.default_rng(5))
    np.testing.assert_allclose(z0.mean(0), [0, 0, -1.5, 0, 0, -3] + [0] * 6, atol=0.01)
    np.testing.assert_allclose(z0.std(0), [0.2] * 6 + [0.4] * 6, rtol=0.015)
    correlation = np.corrcoef(z0.T) - np.eye(12)
    assert np.abs(correlation).max() < 0.03


def test_the_data_are_seeded_chunks_of_trajectories_from_the_initial_conditions(data_dir):
    a, b, c = (DoubleSpringPendulum(N=6, seed=s, integration_time=2.0) for s in (1, 1, 2))
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    chunks = a.Y.reshape(6, 5, 12)
    assert np.allclose(chunks[:, 0], a.X)
    # each system's chunk is a piece of the trajectory from its seeded initial state
    whole = pendulum.integrate(pendulum.initial_conditions(6, np.random.default_rng(1)), a.T_long)
    for chunk, trajectory in zip(chunks, whole):
        start = np.argmin(np.abs(trajectory - chunk[0]).sum(-1))
        assert start % 5 == 0 and np.allclose(trajectory[start:start + 5], chunk, atol=1e-8)
    G = a.symmetry
    assert a.rep_in(G).size() == 12 and a.rep_out(G).size() == 60 and str(G) == "O(2)eR3"


def test_the_disk_cache_is_keyed_by_every_parameter_and_recomputes_a_corrupt_file(data_dir):
    first = DoubleSpringPendulum(N=5, seed=0, integration_time=2.0)
    files = sorted(data_dir.glob("*.npz"))
    assert len(files) == 1
    DoubleSpringPendulum(N=5, seed=0, integration_time=2.0, dt=0.1)
    DoubleSpringPendulum(N=5, seed=0, integration_time=2.0, chunk_len=4)
    assert len(list(data_dir.glob("*.npz"))) == 3
    files[0].write_bytes(b"not an npz")
    again = DoubleSpringPendulum(N=5, seed=0, integration_time=2.0)
    assert np.array_equal(again.Y, first.Y)
    assert pendulum.read_npz(files[0], "anything") is None  # the damaged file was replaced by a sound one


def test_rows_with_gravity_integrate_their_twelve_state_coordinates(data_dir):
    """With gravity as an input a row is the state (x₁, x₂, p₁, p₂), 12
    numbers, then gravity's 3; ``integrate`` rolls out the 12 as the data
    were made: the rows' own trajectories."""
    ds = DoubleSpringPendulum(N=2, chunk_len=3, gravity_input=True)
    assert DoubleSpringPendulum.state_size == 12 and ds.X.shape == (2, 15) and ds.rep_in(ds.symmetry).size() == 15
    np.testing.assert_allclose(ds.integrate(ds.X, ds.ts).reshape(2, -1), ds.Y, rtol=1e-6, atol=1e-8)


def test_generated_data_are_kept_in_the_users_cache(tmp_path, monkeypatch):
    """``$REPALG_DATA_DIR``, else ``$XDG_CACHE_HOME/repalg/datasets``, else
    ``~/.cache/repalg/datasets`` (the XDG base directory rule)."""
    monkeypatch.delenv("REPALG_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert pendulum.data_dir() == tmp_path / "xdg" / "repalg" / "datasets"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert pendulum.data_dir() == tmp_path / "home" / ".cache" / "repalg" / "datasets"
    monkeypatch.setenv("REPALG_DATA_DIR", str(tmp_path / "mine"))
    assert pendulum.data_dir() == tmp_path / "mine"


def test_the_data_are_still_made_when_the_cache_cannot_be_written(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("REPALG_DATA_DIR", str(blocker / "below"))
    with pytest.warns(RuntimeWarning, match="cannot be kept"):
        ds = DoubleSpringPendulum(N=3, integration_time=1.0)
    assert ds.X.shape == (3, 12)


@pytest.mark.parametrize("options, message", [
    ({"N": 0}, "the number of systems N must be at least 1, got 0"),
    ({"dt": -0.1}, "dt is a positive time step, got -0.1"), ({"dt": float("inf")}, "dt is a positive time step"),
    ({"chunk_len": 1}, "chunk_len must be at least 2, got 1"),
    ({"integration_time": 0.5}, "integration_time 0.5 holds 2 steps of dt 0.2, fewer than chunk_len 5"),
    ({"integration_time": 0}, "integration_time is a positive number of seconds, got 0"),
])
def test_bad_pendulum_settings_are_refused(data_dir, options, message):
    """Each message names the setting and the value given, whole."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        DoubleSpringPendulum(**options)


# -- the models -----------------------------------------------------------------------------------------------------

def transformed(model, group, ts=(0.0, 0.2, 0.4), rep_in="4*V"):
    """A small ``Flow`` of ``model``, its init and apply jitted: one
    compilation each instead of an operation-by-operation run through the
    integrator."""
    f = hk.transform(lambda x: Flow(model, rep_in, "4*V", group, ts=ts, **SMALL)(x))
    return f._replace(init=jax.jit(f.init), apply=jax.jit(f.apply))


def moved(group_text, n, seed):
    """``n`` sampled elements of the group and their action on a state (4 vectors)."""
    G = parse_group(group_text)
    gs = np.asarray(G.samples(n, key=seed), np.float64)
    return gs, [np.kron(np.eye(4), g) for g in gs]


@pytest.mark.parametrize("group, kind", default([(g, k) for g in GROUPS for k in ("hamiltonian", "ode")],
                                                 ("O(2)eR3", "hamiltonian")))
def test_emlp_dynamics_are_equivariant(data_dir, group, kind):
    """Rotating the initial state rotates the predicted derivative, and the
    integrated trajectory: a Hamiltonian for O(2) by default, every pair of
    group and kind in the slow run (6 s each)."""
    model = EMLPH if kind == "hamiltonian" else EMLPode
    z = states(4).astype(np.float32)
    _, actions = moved(group, 3, seed=7)
    flow = transformed(model, group)
    params = flow.init(jax.random.PRNGKey(0), z)

    net = hk.transform(lambda u: model(V(parse_group(group)) * 4, "Scalar" if kind == "hamiltonian" else "4*V",
                                       group, **SMALL)(u))

    @jax.jit
    def derivative(params, z):
        names = {k.split("network/", 1)[1]: v for k, v in params.items()}  # the Flow's network, under its lifted name
        field = vector_field(kind, lambda u: net.apply(names, None, u), 12)
        return field(jnp.asarray(z), jnp.zeros((len(z), 0), jnp.float32))

    trajectories = np.asarray(flow.apply(params, None, z)).reshape(4, 3, 12)
    dz = np.asarray(derivative(params, z))
    assert np.abs(dz).max() > 1e-3  # not trivially zero
    for action in actions:
        rotated = (z.astype(np.float64) @ action.T).astype(np.float32)
        assert np.allclose(np.asarray(derivative(params, rotated)), dz @ action.T, atol=2e-5 * np.abs(dz).max())
        moved_out = np.asarray(flow.apply(params, None, rotated)).reshape(4, 3, 12)
        assert np.allclose(moved_out, trajectories @ action.T, atol=1e-4)


@pytest.mark.parametrize("model", default([ScalarH, Scalarode], ScalarH))
def test_the_scalar_models_with_gravity_as_input_are_o3_equivariant(data_dir, model):
    ds = DoubleSpringPendulum(N=4, integration_time=1.0, gravity_input=True)
    x = ds.X.astype(np.float32)
    flow = transformed(model, "O(3)", rep_in="5*V")
    params = flow.init(jax.random.PRNGKey(1), x)
    leaves, tree = jax.tree_util.tree_flatten(params)  # Scalarode starts still: move every weight a little
    noise = np.random.default_rng(0)
    params = jax.tree_util.tree_unflatten(tree, [p + 0.03 * noise.normal(size=p.shape).astype(np.float32)
                                                 for p in leaves])
    out = np.asarray(flow.apply(params, None, x)).reshape(4, 3, 12)
    assert np.all(np.isfinite(out)) and np.abs(out[:, -1] - out[:, 0]).max() > 1e-3  # it moves
    for g in np.asarray(parse_group("O(3)").samples(3, key=2), np.float64):
        rotated = (x.astype(np.float64) @ np.kron(np.eye(5), g).T).astype(np.float32)  # gravity turns too
        expected = out @ np.kron(np.eye(4), g).T
        assert np.allclose(np.asarray(flow.apply(params, None, rotated)).reshape(4, 3, 12), expected, atol=1e-4)


@pytest.mark.slow
def test_an_o2_invariant_hamiltonian_conserves_angular_momentum_and_its_own_energy(data_dir):
    """Noether: whatever its weights, an EMLPH for rotations about z has a
    flow that conserves L_z, and every HNN conserves the H it learned.
    In the slow run (9 s); the default run has the integrator's conservation laws."""
    z = states(8).astype(np.float32)
    ts = np.arange(0, 5.0, 0.25)
    flow = transformed(EMLPH, "O(2)eR3", ts=ts)
    params = flow.init(jax.random.PRNGKey(3), z)
    zs = np.asarray(flow.apply(params, None, z), np.float64).reshape(8, len(ts), 12)
    lz = pendulum.angular_momentum_z(zs)
    assert np.max(np.abs(lz - lz[:, :1])) < 1e-4
    true_energy = pendulum.energy(zs)  # not the learned H: it changes
    assert np.max(np.abs(true_energy - true_energy[:, :1])) > 1e-2
    mlp = transformed(MODELS["MLPH"], "Trivial(3)", ts=ts)
    zs = np.asarray(mlp.apply(mlp.init(jax.random.PRNGKey(3), z), None, z), np.float64).reshape(8, len(ts), 12)
    lz = pendulum.angular_momentum_z(zs)
    assert np.max(np.abs(lz - lz[:, :1])) > 1e-3  # without the symmetry, nothing forces it


def test_odeint_matches_an_exact_solution():
    """The harmonic oscillator H = (q² + p²)/2 rotates phase space."""
    ts = np.linspace(0, 3, 7)
    zs = odeint(lambda z, c: symplectic(z), jnp.array([[1.0, 0.0]]), jnp.zeros((1, 0)), ts)
    assert np.allclose(np.asarray(zs[0]), np.stack([np.cos(ts), -np.sin(ts)], axis=1), atol=1e-4)


@pytest.mark.parametrize("dt", [0.2, 0.1])
def test_rk4_matches_an_exact_solution_to_fourth_order(dt):
    """One RK4 step per interval: the largest error up to t = 3 is C·dt⁴ with
    C ≈ 0.024 for the oscillator at both steps (halving the step divides it
    by 16; float32 round-off stays below it down to dt ≈ 0.1)."""
    ts = np.arange(0, 3 + dt / 2, dt)
    zs = np.asarray(rk4(lambda z, c: symplectic(z), jnp.array([[1.0, 0.0]]), jnp.zeros((1, 0)), ts))
    error = np.max(np.abs(zs[0] - np.stack([np.cos(ts), -np.sin(ts)], axis=1)))
    assert zs.shape == (1, len(ts), 2) and 0.01 * dt ** 4 < error < 0.05 * dt ** 4


def test_flow_integrates_with_the_models_solver():
    """LieConv's models take RK4 steps on the grid (``solver = "rk4"``); a
    ``Flow`` can be told either solver, and refuses another."""
    class Oscillator:
        dynamics = "hamiltonian"

        def __init__(self, rep_in, rep_out, group):
            pass

        def __call__(self, z):
            return jnp.sum(z ** 2, -1, keepdims=True) / 2

    ts, z0 = np.linspace(0, 1, 3), jnp.array([[1.0, 0.0]])
    runs = {}
    for solver in ("dopri5", "rk4"):
        flow = hk.transform(lambda x: Flow(Oscillator, "2", "2", "Trivial(1)", ts=ts, solver=solver)(x))
        runs[solver] = np.asarray(jax.jit(flow.apply)(flow.init(jax.random.PRNGKey(0), z0), None, z0)).reshape(3, 2)
    # z' = A z: an RK4 step of h is the degree-4 Taylor polynomial of exp(hA); dopri5 is exp(tA) to its tolerance
    A = np.array([[0.0, 1.0], [-1.0, 0.0]])
    step = sum(np.linalg.matrix_power(0.5 * A, n) / np.prod(range(1, n + 1)) for n in range(5))
    np.testing.assert_allclose(runs["rk4"], [[1.0, 0.0], step[:, 0], (step @ step)[:, 0]], atol=1e-6)
    np.testing.assert_allclose(runs["dopri5"], np.stack([np.cos(ts), -np.sin(ts)], axis=1), atol=1e-4)
    assert not np.allclose(runs["rk4"], runs["dopri5"], atol=1e-4)  # two steps of 0.5: RK4's error shows
    assert MODELS["HLieResNet"].solver == MODELS["HFC"].solver == MODELS["FC"].solver == "rk4"
    assert getattr(EMLPH, "solver", "dopri5") == "dopri5"
    with pytest.raises(ValueError, match="a solver is one of dopri5, rk4, got 'euler'"):
        hk.transform(lambda x: Flow(Oscillator, "2", "2", "Trivial(1)", ts=ts, solver="euler")(x)).init(
            jax.random.PRNGKey(0), z0)


def emlps_rollout_error(predicted, true):
    """emlp's number for a table of rollouts (``experiments/notebooks/paper_figures.ipynb``):
    ``rel_err(a, b) = rms(a - b) / (rms(a) + rms(b))`` of the state at each time,
    clamped at 1e-5, and the exponential of the mean of its logarithm."""
    rms = lambda v: np.sqrt((v ** 2).mean(-1))  # noqa: E731
    errors = rms(predicted - true) / (rms(predicted) + rms(true))
    return float(np.exp(np.log(np.clip(errors, 1e-5, np.inf)).mean()))


def test_rollout_metrics_are_emlps_geometric_mean_of_relative_errors():
    true = np.ones((2, 4, 12))
    predicted = true.copy()
    predicted[0] *= 3  # relative error |3-1| / (3+1) = 0.5 at every time
    found = rollout_metrics(predicted, true, pendulum.energy, pendulum.angular_momentum_z)
    assert np.allclose(relative_error(predicted, true)[0], 0.5)
    assert found["rollout_error"] == pytest.approx((0.5 ** 4 * 1e-5 ** 4) ** (1 / 8))
    assert found["rollout_error"] == pytest.approx(emlps_rollout_error(predicted, true))
    assert found["energy_drift"] == 0.0 and found["diverged_systems"] == found["budget_systems"] == 0
    predicted[1, 2:] = np.inf  # stopped after two steps, on scale: out of steps, not diverged
    found = rollout_metrics(predicted, true, pendulum.energy, pendulum.angular_momentum_z)
    assert (found["budget_systems"], found["diverged_systems"], found["rollout_error"]) == (1, 0, None)
    assert found["rollout_error_capped"] == pytest.approx((0.5 ** 4 * 1e-5 ** 2) ** (1 / 8))
    predicted[1, 1] = 11.0  # its last finite state 11x the truth's largest: it was diverging
    found = rollout_metrics(predicted, true, pendulum.energy, pendulum.angular_momentum_z, floor=1e-7)
    assert (found["budget_systems"], found["diverged_systems"], found["rollout_error"]) == (0, 1, None)
    assert found["rollout_error_capped"] == pytest.approx((0.5 ** 4 * 1e-7 * (10 / 12) * 1 * 1) ** (1 / 8))


def test_the_rollout_error_and_its_table_are_emlps_on_emlps_own_numbers():
    """``emlp_rollouts.npz``: emlp's notebook formula (``paper_figures.ipynb``,
    computed in emlp's virtualenv) on fixed trajectories, one trial holding a
    rollout that stopped, which emlp's table drops."""
    arrays, _ = fixture(DATA / "emlp_rollouts.npz")
    pred, gt = arrays["pred"].astype(np.float64), arrays["gt"].astype(np.float64)
    records = []
    for i, expected in enumerate(arrays["state_err"]):
        found = rollout_metrics(pred[i], gt[i], pendulum.energy, pendulum.angular_momentum_z)
        if np.isnan(expected):
            assert found["rollout_error"] is None and found["budget_systems"] == 1
        else:
            assert found["rollout_error"] == pytest.approx(expected, rel=2e-5)
        records.append({"dataset": "DoubleSpringPendulum", "label": "HNN", "seed": i, "wall_seconds": 1.0,
                        "rollout_error": found["rollout_error"]})
    plan = Plan("out", tuple(Task("c.toml", "c", None, i, (), f"out/c/seed{i}") for i in range(len(records))))
    (row,) = summarize(plan, {t.run_dir: r for t, r in zip(plan.tasks, records)})["rows"]
    assert (row["counted"], row["runs"]) == (len(records) - 1, len(records))
    np.testing.assert_allclose([row["mean"], row["std"]], arrays["table"], rtol=2e-5)


def test_rollout_metrics_take_quantities_of_each_systems_constants_with_stopped_systems():
    """A spring system's energy holds each system's masses: drift is measured
    on the finite rollouts without losing the systems' order."""
    true = np.ones((3, 4, 2))
    predicted = true.copy()
    predicted[1, 2:] = np.inf
    masses = np.array([1.0, 2.0, 4.0])[:, None]
    energy = lambda z: masses * np.sum(z ** 2, -1)  # noqa: E731 - (systems, times), the systems' own masses
    predicted[2, 3] *= 2  # system 3's energy goes from 8 to 32 at the end
    found = rollout_metrics(predicted, true, energy, lambda z: z[..., 0])
    assert found["budget_systems"] == 1 and found["energy_drift"] == pytest.approx((0 + 24) / 2)


@pytest.mark.parametrize("independent", [True, pytest.param(False, marks=pytest.mark.slow)])
def test_independent_rollouts_keep_one_stiff_system_from_stopping_the_others(independent):
    """``dz/dt = z²`` blows up at t = 1/z₀: from z₀ = 2 before t = 1, from
    z₀ = 0.1 not at all (z = 0.1/(1 - 0.1 t)). Integrated independently,
    the second row is that solution; as one system it stops with the first.
    (The shared solve in the slow run: an adaptive solve to compile, 4 s.)"""
    class Blowup:
        dynamics = "ode"

        def __init__(self, rep_in, rep_out, group):
            pass

        def __call__(self, z):
            return z ** 2

    ts = np.linspace(0, 1, 5)
    z0 = jnp.array([[2.0, 0.0], [0.1, 0.0]])
    flow = hk.transform(lambda x: Flow(Blowup, "2", "2", "Trivial(1)", ts=ts, independent=independent)(x))
    out = np.asarray(jax.jit(flow.apply)(flow.init(jax.random.PRNGKey(0), z0), None, z0)).reshape(2, 5, 2)
    assert np.all(np.isfinite(out[1])) == independent
    if independent:
        assert np.allclose(out[1, :, 0], 0.1 / (1 - 0.1 * ts), rtol=1e-3) and not np.all(np.isfinite(out[0]))


def test_a_non_dynamics_model_is_refused_by_flow():
    with pytest.raises(ValueError, match="not a dynamics model"):
        hk.transform(lambda x: Flow(MODELS["EMLP"], "4*V", "4*V", "O(2)eR3", ts=(0, 1))(x)).init(
            jax.random.PRNGKey(0), jnp.ones((1, 12)))


# -- training -------------------------------------------------------------------------------------------------------

CONFIG = """
[dataset]
name = "DoubleSpringPendulum"
N = 40
val = 20
test = 20
integration_time = 6.0
[model]
name = "{model}"
group = "{group}"
ch = 16
num_layers = 1
[train]
epochs = 12
batch_size = 20
lr = 1e-2
"""


class MLPodeRK4(MLPode):
    """The MLP's Neural ODE integrated by fixed RK4 steps on the time grid,
    as LieConv's models are: the trainer's whole path for trajectories, at
    a fraction of the cost of tracing the adaptive solver (4 s, not 17)."""

    solver = "rk4"


@pytest.mark.parametrize("model, group", default([("MLPodeRK4", "Trivial(3)"), ("MLPode", "Trivial(3)"),
                                                  ("EMLPH", "O(2)eR3")], ("MLPodeRK4", "Trivial(3)")))
def test_a_short_training_run_learns_and_rolls_out(data_dir, tmp_path, monkeypatch, model, group):
    """The MLP's Neural ODE with RK4 steps by default; with the adaptive
    solver (17 s, tracing diffrax's solver for training, prediction and the
    rollouts) and the EMLP's Hamiltonian (22 s) in the slow run."""
    monkeypatch.setitem(MODELS, "MLPodeRK4", MLPodeRK4)
    settings = parse_config(CONFIG.format(model=model, group=group) + "rollout_horizon = 4.0\n")
    result = train(settings, tmp_path / "run", progress=False)
    losses = [r["train_loss"] for r in result.history]
    assert losses[-1] < 0.8 * losses[0]
    r = result.results
    saved = np.load(result.run_dir / ROLLOUTS)
    assert r["rollout_systems"] == 20 and np.all(np.isfinite(saved["predicted"]))
    assert r["rollout_error"] == pytest.approx(emlps_rollout_error(saved["predicted"], saved["true"]), rel=1e-8)
    assert r["true_energy_drift"] < 1e-6 and r["energy_drift"] > 0
    assert r["equivariance_error"] < 1e-4 if model == "EMLPH" else True
    for name in (ROLLOUTS, ROLLOUT_PLOT):
        assert (result.run_dir / name).stat().st_size > 0
    assert saved["predicted"].shape == saved["true"].shape == (20, 20, 12)  # 4 s of the data's 6, every 0.2 s
    # the run loads back for inference, with the chunk's time grid; the rollouts are the final weights' (emlp's)
    assert r["rollout_weights"] == "final"
    trained = load(result.run_dir, which="last")
    x = prepare(settings).data.X_test[:3]
    assert np.allclose(trained(x), np.asarray(saved["predicted"][:3, :5].reshape(3, -1)), atol=1e-4)


def test_dynamics_models_and_datasets_go_together(data_dir):
    with pytest.raises(ConfigError, match="model.name: .*use one of EMLPH"):
        prepare(parse_config(CONFIG.format(model="EMLP", group="O(2)eR3")))
    inertia = '[dataset]\nname = "Inertia"\nN = 10\nval = 5\ntest = 5\n[model]\nname = "EMLPH"\nch = 8\n'
    with pytest.raises(ConfigError, match="model.name: EMLPH learns dynamics"):
        prepare(parse_config(inertia))
    with pytest.raises(ConfigError, match="train.rollouts: Inertia holds no trajectories"):
        prepare(parse_config(inertia.replace("EMLPH", "MLP") + "[train]\nrollouts = 5\n"))
    with pytest.raises(ConfigError, match="train.rollout_horizon: Inertia holds no trajectories"):
        prepare(parse_config(inertia.replace("EMLPH", "MLP") + "[train]\nrollout_horizon = 5.0\n"))


@pytest.mark.parametrize("line, words", [('rollout_weights = "middle"', "train.rollout_weights: is 'final'"),
                                         ("rollout_rtol = 0.0", "train.rollout_rtol: must be a positive number"),
                                         ("rollout_floor = -1e-5", "train.rollout_floor: must be a positive"),
                                         ('rollout_horizon = "long"', "train.rollout_horizon: must be a number")])
def test_the_rollout_settings_are_checked(line, words):
    with pytest.raises(ConfigError, match=re.escape(words)):
        parse_config(CONFIG.format(model="EMLPH", group="O(2)eR3") + line + "\n")


def test_every_dynamics_model_is_a_config_name():
    assert set(DYNAMICS_MODELS) <= set(MODELS)
    assert set(DYNAMICS_MODELS) == {"EMLPH", "MLPH", "ScalarH", "EMLPode", "MLPode", "Scalarode"}


def test_emlps_ready_names():
    from repalg.nn import EMLPH as ReadyEMLPH, MLPode as ReadyMLPode

    H = ReadyEMLPH("4*V", "Scalar", "O(2)eR3", ch=16, num_layers=1)
    z = np.ones((3, 12), np.float32)
    assert np.shape(H(z)) == () and jax.grad(H)(z).shape == (3, 12)
    assert ReadyMLPode("4*V", "4*V", "Trivial(3)", ch=8)(z, 0.0).shape == (3, 12)


def test_emlps_pendulum_interface(data_dir):
    from repalg.datasets import DoubleSpringPendulum as FromFacade

    ds = FromFacade(n_systems=6, chunk_len=5)
    (z0, ts), chunk = ds[2]
    assert len(ds) == 6 and ds.Zs.shape == (6, 5, 12) and np.array_equal(chunk[0], z0)
    assert np.allclose(ts, [0, 0.2, 0.4, 0.6, 0.8]) and len(ds.T_long) == 150
    assert np.allclose(ds.integrate(ds.Zs[:, 0], ds.ts), ds.Zs, atol=1e-8)
