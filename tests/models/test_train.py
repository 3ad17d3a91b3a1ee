"""The trainer: a short run learns, an interrupted run resumes to the same
parameters, the run directory's files, loading for inference, the CLI, and
data-parallel steps equal to single-device ones.

The datasets here are tiny ones defined in this file (registered in
``DATASETS`` for the test's duration), so that the trainer's tests depend
on nothing but the trainer.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import haiku as hk
import jax
import numpy as np
import pytest

from repalg.groups import O
from repalg.models import MODELS
from repalg.models.config import ConfigError, parse_config
from repalg.models.train import CHECKPOINT, CONFIG, CURVES, METRICS, RESULTS, load, prepare, train
from repalg.reps import Scalar, V

from ..subprocesses import xla_flags

ROOT = Path(__file__).resolve().parents[2]


class Tiny:
    """Regression: ``y = |x|^2`` for ``x`` in ``2*V`` of O(2), with emlp's
    four standardization statistics."""

    def __init__(self, N=100, seed=0):
        rng = np.random.default_rng(seed)
        self.X = rng.normal(size=(N, 4)).astype(np.float32)
        self.Y = (self.X ** 2).sum(axis=1, keepdims=True)
        self.rep_in, self.rep_out, self.symmetry = 2 * V, Scalar, O(2)
        self.stats = (0.0, 1.0, 4.0, 2.8)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.Y[i]


class TinySplit:
    """Classification with its own train and test sets: is the first vector
    of ``x`` in ``2*V`` of O(2) longer than the second?"""

    num_classes = 2

    def __init__(self, train=True, seed=0):
        rng = np.random.default_rng([seed, int(train)])
        self.X = rng.normal(size=(64 if train else 32, 4)).astype(np.float32)
        self.Y = ((self.X[:, :2] ** 2).sum(1) > (self.X[:, 2:] ** 2).sum(1)).astype(int)
        self.rep_in, self.rep_out, self.symmetry = 2 * V, 2 * Scalar, O(2)
        self.stats = (0.0, 1.0)

    def __len__(self):
        return len(self.X)


def register(patch) -> dict:
    """Put the tiny datasets in ``DATASETS`` (a stand-in module where
    ``repalg.models.datasets`` does not exist yet) through ``patch``, a
    ``pytest.MonkeyPatch``."""
    try:
        import repalg.models.datasets as module
    except ImportError:
        module = types.ModuleType("repalg.models.datasets")
        module.DATASETS = {}
        patch.setitem(sys.modules, "repalg.models.datasets", module)
    patch.setitem(module.DATASETS, "Tiny", Tiny)
    patch.setitem(module.DATASETS, "TinySplit", TinySplit)
    return module.DATASETS


@pytest.fixture
def datasets(monkeypatch):
    return register(monkeypatch)


@pytest.fixture(scope="module")
def module_datasets():
    with pytest.MonkeyPatch.context() as patch:
        yield register(patch)


TINY = """
[dataset]
name = "Tiny"
N = 64
val = 32
test = 32
seed = 0

[model]
name = "MLP"
ch = 16
num_layers = 2

[train]
epochs = 4
batch_size = 24     # 64 examples: the last batch of each epoch is short
lr = 3e-3
seed = 0
equivariance_samples = 3
"""


def tiny(*overrides):
    return parse_config(TINY, overrides)


def leaves(tree):
    return jax.tree_util.tree_leaves(tree)


@pytest.fixture(scope="module")
def finished(module_datasets, tmp_path_factory):
    """One finished tiny run, shared by the tests that only read it."""
    return train(tiny(), tmp_path_factory.mktemp("run") / "tiny", progress=False)


def test_a_short_run_lowers_the_loss_and_writes_its_files(finished):
    history = finished.history
    assert [r["epoch"] for r in history] == [1, 2, 3, 4]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["val_mse"] < history[0]["val_mse"]
    results = finished.results
    assert results["epochs"] == 4 and results["steps"] == 4 * 3 and results["weights"] == "best"
    run = prepare(tiny())
    predictions = np.asarray(load(finished.run_dir)(run.data.X_test))  # the best weights, as the report's
    assert results["test_mse"] == pytest.approx(np.mean((predictions - run.data.Y_test) ** 2), rel=1e-5)
    run_dir = finished.run_dir
    lines = [json.loads(line) for line in (run_dir / METRICS).read_text().splitlines()]
    assert [r.get("epoch") for r in lines[:4]] == [1, 2, 3, 4] and lines[-1]["final"]
    assert lines[-1]["test_mse"] == results["test_mse"]
    assert json.loads((run_dir / RESULTS).read_text()) == results
    assert (run_dir / CURVES).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = parse_config((run_dir / CONFIG).read_text(), check_names=False)
    assert (saved.model.group, saved.model.rep_in, saved.model.rep_out) == ("O(2)", "2*V", "Scalar")
    assert saved.train.epochs == 4 and saved.dataset.N == 64
    assert not [p for p in run_dir.iterdir() if p.name.endswith(".tmp")]


class Interrupt(Exception):
    pass


def test_an_interrupted_run_resumes_to_exactly_the_uninterrupted_parameters(finished, tmp_path):
    def stop_after_epoch_2(state):
        if state.epoch == 2:
            raise Interrupt

    out = tmp_path / "interrupted"
    with pytest.raises(Interrupt):
        train(tiny(), out, progress=False, hook=stop_after_epoch_2)
    assert len((out / METRICS).read_text().splitlines()) == 2
    resumed = train(tiny(), out, progress=False)
    whole = finished.state
    for name in ("params", "opt_state", "best_params", "key"):
        for a, b in zip(leaves(getattr(resumed.state, name)), leaves(getattr(whole, name)), strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert (resumed.state.step, resumed.state.best_metric) == (whole.step, whole.best_metric)
    strip = lambda h: [{k: v for k, v in r.items() if k != "seconds"} for r in h]  # noqa: E731
    assert strip(resumed.history) == strip(finished.history)
    assert resumed.results == finished.results


def test_a_run_directory_refuses_another_config(finished):
    with pytest.raises(ConfigError) as error:
        train(tiny("train.lr=1e-2"), finished.run_dir, progress=False)
    assert error.value.key == "train.lr" and "another config" in str(error.value)


def test_load_gives_the_trained_models_predictions(finished):
    run = prepare(tiny())
    X = run.data.X_test
    expected = np.asarray(run.model.apply(finished.state.best_params, None, X))
    model = load(finished.run_dir)
    np.testing.assert_allclose(np.asarray(model(X)), expected, rtol=1e-6, atol=1e-6)
    assert np.asarray(model(X[0])).shape == (1,)
    last = load(finished.run_dir, which="last")
    np.testing.assert_allclose(np.asarray(last.apply(last.params, X)),
                               np.asarray(run.model.apply(finished.state.params, None, X)), rtol=1e-6, atol=1e-6)
    assert str(model.group) == "O(2)" and model.rep_in.size() == 4


def test_a_run_written_by_another_version_is_refused_not_misread(finished, monkeypatch):
    # a layer's parameters are coefficients in the bases the solver chose: another solver may choose others
    import sys
    monkeypatch.setattr(sys.modules["repalg.models.train"], "code_digest", lambda: "another version")
    with pytest.raises(ConfigError, match="another version of repalg"):
        train(tiny(), finished.run_dir, progress=False)
    with pytest.raises(ValueError, match="another version of repalg"):
        load(finished.run_dir)


def test_the_code_digest_reads_every_layer_lieconvs_included():
    from repalg.models.train import _layer_files

    files = _layer_files()
    assert {"models/emlp.py", "models/dynamics.py", "models/lieconv/nn.py", "models/lieconv/lie_groups.py",
            "models/bilinear.py"} <= set(files)
    assert "models/train.py" not in files


def test_load_explains_a_directory_that_is_no_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a training run"):
        load(tmp_path)


def test_classification_with_its_own_test_set(datasets, tmp_path):
    config = parse_config("""
        [dataset]
        name = "TinySplit"
        val = 16
        [model]
        name = "MLP"
        ch = 16
        num_layers = 1
        [train]
        epochs = 3
        batch_size = 16
        schedule = "cosine"
        seed = 1
    """)
    result = train(config, tmp_path / "cls", progress=False)
    record = result.history[-1]
    assert {"val_accuracy", "val_loss", "train_loss", "lr"} <= set(record)
    assert record["lr"] == pytest.approx(0.0, abs=1e-9)  # the cosine decay ends at 0
    X, Y = prepare(config).data.X_test, prepare(config).data.Y_test
    logits = np.asarray(load(result.run_dir)(X), np.float64)
    assert result.results["test_accuracy"] == pytest.approx(np.mean(logits.argmax(1) == Y), abs=1e-12)
    log_likelihood = logits[np.arange(len(Y)), Y] - np.log(np.exp(logits).sum(1))
    assert result.results["test_loss"] == pytest.approx(-np.mean(log_likelihood), rel=1e-5)
    assert result.settings.dataset.val == 16
    assert len(prepare(config).data.X_test) == 32


class Norms(hk.Module):
    """An O(2)-invariant model for ``2*V -> Scalar``: a linear map of the
    squared lengths of the input's two vectors."""

    def __init__(self, rep_in, rep_out, group, name=None):
        super().__init__(name=name)

    def __call__(self, x):
        return hk.Linear(1)((x.reshape(x.shape[0], -1, 2) ** 2).sum(-1))


def test_the_equivariance_error_tells_an_invariant_model_from_the_mlp(datasets, monkeypatch, tmp_path, finished):
    monkeypatch.setitem(MODELS, "Norms", Norms)
    config = parse_config(TINY.replace('name = "MLP"\nch = 16\nnum_layers = 2', 'name = "Norms"'),
                          ["train.epochs=2", "train.equivariance_samples=5"])
    result = train(config, tmp_path / "norms", progress=False)
    assert result.results["equivariance_error"] < 1e-6
    assert finished.results["equivariance_error"] > 1e-3


def test_the_cli_trains_a_tiny_config(datasets, tmp_path, capsys):
    from repalg.cli import main

    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "cli-run"
    assert main(["train", str(path), "--set", "train.epochs=2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "test MSE:" in printed and "equivariance error:" in printed
    assert "2 epochs of 3 steps, batch 24" in printed
    assert (out / CHECKPOINT).exists() and (out / CURVES).exists()
    assert main(["train", str(path), "--set", "train.epoch=2"]) == 2
    assert "train.epoch: unknown key; did you mean train.epochs?" in capsys.readouterr().err


SHARDED = """
import sys
import numpy as np, jax, haiku as hk, optax
from repalg.models import MLP
from repalg.models.train import (data_mesh, init_state, make_update, padded_batch, padded_rows, replicate_state,
                                 shard_batch, to_host)

if sys.argv[1] == "distributed":
    jax.distributed.initialize(f"localhost:{sys.argv[2]}", num_processes=2, process_id=int(sys.argv[3]))
model = hk.transform(lambda x: MLP("2*V", "Scalar", "O(2)", ch=32, num_layers=2)(x))
optimizer = optax.adam(3e-3)
rng = np.random.default_rng(0)
X = rng.normal(size=(30, 4)).astype(np.float32)
Y = (X ** 2).sum(1, keepdims=True)

def three_steps(devices):
    mesh = data_mesh(devices)
    state = replicate_state(init_state(model, optimizer, X[:1], seed=0), mesh)
    update = make_update(model.apply, optimizer, mesh=mesh)
    rows = padded_rows(10, mesh.size)  # 10 examples a batch: padded to a multiple of the device count
    for step in range(3):
        state = update(state, shard_batch(padded_batch(X, Y, np.arange(10 * step, 10 * step + 10), rows), mesh))
    return [np.asarray(a) for a in jax.tree_util.tree_leaves(to_host(state.params))]

if sys.argv[1] == "local":
    assert len(jax.devices()) == 4
    many, one = three_steps(jax.devices()), three_steps(jax.devices()[:1])
    print(max(float(np.abs(a - b).max()) for a, b in zip(many, one)))
else:  # "distributed" (two processes of one device each) or "one"; then the run directory and the output file
    assert len(jax.devices()) == (2 if sys.argv[1] == "distributed" else 1)
    import pytest
    from repalg.models.config import parse_config
    from repalg.models.train import train
    from tests.models.test_train import TINY, register

    register(pytest.MonkeyPatch())
    leaves = three_steps(jax.devices())
    result = train(parse_config(TINY, ["train.epochs=2"]), sys.argv[-2], progress=False)
    leaves += jax.tree_util.tree_leaves(result.state.params)
    if jax.process_index() == 0:
        np.savez(sys.argv[-1], *leaves, test_mse=result.results["test_mse"])
"""


def _python(*args, devices=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    env["XLA_FLAGS"] = xla_flags(devices)
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(SHARDED), *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process, timeout=240):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out


def test_three_sharded_steps_on_four_devices_equal_three_single_device_steps():
    gap = float(_finish(_python("local", devices=4)).strip().splitlines()[-1])
    assert gap <= 1e-5


@pytest.mark.slow
def test_two_processes_under_jax_distributed_equal_one(tmp_path):
    """Three steps, then a two-epoch run of the loop, on two processes of one
    CPU device each (jax.distributed on localhost), against one process."""
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = str(probe.getsockname()[1])
    processes = [_python("distributed", port, str(i), str(tmp_path / "two"), str(tmp_path / "two.npz"))
                 for i in range(2)]
    for process in processes:
        _finish(process)
    _finish(_python("one", str(tmp_path / "one"), str(tmp_path / "one.npz")))
    assert (tmp_path / "two" / CHECKPOINT).exists() and (tmp_path / "two" / CURVES).exists()
    with np.load(tmp_path / "two.npz") as two, np.load(tmp_path / "one.npz") as one:
        assert len(two.files) == len(one.files)
        for name in one.files:
            np.testing.assert_allclose(two[name], one[name], rtol=0, atol=1e-5)


def test_validation_and_checkpoints_come_every_eval_every_epochs_and_at_the_end(module_datasets, tmp_path):
    checkpoints = []
    result = train(tiny("train.epochs=7", "train.eval_every=3"), tmp_path / "run", progress=False,
                   hook=lambda state: checkpoints.append(state.epoch))
    assert checkpoints == [3, 6, 7]
    assert [r["epoch"] for r in result.history if "val_mse" in r] == [3, 6, 7]
    assert len(result.history) == 7 and result.results["best_epoch"] in (3, 6, 7)
    assert prepare(tiny("train.epochs=700")).settings.train.eval_every == 7  # 1% of the run by default


def test_a_checkpoint_of_another_model_is_refused_naming_what_differs(tmp_path):
    """Loading a checkpoint into a model whose parameters are named
    otherwise says which names are missing and which unexpected, up to
    three of each, and refuses."""
    import optax

    from repalg.models.train import init_state, load_checkpoint, save_checkpoint
    x = np.zeros((1, 3), np.float32)
    saved = init_state(hk.transform(lambda x: hk.Linear(2, name="a")(hk.Linear(2, name="b")(x))), optax.adam(1e-3),
                       x, seed=0)
    three = hk.transform(lambda x: hk.Linear(2, name="c")(hk.Linear(2, name="d")(hk.Linear(2, name="e")(x))))
    other = init_state(three, optax.adam(1e-3), x, seed=0)
    save_checkpoint(tmp_path / "checkpoint.npz", saved)
    message = (f"{tmp_path / 'checkpoint.npz'}: the checkpoint's params do not fit the model built from the config "
               """(missing ["['c']['b']", "['c']['w']", "['d']['b']"], """
               """unexpected ["['a']['b']", "['a']['w']", "['b']['b']"]); """
               "was the model or its options changed?")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        load_checkpoint(tmp_path / "checkpoint.npz", other)
    one = init_state(hk.transform(lambda x: hk.Linear(2, name="c")(x)), optax.adam(1e-3), x, seed=0)
    save_checkpoint(tmp_path / "one.npz", one)
    message = (f"{tmp_path / 'one.npz'}: the checkpoint's params do not fit the model built from the config "
               """(missing ["['d']['b']", "['d']['w']", "['e']['b']"], unexpected nothing); """
               "was the model or its options changed?")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        load_checkpoint(tmp_path / "one.npz", other)
    same = init_state(hk.transform(lambda x: hk.Linear(2, name="a")(hk.Linear(2, name="b")(x))), optax.adam(1e-3), x,
                      seed=1)
    restored, _ = load_checkpoint(tmp_path / "checkpoint.npz", same)
    np.testing.assert_array_equal(restored.params["a"]["w"], saved.params["a"]["w"])
