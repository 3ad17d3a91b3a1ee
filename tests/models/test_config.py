"""Run configs: parsing, defaults, overrides, and every error naming its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from repalg.models.config import (ConfigError, Settings, default_epochs, load_config, parse_config,
                                  parse_override)
from repalg.models import MODELS
from repalg.models.sweep import is_plan
from repalg.models.train import prepare, train

from .test_train import TINY, datasets  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples" / "configs").rglob("*.toml") if not is_plan(p))

MINIMAL = """
[dataset]
name = "Tiny"
N = 100
[model]
name = "MLP"
"""


def error_of(text, *overrides, check_names=True) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, overrides, check_names=check_names)
    return caught.value


def test_a_config_becomes_settings_with_emlps_defaults(datasets):
    s = parse_config(TINY)
    assert (s.dataset.name, s.dataset.N, s.dataset.val, s.dataset.test, s.dataset.seed) == ("Tiny", 64, 32, 32, 0)
    assert (s.model.name, s.model.options, s.model.group, s.model.standardize) == ("MLP", {"ch": 16, "num_layers": 2},
                                                                                    None, True)
    d = parse_config(MINIMAL)
    assert (d.train.batch_size, d.train.lr, d.train.seed, d.train.schedule, d.train.epochs) == (500, 3e-3, 2021,
                                                                                                "constant", None)
    assert default_epochs(3000) == 300


def test_the_toml_text_round_trips(datasets):
    s = parse_config(TINY, ["model.group=SO(2)", "output.dir=runs/x"])
    assert parse_config(s.to_toml()) == s


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


def test_a_config_file_names_itself_in_errors_and_its_run_directory(datasets, tmp_path):
    path = tmp_path / "my-run.toml"
    path.write_text(TINY)
    assert load_config(path).output.dir == "runs/my-run"
    assert load_config(path, ["output.dir=elsewhere"]).output.dir == "elsewhere"
    path.write_text(TINY.replace("epochs = 4", "epoch = 4"))
    with pytest.raises(ConfigError, match=f"did you mean train.epochs.*in {path}"):
        load_config(path)
    path.write_text("[dataset\n")
    with pytest.raises(ConfigError, match=f"^{path} is not valid TOML: .*line 1"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read the config"):
        load_config(tmp_path / "missing.toml")


def test_the_packaged_default_config_parses():
    s = load_config(None)
    assert (s.dataset.name, s.model.name, s.model.group, s.output.dir) == ("Inertia", "EMLP", "O(3)", "runs/default")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_example_configs_parse(path):
    s = load_config(path)
    assert isinstance(s, Settings) and s.model.name in MODELS
    assert s.train.epochs or s.dataset.N  # emlp's rule gives the epochs of a dataset generated to a size


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_config_builds_its_data_and_model(path):
    """The data's widths fit the representations and the model initializes
    (BrokenRubiksCube's EMLP takes about 90 s for its bases)."""
    # the cubes' data sets are fixed, and the digits' are small (scikit-learn's 1,797 images; no N)
    fixed = "cube" in path.stem or load_config(path).dataset.name == "RotatedDigits"
    run = prepare(load_config(path, [] if fixed else ["dataset.N=30", "dataset.val=10", "dataset.test=10"]))
    assert run.data.rep_in.size() == run.data.X_train.shape[1]
