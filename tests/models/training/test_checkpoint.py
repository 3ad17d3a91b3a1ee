"""Checkpoints: one whose layers' bases changed is refused naming the layer, one whose code alone
changed loads; one of another model is refused, naming what differs."""

from __future__ import annotations

import json
import re

import haiku as hk
import numpy as np
import pytest
import scipy.sparse

from repalg.models import layers
from repalg.models.config import ConfigError
from repalg.models.training.checkpoint import read_checkpoint, read_header
from repalg.numeric.basis import Basis
from repalg.models.training import load, train

from ..tiny_data import tiny


EMLP_RUN = ["model.name=EMLP", "model.group=O(2)", "model.ch=8", "model.num_layers=1", "train.epochs=2"]


def sign_flipped(Q):
    """Another basis of the same space: ``Q`` with its first column negated."""
    flip = np.ones(Q.shape[1])
    flip[0] = -1.0
    return Basis(Q.sparse() @ scipy.sparse.diags(flip), Q.info)


def test_a_run_whose_basis_changed_is_refused_naming_the_layer(package_datasets, tmp_path, monkeypatch):
    """A layer's parameters are coefficients in the basis the solver chose:
    a version of repalg that chose another basis of the same space (here,
    one column's sign) would read other weights from the same numbers."""
    finished = train(tiny(*EMLP_RUN), tmp_path / "run", progress=False)
    header = read_header(finished.run_dir / "checkpoint.npz")
    assert header["format"] == 2 and "['emlp/linear']['w']" in header["fingerprints"]
    solved = layers._linear_bases

    def changed(rep_in, rep_out):
        Qw, Qb = solved(rep_in, rep_out)
        return (sign_flipped(Qw), Qb) if rep_out.size() == 1 else (Qw, Qb)  # the output layer only

    monkeypatch.setattr(layers, "_linear_bases", changed)
    message = r"the layer emlp/linear \(its w\) has the same space .* solves another basis"
    with pytest.raises(ValueError, match=message):
        load(finished.run_dir)
    with pytest.raises(ConfigError, match=message):
        train(tiny(*EMLP_RUN), finished.run_dir, progress=False)


def test_a_change_that_leaves_the_bases_alone_loads(package_datasets, tmp_path):
    """The checkpoint records the bases, not the code: a format-2 run whose
    header lost every other trace of the code that wrote it loads, and one
    from a newer format is refused by its number."""
    finished = train(tiny(*EMLP_RUN), tmp_path / "run", progress=False)
    path = finished.run_dir / "checkpoint.npz"
    x = np.ones((2, 4), np.float32)
    before = np.asarray(load(finished.run_dir)(x))
    arrays, meta = read_checkpoint(path)
    np.savez(path, **arrays, meta=np.array(json.dumps({**meta, "code": "another version"})))
    np.testing.assert_array_equal(np.asarray(load(finished.run_dir)(x)), before)
    np.savez(path, **arrays, meta=np.array(json.dumps({**meta, "format": 3})))
    with pytest.raises(ValueError, match=r"checkpoint of format 3, which this version of repalg cannot read"):
        load(finished.run_dir)


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
