"""Building a run from settings: a representation that does not fit the data fails before any file; a
split dataset needs epochs and room for validation; the MLP with augmentation."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from repalg.models.config import ConfigError, ModelSettings, parse_config
from repalg.models.training import build_model, prepare, train

from ..tiny_data import MINIMAL, TINY, datasets, error_of  # noqa: F401  (datasets: a fixture)


@pytest.mark.parametrize("override, key, words", [
    ("model.rep_in=3*V", "model.rep_in", "'3*V' (set in the config) on O(2) has size 6, but Tiny's inputs have 4"),
    ("model.rep_out=V", "model.rep_out", "has size 2, but Tiny's targets have 1 columns"),
    ("model.group=O(3)", "model.rep_in", "'2*V' (the dataset's own) on O(3) has size 6"),
], ids=["rep_in", "rep_out", "group"])
def test_a_representation_that_does_not_fit_the_data_fails_before_any_file(datasets, tmp_path, override, key, words):
    with pytest.raises(ConfigError) as caught:
        train(parse_config(TINY, [override]), tmp_path / "never", progress=False)
    assert caught.value.key == key and words in str(caught.value)
    assert not (tmp_path / "never").exists()


def test_a_split_dataset_needs_epochs_and_room_for_validation(datasets):
    base = "[dataset]\nname = 'TinySplit'\n[model]\nname = 'MLP'\n"
    with pytest.raises(ConfigError, match="train.epochs: missing"):
        prepare(parse_config(base))
    with pytest.raises(ConfigError, match="dataset.val: 64 validation examples leave none to train on"):
        prepare(parse_config(base, ["dataset.val=64", "train.epochs=1"]))


def jitted(model):
    """A transformed model with its init and apply compiled once each."""
    return model._replace(init=jax.jit(model.init), apply=jax.jit(model.apply))


def test_augmentation_moves_training_inputs_and_leaves_predictions_alone():
    x = np.random.default_rng(0).normal(size=(6, 20)).astype(np.float32)
    plain = jitted(build_model(ModelSettings("MLP", options={"ch": 8}), "5*Scalar+5*V", "T(2)", "O(3)", None))
    augmented = jitted(build_model(ModelSettings("MLP", augment=True, options={"ch": 8}), "5*Scalar+5*V", "T(2)",
                                   "O(3)", None))
    params = plain.init(jax.random.PRNGKey(0), x)
    assert jax.tree_util.tree_structure(augmented.init(jax.random.PRNGKey(0), x)) == \
        jax.tree_util.tree_structure(params)
    np.testing.assert_allclose(augmented.apply(params, None, x), plain.apply(params, None, x), rtol=1e-6)
    moved = augmented.apply(params, jax.random.PRNGKey(1), x)
    assert np.abs(moved - plain.apply(params, None, x)).max() > 1e-3  # each row seen through its own g


@pytest.mark.slow
def test_augmentation_of_an_equivariant_model_changes_nothing():
    """In the slow run (an EMLP to build, 7 s); the default run augments an MLP."""
    x = np.random.default_rng(1).normal(size=(4, 20)).astype(np.float32)
    settings = ModelSettings("EMLP", augment=True, options={"ch": 16, "num_layers": 1})
    model = jitted(build_model(settings, "5*Scalar+5*V", "T(2)", "O(3)", None))
    params = model.init(jax.random.PRNGKey(0), x)
    np.testing.assert_allclose(model.apply(params, jax.random.PRNGKey(2), x), model.apply(params, None, x),
                               atol=1e-4, rtol=1e-4)


class Constant:
    """A model whose output is the same vector c for every input."""

    def __init__(self, rep_in, rep_out, group, **options):
        pass

    def __call__(self, x):
        return np.tile(np.array([[3.0, 4.0]], np.float32), (len(x), 1))


def test_augmentation_sits_inside_the_standardization_as_emlps(monkeypatch):
    """emlp's ``train_regression.py``: ``Standardize(Aug(net))``. For a net
    whose output is c, that is ``σ_y ρ(g)⁻¹ c + μ_y``: every row at distance
    σ_y |c| = 2 · 5 from μ_y. Augmenting the standardized model instead gives
    ``ρ(g)⁻¹ (σ_y c + μ_y)``, at distance |2c + μ_y| = 12.2 from the origin."""
    from repalg.models import MODELS

    monkeypatch.setitem(MODELS, "Constant", Constant)
    stats = (0.0, 1.0, np.array([1.0, 2.0]), 2.0)
    model = build_model(ModelSettings("Constant", augment=True), "V", "V", "O(2)", stats)
    x = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    out = np.asarray(model.apply(model.init(jax.random.PRNGKey(0), x), jax.random.PRNGKey(1), x))
    np.testing.assert_allclose(np.linalg.norm(out - stats[2], axis=1), 10.0, rtol=1e-5)
    assert np.ptp(out[:, 0]) > 1.0  # each row rotated by its own element
