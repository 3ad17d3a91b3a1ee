"""Sharding: three steps on four devices equal three on one; (slow) two processes under
jax.distributed equal one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from repalg.models.training import CHECKPOINT, CURVES

from ...subprocesses import xla_flags

ROOT = Path(__file__).resolve().parents[3]

SHARDED = """
import sys
import numpy as np, jax, haiku as hk, optax
from repalg.models import MLP
from repalg.models.training import (data_mesh, init_state, make_update, padded_batch, padded_rows, replicate_state,
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
    from repalg.models.training import train
    from tests.models.tiny_data import TINY, register

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
