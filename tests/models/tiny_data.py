"""Tiny datasets registered for the tests of the trainer, the configs and the CLI, and a tiny config
that trains on them in a second or two."""

from __future__ import annotations

import sys
import types

import jax
import numpy as np
import pytest

from repalg.groups import O
from repalg.models.config import ConfigError, parse_config
from repalg.reps import Scalar, V


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


MINIMAL = """
[dataset]
name = "Tiny"
N = 100
[model]
name = "MLP"
"""
"""The least a config of the tiny dataset says."""


def error_of(text, *overrides, check_names=True) -> ConfigError:
    """The ``ConfigError`` that parsing ``text`` with ``overrides`` raises."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, overrides, check_names=check_names)
    return caught.value
