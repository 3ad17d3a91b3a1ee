"""Sizes refused before any work (issue 33, point 7), each test written as
the fault: ``model.ch = 10**9`` and ``dataset.N = 10**12`` are refused in
well under a second with the key, the size and the limit, before any
representation is built or array made; the limit is what may be used
(available memory, a cgroup's room, ``ulimit -v``), and the estimates are
lower bounds with closed forms."""

from __future__ import annotations

import time

import jax
import numpy as np
import pytest

from repalg.models import emlp
from repalg.models.config import ConfigError, ModelSettings, parse_config
from repalg.models.training import prepare, sizes
from repalg.models.training.sizes import check_parameters, check_width, hidden_weights
from repalg.numeric import memory

from ..tiny_data import datasets  # noqa: F401 - a fixture

INERTIA = '[dataset]\nname = "Inertia"\nN = 100\nval = 10\ntest = 10\n[model]\nname = "EMLP"\ngroup = "O(3)"\n'


def refusal(text, *overrides) -> tuple[ConfigError, float]:
    start = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        prepare(parse_config(text, overrides))
    return caught.value, time.perf_counter() - start


def test_a_billion_channels_are_refused_before_any_representation_is_built(monkeypatch):
    def built(*args):
        raise AssertionError("a representation was built")

    monkeypatch.setattr(emlp, "uniform_rep", built)
    error, seconds = refusal(INERTIA, "model.ch=1000000000")
    usable = memory.usable_bytes()
    assert error.key == "model.ch" and seconds < 1
    # 3 hidden layers of 1e9: two 1e9 x 1e9 matrices and a row and a column, 4 bytes each
    assert error.detail.startswith("1000000000 channels make hidden weight matrices of at least 2e+18 float32 "
                                   "numbers (7.45e+09 GiB), and ")
    assert error.detail.endswith(" GiB may be used: make it smaller")
    assert abs(float(error.detail.split(", and ")[1].split(" GiB")[0]) - usable / 2**30) < 0.1 * usable / 2**30


def test_a_trillion_examples_are_refused_before_any_array_is_made():
    error, seconds = refusal(INERTIA, "dataset.N=1000000000000")
    assert error.key == "dataset.N" and seconds < 1
    # Inertia makes 20 inputs and 9 targets in float64, which the trainer copies as float32: 29 * (8 + 4) bytes
    assert error.detail.startswith("N = 1000000000000 (1000000000020 with the validation and test examples): "
                                   "1000000000020 examples of 348 bytes each, as made and as the trainer copies "
                                   "them, need 3.48e+14 bytes (3.24e+05 GiB), and ")


def test_the_limit_is_the_memory_that_may_be_used(monkeypatch):
    """ch = 1000 on 3 layers is at least 1000**2 * 2 + 2000 weights, 8,008,000
    bytes: refused under 8 MB that may be used, built under 9."""
    monkeypatch.setattr(sizes, "usable_bytes", lambda: 8_000_000)
    with pytest.raises(ConfigError, match=r"model.ch: 1000 channels make .* \(0.00746 GiB\), and 0.00745 GiB may"):
        check_width(ModelSettings("MLP", options={"ch": 1000}))
    monkeypatch.setattr(sizes, "usable_bytes", lambda: 9_000_000)
    check_width(ModelSettings("MLP", options={"ch": 1000}))


def test_a_models_parameters_are_counted_four_times(monkeypatch):
    shapes = {"w": jax.ShapeDtypeStruct((1000, 250), np.float32), "b": jax.ShapeDtypeStruct((1000,), np.float32)}
    count = (1000 * 250 + 1000) * 4 * 4  # float32, held as weights, two Adam moments, best weights
    monkeypatch.setattr(sizes, "usable_bytes", lambda: count - 1)
    with pytest.raises(ConfigError, match=r"^model.k: LieResNet has 2.51e\+05 parameters, 4 copies"):
        check_parameters(ModelSettings("LieResNet", options={"k": 1000}), shapes)
    monkeypatch.setattr(sizes, "usable_bytes", lambda: count)
    check_parameters(ModelSettings("LieResNet", options={"k": 1000}), shapes)


@pytest.mark.parametrize("width, layers, expected", [
    (384, 3, 384 * 384 * 2 + 2 * 384),
    (10, 1, 20),  # no matrix between hidden layers: a row in, a column out
    ([8, 16, 4], 99, 8 * 16 + 16 * 4 + 8 + 4),  # a width per layer: num_layers is not read
    ("2*V", 3, None),  # a representation's size is its solver's to guard
    (True, 3, None),
    (0, 3, None),
])
def test_hidden_weights_closed_form(width, layers, expected):
    assert hidden_weights(width, layers) == expected


def test_the_builders_default_width_is_checked_when_the_config_leaves_it_out(monkeypatch):
    """The default of the builder is read when the config leaves the width out."""
    monkeypatch.setattr(sizes, "usable_bytes", lambda: 384 * 384 * 2 * 4)  # EMLP's default ch = 384, 3 layers
    with pytest.raises(ConfigError, match=r"^model.ch: 384 channels make"):
        check_width(ModelSettings("EMLP"))


def test_a_dataset_that_runs_out_of_memory_is_named(monkeypatch, datasets):
    class Greedy:
        def __init__(self, N=100, seed=0):
            if N > 1:
                raise MemoryError(f"Unable to allocate {N} rows")
            self.X, self.Y = np.zeros((N, 4)), np.zeros((N, 1))

    monkeypatch.setitem(datasets, "Greedy", Greedy)
    with pytest.raises(ConfigError, match=r"^dataset.N: Greedy\(N=140, seed=2021\) ran out of memory \(Unable to "
                                          r"allocate 140 rows\): make it smaller"):
        prepare(parse_config('[dataset]\nname = "Greedy"\nN = 100\nval = 20\ntest = 20\n'
                             '[model]\nname = "MLP"\ngroup = "O(2)"\nrep_in = "2*V"\nrep_out = "Scalar"\n'))


CGROUP_V1 = "4:memory:/jobs/42\n1:cpu:/\n"
CGROUP_V2 = "0::/user.slice/job\n"


def test_a_cgroups_room_is_its_limit_less_its_usage(tmp_path):
    job = tmp_path / "memory" / "jobs" / "42"
    job.mkdir(parents=True)
    (job / "memory.limit_in_bytes").write_text("6442450944\n")  # 6 GiB, as the cap
    (job / "memory.usage_in_bytes").write_text("1073741824\n")
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")  # v1's "no limit"
    (tmp_path / "memory" / "memory.usage_in_bytes").write_text("5\n")
    assert memory.cgroup_room(tmp_path, CGROUP_V1) == 5 * 2**30
    v2 = tmp_path / "user.slice" / "job"
    v2.mkdir(parents=True)
    (v2 / "memory.max").write_text("max\n")
    (v2 / "memory.current").write_text("100\n")
    assert memory.cgroup_room(tmp_path, CGROUP_V2) is None
    (v2 / "memory.max").write_text("1000\n")
    assert memory.cgroup_room(tmp_path, CGROUP_V2) == 900


def test_what_may_be_used_is_the_least_room_of_all(monkeypatch):
    monkeypatch.setattr(memory, "_meminfo", lambda: 10 * 2**30)
    monkeypatch.setattr(memory, "cgroup_room", lambda: 6 * 2**30)
    monkeypatch.setattr(memory, "address_space_room", lambda: None)
    assert memory.usable_bytes() == 6 * 2**30 * memory.MEMORY_FRACTION
    monkeypatch.setattr(memory, "address_space_room", lambda: 2**30)
    assert memory.usable_bytes() == 2**30 * memory.MEMORY_FRACTION
