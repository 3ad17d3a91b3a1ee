"""Running sweeps: a short sweep writes its table, JSON and plot; an interrupted sweep finishes the rest
without redoing finished runs; a failing run is reported while the others finish; a terminated sweep takes
its workers with it; and (slow) the same sweep on a local Ray.

The runs are tiny real ones (Inertia, a few dozen examples, two epochs),
since the pool's processes see only the registered datasets.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from repalg.cli import main
from repalg.models.config import ConfigError
from repalg.models.sweep import DONE, RESULTS_JSON, RESULTS_MD, plan_from_configs, sweep

from ...subprocesses import kill_group
from .configs import write_configs


def test_a_short_sweep_writes_its_table_json_and_plot(tmp_path):
    configs = write_configs(tmp_path, models=(("MLP", "O(3)"),))
    plan = plan_from_configs(configs, seeds=[1, 2], N=[12, 24], out=tmp_path / "sweep")
    assert len(plan.tasks) == 4
    summary = sweep(plan, workers=1)  # in this process: the pool of processes is the terminated sweep's
    assert summary["finished"] == 4 and not summary["failed"]
    rows = {(r["label"], r["N"]): r for r in summary["rows"]}
    assert set(rows) == {("MLP", 12), ("MLP", 24)}
    for row in rows.values():
        assert row["runs"] == 2 and row["seeds"] == [1, 2] and row["metric"] == "test MSE"
        values = [r["test_mse"] for r in summary["runs"] if (r["label"], r["N"]) == (row["label"], row["N"])]
        assert row["mean"] == pytest.approx(np.mean(values)) and row["std"] == pytest.approx(np.std(values, ddof=1))
        assert row["wall_seconds"] > 0 and row["epochs"] == 2
    out = Path(plan.out)
    table = (out / RESULTS_MD).read_text()
    assert "| MLP | 24 |" in table and "± " in table
    assert json.loads((out / RESULTS_JSON).read_text())["rows"] == json.loads(json.dumps(summary["rows"]))
    assert summary["plots"] == ["data_efficiency_Inertia.png"]
    assert (out / "data_efficiency_Inertia.png").read_bytes()[:4] == b"\x89PNG"
    for task in plan.tasks:  # each run a complete training run, marked finished
        assert (Path(task.run_dir) / DONE).exists() and (Path(task.run_dir) / "checkpoint.npz").exists()


def test_an_interrupted_sweep_finishes_the_rest_without_redoing_finished_runs(tmp_path):
    plan = plan_from_configs(write_configs(tmp_path), seeds=[1, 2], out=tmp_path / "sweep")
    ran = []

    def stop_after_first(task, record, error, skipped):
        assert error is None
        ran.append((task.run_dir, skipped))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(plan, workers=1, on_result=stop_after_first)
    first = ran[0][0]
    marker = (Path(first) / DONE).read_bytes()
    assert json.loads((Path(plan.out) / RESULTS_JSON).read_text())["finished"] == 1  # the table so far

    seen = []
    summary = sweep(plan, workers=1, on_result=lambda task, record, error, skipped: seen.append((task.run_dir, skipped)))
    assert dict(seen) == {t.run_dir: t.run_dir == first for t in plan.tasks}  # only the first skipped
    assert (Path(first) / DONE).read_bytes() == marker
    assert summary["finished"] == 4 and len(summary["rows"]) == 2
    assert all(row["runs"] == 2 for row in summary["rows"])
    rows = {r["label"]: r for r in summary["rows"]}
    assert rows["Scalar-O(3)"]["equivariance_error"] < 1e-4 < rows["MLP"]["equivariance_error"]


@pytest.mark.slow
def test_a_terminated_sweep_stops_its_pools_runs(tmp_path):
    """SIGTERM to ``repalg sweep`` (as ``kill`` sends) stops its worker
    processes too, rather than leaving them training into the run
    directories: nothing of its process group outlives it.
    In the slow run (15 s: a subprocess and its pool start JAX); the default
    run interrupts a sweep in process."""
    configs = write_configs(tmp_path)
    for path in configs:
        path.write_text(path.read_text().replace("epochs = 2", "epochs = 100000"))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[3]), JAX_PLATFORMS="cpu")
    sweeping = subprocess.Popen([sys.executable, "-m", "repalg", "sweep", *map(str, configs), "--workers", "2",
                                 "--out", str(tmp_path / "sweep")], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not all(any((tmp_path / "sweep").glob(f"{p.stem}/*/metrics.jsonl")) for p in configs):
            assert time.monotonic() < deadline and sweeping.poll() is None, "the runs did not start"
            time.sleep(0.5)
        sweeping.send_signal(signal.SIGTERM)
        assert sweeping.wait(timeout=60) == 143  # 128 + SIGTERM
        assert "interrupted: finished runs are kept" in sweeping.stderr.read()
        deadline = time.monotonic() + 30
        while True:
            try:
                os.killpg(sweeping.pid, 0)  # raises once no process of the group is left
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "a worker outlived its sweep"
            time.sleep(0.5)
    finally:
        kill_group(sweeping.pid)


def test_a_failing_run_is_reported_and_the_others_finish(tmp_path, capsys):
    # Inertia's 5*Scalar+5*V bound to SO(2) has size 15, not the data's 20: the run fails when it builds its data
    configs = write_configs(tmp_path, models=(("MLP", "O(3)"), ("Scalar", "SO(2)")))
    args = ["sweep", *map(str, configs), "--seeds", "3", "--out", str(tmp_path / "sweep"), "--workers", "1"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "1 runs failed" in captured.err and "model.rep_in" in captured.out
    summary = json.loads((tmp_path / "sweep" / RESULTS_JSON).read_text())
    assert [r["label"] for r in summary["rows"]] == ["MLP"]
    assert "model.rep_in" in summary["failed"][0]["error"]
    assert "Failed runs" in (tmp_path / "sweep" / RESULTS_MD).read_text()


def test_a_run_without_a_finite_metric_is_reported_and_the_sweep_goes_on(tmp_path, capsys):
    # a learning rate of 1e30 sends the MLP's weights to inf: the test MSE is not finite (None in the record)
    configs = write_configs(tmp_path, models=(("MLP", "O(3)"),))
    args = ["sweep", *map(str, configs), "--seeds", "3", "4", "--out", str(tmp_path / "sweep"), "--workers", "1",
            "--set", "train.lr=1e30"]
    assert main(args) == 0
    assert capsys.readouterr().out.count("test MSE not finite") == 2


def test_a_sweep_directory_holding_other_settings_is_refused_by_name(tmp_path):
    configs = write_configs(tmp_path, models=(("MLP", "O(3)"),))
    sweep(plan_from_configs(configs, seeds=[1], out=tmp_path / "sweep"), workers=1)
    changed = plan_from_configs(configs, seeds=[1], out=tmp_path / "sweep", overrides=["train.lr=0.01"])
    with pytest.raises(ConfigError) as error:
        sweep(changed, workers=1)
    assert error.value.key == "train.lr"


@pytest.mark.slow
def test_the_same_sweep_runs_on_a_local_ray(tmp_path):
    ray = pytest.importorskip("ray", reason="the cluster extra is not installed: pip install '.[test,cluster]'")

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        plan = plan_from_configs(write_configs(tmp_path), seeds=[1, 2], out=tmp_path / "sweep")
        summary = sweep(plan, ray_address="auto")
        assert summary["finished"] == 4 and not summary["failed"]
        assert [r["runs"] for r in summary["rows"]] == [2, 2]
        assert sweep(plan, ray_address="auto")["finished"] == 4  # a second sweep finds them finished
    finally:
        ray.shutdown()
