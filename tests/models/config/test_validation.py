"""Validation: every bad config fails with a message that names the key."""

from __future__ import annotations

import pytest

from ..tiny_data import MINIMAL, datasets, error_of  # noqa: F401  (datasets: a fixture)

CASES = [
    # (id, toml text, override, the key named, words in the message)
    ("toml-syntax", "[dataset\nname = 1", None, None, "is not valid TOML"),
    ("unknown-section", MINIMAL + "[trian]\nepochs = 3", None, "trian", "did you mean [train]?"),
    ("unknown-train-key", MINIMAL + "[train]\nepoch = 3", None, "train.epoch", "did you mean train.epochs?"),
    ("unknown-output-key", MINIMAL + "[output]\ndirectory = 'x'", None, "output.directory", "did you mean output.dir?"),
    ("section-as-value", "dataset = 3", None, "dataset", "[dataset] section"),
    ("missing-dataset", "[model]\nname = 'MLP'", None, "dataset.name", "missing"),
    ("missing-model", "[dataset]\nname = 'Tiny'\nN = 3", None, "model.name", "missing"),
    ("unknown-dataset", MINIMAL, "dataset.name=tiny", "dataset.name", "did you mean 'Tiny'?"),
    ("unknown-dataset-far", MINIMAL, "dataset.name=Nothing", "dataset.name", "known: "),
    ("unknown-model", MINIMAL, "model.name=MPL", "model.name", "did you mean 'MLP'?"),
    ("unknown-dataset-option", MINIMAL + "", "dataset.seeds=3", "dataset.seeds", "did you mean dataset.seed?"),
    ("unknown-model-option", MINIMAL, "model.num_layer=2", "model.num_layer", "did you mean model.num_layers?"),
    ("model-option-type", MINIMAL, 'model.ch="wide"', "model.ch", "must be an integer for MLP"),
    ("epochs-type", MINIMAL + "[train]\nepochs = '10'", None, "train.epochs",
     'must be an integer, got "10" (a string)'),
    ("epochs-bool", MINIMAL + "[train]\nepochs = true", None, "train.epochs", "must be an integer"),
    ("lr-type", MINIMAL + "[train]\nlr = 'fast'", None, "train.lr", "must be a number"),
    ("lr-sign", MINIMAL + "[train]\nlr = -1.0", None, "train.lr", "positive"),
    ("epochs-range", MINIMAL + "[train]\nepochs = 0", None, "train.epochs", "at least 1"),
    ("schedule", MINIMAL + "[train]\nschedule = 'cosin'", None, "train.schedule", "did you mean 'cosine'?"),
    ("plot-type", MINIMAL + "[output]\nplot = 1", None, "output.plot", "must be true or false"),
    ("group-text", MINIMAL, "model.group=O(3", "model.group", "line 1, column 4:\n  O(3\n     ^"),
    ("group-name", MINIMAL, "model.group=Q(3)", "model.group", "unknown group 'Q'"),
    ("rep-text", MINIMAL, "model.rep_in=2*V+", "model.rep_in", "is not a representation"),
    ("table-option", MINIMAL + "[model.extra]\na = 1", None, "model.extra", "not tables"),
    ("N-missing", "[dataset]\nname = 'Tiny'\n[model]\nname = 'MLP'", None, "dataset.N", "how many training"),
    ("N-for-split", "[dataset]\nname = 'TinySplit'\nN = 3\n[model]\nname = 'MLP'", None, "dataset.N",
     "own train and test sets"),
    ("train-switch", "[dataset]\nname = 'TinySplit'\ntrain = true\n[model]\nname = 'MLP'", None, "dataset.train",
     "set by the trainer"),
]


@pytest.mark.parametrize("text, override, key, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_bad_config_fails_with_a_message_that_names_the_key(datasets, text, override, key, words):
    error = error_of(text, *([override] if override else []))
    assert error.key == key, str(error)
    assert words in str(error)
    if key is not None:
        assert str(error).startswith(key)
