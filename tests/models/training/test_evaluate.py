"""Evaluation: the equivariance error tells an invariant model from the MLP."""

from __future__ import annotations

import haiku as hk

from repalg.models import MODELS
from repalg.models.config import parse_config
from repalg.models.training import train

from ..tiny_data import TINY, datasets  # noqa: F401  (a fixture)


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
