"""Runs saved before the redesign into one idea per file still load, and
predict what they predicted then: ``tests/data/format1/`` holds three small
runs in checkpoint format 1 with their predictions on fixed inputs, made by
``tests/data/make_format1_runs.py`` with the code of that time."""

from pathlib import Path

import numpy as np
import pytest

from repalg.models import load

RUNS = Path(__file__).resolve().parents[1] / "data" / "format1"


@pytest.mark.parametrize("name", ["default-emlp-o3", "particle-interaction-emlp-o13", "inertia-scalar"])
def test_a_format1_run_loads_and_predicts_as_it_did(name):
    expected = np.load(RUNS / name / "predictions.npz")
    for which in ("best", "last"):
        model = load(RUNS / name, which)
        np.testing.assert_allclose(np.asarray(model(expected["x"])), expected[which], rtol=1e-5, atol=1e-5)
