"""load: a trained run back, with its predictions; a directory that is no run explained."""

from __future__ import annotations

import numpy as np
import pytest

from repalg.models.training import load, prepare

from ..tiny_data import tiny


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


def test_load_explains_a_directory_that_is_no_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a training run"):
        load(tmp_path)
