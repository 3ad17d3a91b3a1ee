"""Plans: checked before anything runs; the paper's and the pendulum's plans load every config."""

from __future__ import annotations

from pathlib import Path

import pytest

from repalg.models.config import ConfigError
from repalg.models.sweep import load_plan

from .configs import write_configs


@pytest.mark.parametrize("body, key", [
    ('[sweep]\nseed = [1]\n[[runs]]\nconfigs = ["tiny-mlp-o3.toml"]\n', "sweep.seed"),
    ('[sweep]\n[[runs]]\nconfigs = ["nothing-*.toml"]\n', "runs[0].configs"),
    ('[sweep]\n[[runs]]\nconfigs = ["tiny-mlp-o3.toml"]\nN = ["many"]\n', "runs[0].N"),
    ('[sweep]\n[[runs]]\nconfigs = ["tiny-mlp-o3.toml"]\nsize = [1]\n', "runs[0].size"),
    ('[sweep]\nout = "x"\n', "runs"),
    ('[sweep]\n[[runs]]\nconfigs = ["tiny-mlp-o3.toml"]\nset = ["train.epoch=3"]\n', "train.epoch"),
])
def test_plans_are_checked_before_anything_runs(tmp_path, body, key):
    write_configs(tmp_path, models=(("MLP", "O(3)"),))
    (tmp_path / "plan.toml").write_text(body)
    with pytest.raises(ConfigError) as error:
        load_plan(tmp_path / "plan.toml")
    assert error.value.key == key
    assert not (tmp_path / "runs").exists()


def test_the_papers_plan_loads_every_config():
    plan = load_plan(Path(__file__).resolve().parents[3] / "examples/configs/paper/sweep.toml")
    names = {task.name for task in plan.tasks}
    assert len(names) == 22 and len(plan.tasks) == (4 * 5 + 8 * 3 + 10) * 3
    assert {task.N for task in plan.tasks if task.name == "particle-interaction-mlp-aug"} == {100, 1000, 3000}
    assert {task.N for task in plan.tasks if task.name.startswith("inverted-cube")} == {None}


def test_the_pendulum_plan_loads_every_config():
    plan = load_plan(Path(__file__).resolve().parents[3] / "examples/configs/pendulum_sweep.toml")
    assert len(plan.tasks) == 12 * 3 and {task.name.split("_")[1] for task in plan.tasks} == {"hnn", "ode"}
    assert {task.seed for task in plan.tasks} == {2021, 2022, 2023}
