"""Checkpoints: one written by another version is refused, not misread; the code digest reads every
layer; one of another model is refused, naming what differs."""

from __future__ import annotations

import re

import haiku as hk
import numpy as np
import pytest

from repalg.models.config import ConfigError
from repalg.models.training import load, train

from ..tiny_data import tiny


def test_a_run_written_by_another_version_is_refused_not_misread(finished, monkeypatch):
    # a layer's parameters are coefficients in the bases the solver chose: another solver may choose others
    import sys
    monkeypatch.setattr(sys.modules["repalg.models.training.checkpoint"], "code_digest", lambda: "another version")
    with pytest.raises(ConfigError, match="another version of repalg"):
        train(tiny(), finished.run_dir, progress=False)
    with pytest.raises(ValueError, match="another version of repalg"):
        load(finished.run_dir)


def test_the_code_digest_reads_every_layer_lieconvs_included():
    from repalg.models.training.checkpoint import layer_files

    files = layer_files()
    assert {"models/emlp.py", "models/dynamics.py", "models/lieconv/nn.py", "models/lieconv/lie_groups.py",
            "models/bilinear.py"} <= set(files)
    assert "models/train.py" not in files


def test_a_checkpoint_of_another_model_is_refused_naming_what_differs(tmp_path):
    """Loading a checkpoint into a model whose parameters are named
    otherwise says which names are missing and which unexpected, up to
    three of each, and refuses."""
    import optax

    from repalg.models.training import init_state, load_checkpoint, save_checkpoint
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
