"""A run directory: it refuses to resume a run of another config."""

from __future__ import annotations

import pytest

from repalg.models.config import ConfigError
from repalg.models.training import train

from ..tiny_data import tiny


def test_a_run_directory_refuses_another_config(finished):
    with pytest.raises(ConfigError) as error:
        train(tiny("train.lr=1e-2"), finished.run_dir, progress=False)
    assert error.value.key == "train.lr" and "another config" in str(error.value)
