"""Overrides: typed as TOML, reaching the model's options, the later winning; bad ones name the key."""

from __future__ import annotations

import pytest

from repalg.models.config import parse_config, parse_override

from ..tiny_data import MINIMAL, TINY, datasets, error_of  # noqa: F401  (datasets: a fixture)


@pytest.mark.parametrize("override, section, key, value", [
    ("train.epochs=10", "train", "epochs", 10),
    ("train.lr=1e-3", "train", "lr", 1e-3),
    ("model.standardize=false", "model", "standardize", False),
    ('model.group="SO(2)"', "model", "group", "SO(2)"),
    ("model.group=SO(2)", "model", "group", "SO(2)"),
    ("dataset.seed = 7", "dataset", "seed", 7),
], ids=["int", "float", "bool", "quoted", "bare-string", "spaces"])
def test_overrides_are_typed_as_toml(datasets, override, section, key, value):
    assert parse_override(override) == (section, key, value)
    s = parse_config(TINY, [override])
    assert getattr(getattr(s, section), key) == value


def test_overrides_reach_model_options_and_later_ones_win(datasets):
    s = parse_config(TINY, ["model.ch=8", "model.ch=12"])
    assert s.model.options["ch"] == 12
    assert s.with_overrides(["train.epochs=1"]).train.epochs == 1


@pytest.mark.parametrize("override, key, words", [
    ("train.epochs", "train.epochs", "section.key=value"),
    ("epochs=3", "epochs", "section.key"),
    ("trian.epochs=3", "trian", "did you mean [train]?"),
    ("train.epochs=ten", "train.epochs", "must be an integer, got \"ten\" (a string)"),
], ids=["no-value", "no-section", "unknown-section", "typed"])
def test_bad_overrides_name_the_key(datasets, override, key, words):
    error = error_of(TINY, override)
    assert error.key == key and words in str(error)
