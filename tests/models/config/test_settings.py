"""Settings: a config becomes settings with emlp's defaults, its TOML text round-trips, a config file
names itself in errors and its run directory, and every example config parses (and, slow, builds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from repalg.models import MODELS
from repalg.models.config import (
    ConfigError,
    Settings,
    default_epochs,
    load_config,
    parse_config,
)
from repalg.models.sweep import is_plan
from repalg.models.training import prepare

from ..tiny_data import MINIMAL, TINY, datasets, error_of  # noqa: F401  (datasets: a fixture)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted(p for p in (ROOT / "examples" / "configs").rglob("*.toml") if not is_plan(p))

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
