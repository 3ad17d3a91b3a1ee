"""Every config under examples/configs/ that claims published settings,
checked against one table of published values (tests/data/published_settings.toml,
from ../shared/reference/published.md and the original scripts), with a
reason beside each deliberate deviation."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from repalg.models.config import default_epochs, load_config
from repalg.models.sweep import is_plan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "examples" / "configs"
TABLE = tomllib.loads((ROOT / "tests" / "data" / "published_settings.toml").read_text())

EXPLAINED = ("dataset.N", "dataset.val", "dataset.test", "dataset.seed", "model.ch", "model.k", "model.num_layers",
             "model.nbhd", "model.fill", "model.liftsamples", "train.epochs", "train.batch_size", "train.lr",
             "train.schedule", "train.seed")
"""The settings a config must either take from the published ones or explain."""
CHECKED = EXPLAINED + ("model.name", "model.group", "model.augment")


def dotted(tree: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(dotted(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def entries() -> dict:
    """``{config file: (published values, deviations)}``, a family's own merged with the config's."""
    found = {}
    for name, family in TABLE.items():
        assert family["source"].strip(), f"{name} names no source"
        for path, own in family["configs"].items():
            assert path not in found, f"{path} is in two families"
            published = {**dotted(family.get("published", {})), **dotted(own.get("published", {}))}
            deviations = {**family.get("deviations", {}), **own.get("deviations", {})}
            found[path] = (published, deviations)
    return found


def resolved(path: Path) -> dict:
    """The config's settings with their defaults, as dotted keys (model options included)."""
    s = load_config(path)
    values = {"dataset.N": s.dataset.N, "dataset.val": s.dataset.val, "dataset.test": s.dataset.test,
              "dataset.seed": s.dataset.seed, "model.name": s.model.name, "model.group": s.model.group,
              "model.augment": s.model.augment, "train.batch_size": s.train.batch_size, "train.lr": s.train.lr,
              "train.schedule": s.train.schedule, "train.seed": s.train.seed,
              "train.epochs": s.train.epochs if s.train.epochs or not s.dataset.N else default_epochs(s.dataset.N)}
    values.update({f"model.{k}": v for k, v in s.model.options.items()})
    return values


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and not isinstance(a, (bool, str)) and math.isclose(a, b, rel_tol=1e-12)
    return a == b


ENTRIES = entries()


def test_every_config_is_in_the_table_and_every_entry_is_a_config():
    configs = {p.relative_to(CONFIGS).as_posix() for p in CONFIGS.rglob("*.toml") if not is_plan(p)}
    assert configs == set(ENTRIES)


@pytest.mark.parametrize("path", sorted(ENTRIES))
def test_a_config_holds_the_published_settings_or_says_why_not(path):
    published, deviations = ENTRIES[path]
    ours = resolved(CONFIGS / path)
    assert set(published) <= set(CHECKED) and set(deviations) <= set(EXPLAINED)
    for key in CHECKED:
        value = ours.get(key)
        if key in deviations:
            assert deviations[key].strip(), f"{path}: {key}'s deviation gives no reason"
            assert value is not None, f"{path}: {key} is unset, but the table explains a deviation"
            if key in published:
                assert not same(value, published[key]), f"{path}: {key} is the published {published[key]!r} again"
        elif key in published:
            assert same(value, published[key]), f"{path}: {key} is {value!r}, published {published[key]!r}"
        elif key in EXPLAINED:
            assert value is None, f"{path}: {key} = {value!r} has neither a published value nor a reason"


def test_emlps_epoch_rule():
    """data_efficiency.py: ``min(int(30*30000/N), 1000)`` epochs for N training examples."""
    assert [default_epochs(n) for n in (30, 100, 300, 1000, 3000, 10000, 30000)] == [1000, 1000, 1000, 900, 300, 90,
                                                                                      30]
