"""LieConv's tasks: the rotated digits and the spring systems as datasets,
the point-cloud models, and both trained from configs by the trainer."""

import os
import re
import subprocess
import sys
from pathlib import Path

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from sklearn.datasets import load_digits

from repalg.models import ConfigError, as_group, load, parse_config, train
from repalg.models.datasets.points import (RotatedDigits, SpringDynamics, pack_points, spring_energy,
                                           spring_trajectories, unpack_points)
from repalg.models.lieconv import as_lie_group
from repalg.models.lieconv.models import FC, HFC, HLieResNet, LieResNet
from repalg.models.training import prepare

from ...subprocesses import xla_flags
from ..test_dynamics import emlps_rollout_error

ROOT = Path(__file__).resolve().parents[3]


def test_points_pack_and_unpack_round_trip():
    rng = np.random.default_rng(0)
    coords, values = rng.normal(size=(4, 5, 3)), rng.normal(size=(4, 5, 2))
    mask = rng.uniform(size=(4, 5)) > 0.3
    back = unpack_points(pack_points(coords, values, mask), {"n": 5, "d": 3, "c": 2})
    assert np.allclose(back[0], coords, atol=1e-6) and np.allclose(back[1], values, atol=1e-6)
    assert np.array_equal(back[2], mask)


def test_rotated_digits_are_exact_rotations_of_the_images():
    train, test = RotatedDigits(train=True), RotatedDigits(train=False)
    assert len(train) + len(test) == 1797 and not set(map(bytes, test.X[:50])) & set(map(bytes, train.X[:50]))
    assert train.X.shape[1] == train.rep_in(train.symmetry).size() == 256
    upright = RotatedDigits(train=False, rotate_train=False)
    coords, values, mask = unpack_points(test.X, test.points)
    assert mask.all() and values.min() >= 0 and values.max() <= 1
    # the test clouds are the upright images' pixels moved by a rotation: distances to the centre and between
    # pixels are the grid's
    grid = unpack_points(RotatedDigits(train=True).X[:1], test.points)[0][0]
    assert np.allclose(np.linalg.norm(coords, axis=-1), np.linalg.norm(grid, axis=-1)[None], atol=1e-5)
    c, s = np.cos(test.angles[0]), np.sin(test.angles[0])
    assert np.allclose(coords[0], grid @ np.array([[c, s], [-s, c]]), atol=1e-5)
    assert np.ptp(test.angles) > 5 and np.all(train.angles == 0)
    assert np.array_equal(RotatedDigits(train=False).X, test.X) and np.array_equal(upright.Y, test.Y)
    assert not np.array_equal(RotatedDigits(train=False, seed=1).Y, test.Y)
    assert set(np.unique(train.Y)) == set(range(10))


def test_a_subset_of_the_digits_is_seeded_and_split_in_thirds():
    train, test = RotatedDigits(train=True, images=300), RotatedDigits(train=False, images=300)
    assert (len(train), len(test)) == (200, 100)
    assert np.array_equal(RotatedDigits(train=True, images=300).X, train.X)
    assert not set(map(bytes, train.X)) & set(map(bytes, test.X))
    pixels = unpack_points(train.X, train.points)[1][..., 0]
    digits = load_digits()
    every = {bytes(np.float32(image.ravel() / 16)) for image in digits.images}
    assert all(bytes(np.float32(row)) in every for row in pixels)  # each a digit, whole
    for images, words in [(1798, "1797 images"), (2, "at least 3"), (30.5, "integer")]:
        with pytest.raises(ValueError, match=words):
            RotatedDigits(images=images)


def _field(z, constants):
    """Hamilton's equations of the springs, by hand: dq/dt = p/m, dp/dt =
    −2 Σⱼ kᵢkⱼ (qᵢ − qⱼ)."""
    q, p = z[:12].reshape(6, 2), z[12:].reshape(6, 2)
    m, k = constants[0::2], constants[1::2]
    K = k[:, None] * k[None]
    force = -2 * np.sum(K[:, :, None] * (q[:, None] - q[None]), 1)
    return np.concatenate([(p / m[:, None]).ravel(), force.ravel()])


def test_spring_trajectories_are_exact():
    """The normal-mode solution against an independent integration of
    Hamilton's equations (scipy's DOP853 at 1e-11)."""
    ds = SpringDynamics(N=2, seed=3)
    X = ds.X.astype(np.float64)
    ts = ds.T_long[::10]
    exact = ds.integrate(X, ts)
    for row in range(2):
        solution = solve_ivp(lambda t, z: _field(z, X[row, 24:]), (ts[0], ts[-1]), X[row, :24], method="DOP853",
                             t_eval=ts, rtol=1e-11, atol=1e-11)
        assert np.abs(solution.y.T - exact[row]).max() < 1e-7
    energy, momentum = ds.conserved(X)
    assert np.ptp(energy(exact), 1).max() < 1e-9 and np.ptp(momentum(exact), 1).max() < 1e-9


def test_spring_energy_is_the_hamiltonian_of_the_field():
    """Its gradient (by central differences) is the field's, rotated by J."""
    ds = SpringDynamics(N=1, seed=1)
    z, c = ds.X[0, :24].astype(np.float64), ds.X[0, 24:].astype(np.float64)
    eye = np.eye(24) * 1e-6
    grad = np.array([(spring_energy(z + e, c) - spring_energy(z - e, c)) / 2e-6 for e in eye])
    assert np.allclose(np.concatenate([grad[12:], -grad[:12]]), _field(z, c), rtol=1e-5, atol=1e-5)


def test_spring_data_are_seeded_cached_and_chunked():
    a, b = SpringDynamics(N=5, seed=2), SpringDynamics(N=5, seed=2)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, SpringDynamics(N=5, seed=3).X)
    assert a.Y.shape == (5, 5 * 24) and np.allclose(a.Y[:, :24], a.X[:, :24])
    z0 = a.X[:, :24].astype(np.float64)
    step = spring_trajectories(z0, a.X[:, 24:], a.ts)
    assert np.allclose(step.reshape(5, -1), a.Y, atol=1e-5)
    q, p = z0[:, :12].reshape(5, 6, 2), z0[:, 12:].reshape(5, 6, 2)
    assert np.allclose(p.sum(1), 0, atol=1e-5)  # the centre of mass rests... at the chunk's start, as throughout
    assert SpringDynamics.flow_of() == a.flow and SpringDynamics.points_of() == a.points
    with pytest.raises(ValueError, match="dt"):
        SpringDynamics(N=2, dt=0)


@pytest.mark.parametrize("cls", [HLieResNet, HFC])
def test_hamiltonian_models_know_the_kinetic_energy_and_centre_positions(cls):
    points = {"n": 6, "d": 2, "c": 2}
    options = dict(lie_group="Translation(2)", k=16, num_layers=1) if cls is HLieResNet else dict(k=16, num_layers=1)
    net = hk.transform(lambda x: cls("12*V+12*Scalar", "Scalar", "SO(2)", points=points, **options)(x))
    net = net._replace(init=jax.jit(net.init), apply=jax.jit(net.apply))
    x = jnp.asarray(SpringDynamics(N=4).X)
    params = net.init(jax.random.PRNGKey(0), x)
    H = net.apply(params, None, x)
    shift = jnp.concatenate([jnp.tile(jnp.array([3.0, -1.0]), 6), jnp.zeros(24)])
    assert np.allclose(net.apply(params, None, x + shift), H, atol=1e-5)  # translations
    more = x.at[:, 12:24].multiply(2.0)  # doubling the momenta adds 3x the kinetic energy
    kinetic = np.sum(np.asarray(x[:, 12:24]).reshape(4, 6, 2) ** 2, -1) / (2 * np.asarray(x[:, 24::2]))
    assert np.allclose(net.apply(params, None, more) - H, 3 * kinetic.sum(1, keepdims=True), rtol=1e-4)
    padded = net.apply(params, None, jnp.zeros((2, 36)))
    assert np.all(np.isfinite(padded))


DIGITS = '''
[dataset]
name = "RotatedDigits"
images = 90
val = 15
[model]
name = "LieResNet"
group = "{group}"
k = 8
num_layers = 1
nbhd = 8
fill = 0.125
liftsamples = {lifts}
[train]
epochs = 1
batch_size = 45
'''


@pytest.mark.parametrize("group, lifts", [("SO(2)", 1), pytest.param("SE(2)", 2, marks=pytest.mark.slow)])
def test_a_lieresnet_trains_on_rotated_digits_from_a_config(tmp_path, group, lifts):
    """SE(2) in the slow run: the resume and sharding tests train it from
    the same config by default. SO(2)'s lift is deterministic, so the model
    is invariant to round-off under the dataset's SO(2); SE(2)'s samples each
    point's stabilizer, invariant in distribution only (its error has no
    law to check here)."""
    result = train(parse_config(DIGITS.format(group=group, lifts=lifts)), tmp_path / "run", progress=False)
    r = result.results
    if group == "SO(2)":
        assert r["equivariance_error"] < 1e-4
    assert result.settings.model.group == group
    model = load(tmp_path / "run")
    test = prepare(parse_config(DIGITS.format(group=group, lifts=lifts))).data
    logits = np.asarray(model(test.X_test))
    assert logits.shape == (len(test.Y_test), 10)
    assert r["test_accuracy"] == pytest.approx(np.mean(logits.argmax(1) == test.Y_test), abs=1e-12)
    assert np.allclose(model(test.X_test[:3]), model.apply(result.state.best_params, test.X_test[:3]), atol=1e-6)


class Interrupt(Exception):
    pass


def _leaves(state):
    return [np.asarray(a) for name in ("params", "opt_state", "best_params", "key")
            for a in jax.tree_util.tree_leaves(getattr(state, name))]


@pytest.mark.slow
def test_an_interrupted_lieconv_run_resumes_to_exactly_the_uninterrupted_one(tmp_path):
    """SE(2)'s lift draws from the run's key: a resumed run draws the same.
    In the slow run (30 s): the default run resumes an MLP's run exactly
    (tests/models/training/test_loop.py)."""
    settings = parse_config(DIGITS.format(group="SE(2)", lifts=2), ["train.epochs=2"])
    whole = train(settings, tmp_path / "whole", progress=False)

    def stop_after_epoch_1(state):
        if state.epoch == 1:
            raise Interrupt

    with pytest.raises(Interrupt):
        train(settings, tmp_path / "cut", progress=False, hook=stop_after_epoch_1)
    resumed = train(settings, tmp_path / "cut", progress=False)
    for a, b in zip(_leaves(resumed.state), _leaves(whole.state), strict=True):
        np.testing.assert_array_equal(a, b)
    assert resumed.results == whole.results


@pytest.mark.slow
def test_a_lieconv_run_sharded_over_four_devices_equals_one_device(tmp_path):
    """In the slow run: the default run shards an MLP's steps over four
    devices (tests/models/training/test_sharding.py)."""
    script = f"""
import sys, numpy as np, jax
from repalg.models import parse_config, train
from tests.models.lieconv.test_tasks import DIGITS
assert len(jax.devices()) == 4
settings = parse_config(DIGITS.format(group="SE(2)", lifts=2))
runs = [train(settings, sys.argv[1] + str(n), progress=False, devices=jax.devices()[:n]) for n in (4, 1)]
leaves = [jax.tree_util.tree_leaves(r.state.params) for r in runs]
print(max(float(np.abs(np.asarray(a) - np.asarray(b)).max()) for a, b in zip(*leaves)))
print(runs[0].results["test_accuracy"] == runs[1].results["test_accuracy"])
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu",
               XLA_FLAGS=xla_flags(4))
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "run")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    gap, same = done.stdout.split()[-2:]
    assert float(gap) <= 1e-5 and same == "True"


@pytest.mark.slow
def test_springs_train_and_roll_out_from_a_config(tmp_path):
    """In the slow run (30 s): the default run trains and rolls out the
    pendulum's Neural ODE (tests/models/test_dynamics.py)."""
    settings = parse_config('''
[dataset]
name = "SpringDynamics"
N = 20
val = 10
test = 10
[model]
name = "HLieResNet"
group = "SO(2)"
k = 8
num_layers = 1
[train]
epochs = 1
batch_size = 20
rollouts = 3
''')
    result = train(settings, tmp_path / "run", progress=False)
    r = result.results
    assert r["rollout_systems"] == 3 and r["equivariance_error"] < 1e-3
    saved = np.load(tmp_path / "run" / "rollouts.npz")
    assert np.all(np.isfinite(saved["predicted"])) and r["true_energy_drift"] < 1e-9
    assert r["rollout_error"] == pytest.approx(emlps_rollout_error(saved["predicted"], saved["true"]), rel=1e-8)
    assert (tmp_path / "run" / "rollout.png").exists()
    assert load(tmp_path / "run")(SpringDynamics(N=2).X).shape == (2, 5 * 24)


@pytest.mark.parametrize("text, key, words", [
    ('[dataset]\nname = "Inertia"\nN = 10\n[model]\nname = "LieResNet"', "model.name", "reads point clouds"),
    ('[dataset]\nname = "RotatedDigits"\n[model]\nname = "LieResNet"\ngroup = "O(2)"\n[train]\nepochs = 1',
     "model.group", "no LieConv lift"),
    ('[dataset]\nname = "RotatedDigits"\n[model]\nname = "LieResNet"\ngroup = "SE(3)"\n[train]\nepochs = 1',
     "model.group", "ℝ^3"),
    ('[dataset]\nname = "RotatedDigits"\n[model]\nname = "LieResNet"\nrep_in = "V"\n[train]\nepochs = 1',
     "model.rep_in", "leave rep_in unset"),
    ('[dataset]\nname = "RotatedDigits"\n[model]\nname = "LieResNet"\npoints = 3\n[train]\nepochs = 1',
     "model.points", ""),
    ('[dataset]\nname = "SpringDynamics"\nN = 10\n[model]\nname = "LieResNet"', "model.name", "holds trajectories"),
    ('[dataset]\nname = "Inertia"\nN = 10\n[model]\nname = "EMLP"\ngroup = "SE(2)"', "model.group", "LieConv group"),
])
def test_point_cloud_configs_are_checked(tmp_path, text, key, words):
    with pytest.raises(ConfigError) as error:
        train(parse_config(text), tmp_path / "run", progress=False)
    assert error.value.key == key and words in str(error.value)


def test_lieconvs_ode_baseline_sees_centred_positions_momenta_and_constants():
    """LieConv's FC: dz/dt from an MLP of the positions less their mean, the
    momenta and the constants; so translating every body changes nothing,
    while each of the other inputs changes the output."""
    net = hk.transform(lambda x: FC("12*V+12*Scalar", "24*Scalar", "SO(2)", points={"n": 6, "d": 2, "c": 2}, k=16,
                                    num_layers=1)(x))
    net = net._replace(init=jax.jit(net.init), apply=jax.jit(net.apply))
    x = jnp.asarray(SpringDynamics(N=4).X)
    params = net.init(jax.random.PRNGKey(0), x)
    f = net.apply(params, None, x)
    assert f.shape == (4, 24)
    shift = jnp.concatenate([jnp.tile(jnp.array([3.0, -1.0]), 6), jnp.zeros(24)])
    np.testing.assert_allclose(net.apply(params, None, x + shift), f, atol=1e-5)
    for part in (slice(0, 2), slice(12, 24), slice(24, 36)):  # one body's position, the momenta, the constants
        assert np.abs(net.apply(params, None, x.at[:, part].multiply(1.5)) - f).max() > 1e-4


def test_models_refuse_a_missing_layout():
    for cls in (LieResNet, FC):
        message = f"{cls.__name__} reads point clouds: it needs the dataset's points layout {{'n', 'd', 'c'}}, got None"
        with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
            hk.transform(lambda x: cls("V", "Scalar", "SO(2)")(x)).init(jax.random.PRNGKey(0), jnp.ones((1, 2)))


def test_the_digits_say_how_to_get_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # as if scikit-learn were not installed
    message = "RotatedDigits reads scikit-learn's digits: pip install 'repalg[images]' (or scikit-learn)"
    with pytest.raises(ImportError, match=f"^{re.escape(message)}$"):
        RotatedDigits()


@pytest.mark.parametrize("cls", [FC, HFC, HLieResNet])
def test_the_dynamics_models_integrate_as_lieconv(cls):
    """LieConv's IntegratedDynamicsTrainer rolls every dynamics model out
    with fixed RK4 steps on the time grid (``odeint(..., method='rk4')``)."""
    from repalg.models.dynamics import Flow
    ds = SpringDynamics(N=2)
    solver = hk.transform(lambda: Flow(cls, ds.rep_in, ds.rep_state, ds.symmetry, ds.ts, points=ds.points).solver)
    assert solver.apply({}, None) == "rk4"


LIECONV_DEFAULTS = {  # LieConv's lie_conv/dynamicsTrainer.py (FC, HFC, HLieResNet), lieGroups.py (alpha=.2) and
    # lieConv.py (ImgLieResnet's k=256; its layers, neighbourhood and fill differ here: README, LieConv)
    LieResNet: dict(k=256, alpha=0.2, liftsamples=1),
    FC: dict(k=300, num_layers=4),
    HFC: dict(k=150, num_layers=4),
    HLieResNet: dict(k=384, num_layers=4, nbhd=100, alpha=0.2, liftsamples=1),
}


@pytest.mark.parametrize("cls", LIECONV_DEFAULTS, ids=lambda c: c.__name__)
def test_the_dynamics_models_default_to_lieconvs_settings(cls):
    import inspect
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    assert {k: defaults[k] for k in LIECONV_DEFAULTS[cls]} == LIECONV_DEFAULTS[cls]


@pytest.mark.parametrize("group", ["SE(2)", "Translation(2)"])
def test_hlieresnet_reads_its_group_as_lieconvs(group):
    """A LieConv model's ``group`` names one of LieConv's groups (SE(2), T(2),
    ...), which the language does not have: the run keeps it, and measures
    equivariance under the dataset's own symmetry."""
    run = prepare(parse_config(f"""
[dataset]
name = "SpringDynamics"
N = 4
val = 2
test = 2
[model]
name = "HLieResNet"
group = "{group}"
k = 8
num_layers = 1
"""))
    assert run.settings.model.group == str(as_lie_group(group).name)


@pytest.mark.parametrize("cls, options", [(SpringDynamics, dict(N=2)), (RotatedDigits, dict(images=20))])
def test_a_point_dataset_names_its_symmetry_without_making_rows(cls, options):
    """``symmetry_text``, read without building the data (as ``load`` does),
    is the group the rows represent."""
    assert as_group(cls.symmetry_text) == cls(**options).symmetry


@pytest.mark.parametrize("name, expected", [("FC", "FC"), ("HFC", "HFC"), ("HLieResNet", "HLieResNet-SO(2)")])
def test_runs_of_lieconvs_baselines_are_named_without_a_group(name, expected):
    """FC and HFC ignore the group (LieConv's baselines), so a sweep's table
    names them alone; HLieResNet by its group."""
    from repalg.models.sweep import label
    settings = parse_config(f'[dataset]\nname = "SpringDynamics"\nN = 4\n[model]\nname = "{name}"\ngroup = "SO(2)"')
    assert label(settings) == expected
