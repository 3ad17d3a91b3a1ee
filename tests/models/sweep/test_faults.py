"""A sweep under faults (issue 33, point 6), each test written as the
fault: a run directory another live process trains in (a previous sweep's
worker) is refused by name and the other runs finish; (slow) the sweep's
parent killed with ``kill -9`` takes its pool's workers with it, and the
sweep started again finishes every run with each epoch logged once; (slow)
a sweep over fewer GPUs than runs hands each GPU on from run to run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from repalg.cli import main
from repalg.models.sweep import DONE, plan_from_configs, sweep
from repalg.models.training.lock import holder
from repalg.processes import alive

from ...subprocesses import kill_group, xla_flags
from ..training.faults import hold_elsewhere
from .configs import write_configs

ROOT = Path(__file__).resolve().parents[3]


def test_a_run_directory_held_by_a_live_process_is_refused_and_the_others_finish(tmp_path):
    plan = plan_from_configs(write_configs(tmp_path, models=(("MLP", "O(3)"),)), seeds=[1, 2],
                             out=tmp_path / "sweep")
    held = Path(plan.tasks[0].run_dir)
    fd = hold_elsewhere(held, 4242)
    try:
        summary = sweep(plan, workers=1)
    finally:
        os.close(fd)
    assert summary["finished"] == 1
    [failure] = summary["failed"]
    assert failure["run_dir"] == str(held)
    assert f"output.dir: {held} is in use by another run (pid 4242 on elsewhere" in failure["error"]
    assert [p.name for p in held.iterdir()] == [".lock"]  # nothing of a second trainer there
    assert (Path(plan.tasks[1].run_dir) / DONE).exists()
    assert sweep(plan, workers=1)["finished"] == 2  # free again: the next sweep runs it


@pytest.mark.slow
def test_a_killed_sweeps_workers_die_with_it_and_the_sweep_started_again_finishes(tmp_path, capsys):
    configs = write_configs(tmp_path)
    for path in configs:
        path.write_text(path.read_text().replace("epochs = 2", "epochs = 300"))
    out = tmp_path / "sweep"
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu", XLA_FLAGS=xla_flags())
    sweeping = subprocess.Popen([sys.executable, "-m", "repalg", "sweep", *map(str, configs), "--workers", "2",
                                 "--out", str(out)], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run_dirs = [next(iter((out / p.stem).glob("*")), None) for p in configs]
        deadline = time.monotonic() + 120
        while not all(d is not None and holder(d) and (d / "checkpoint.npz").exists() for d in run_dirs):
            assert time.monotonic() < deadline and sweeping.poll() is None, "the runs did not start"
            time.sleep(0.2)
            run_dirs = [next(iter((out / p.stem).glob("*")), None) for p in configs]
        workers = [holder(d)["pid"] for d in run_dirs]
        assert all(alive(pid) for pid in workers) and sweeping.pid not in workers
        sweeping.send_signal(signal.SIGKILL)
        sweeping.wait(timeout=30)
        deadline = time.monotonic() + 10
        # a worker's lock is let go when its last thread ends, a moment after its first
        while any(alive(pid) for pid in workers) or any(holder(d) for d in run_dirs):
            assert time.monotonic() < deadline, "a worker outlived its killed sweep"
            time.sleep(0.05)
    finally:
        kill_group(sweeping.pid)
    assert main(["sweep", *map(str, configs), "--workers", "1", "--out", str(out)]) == 0
    for run_dir in run_dirs:
        epochs = [json.loads(line).get("epoch") for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
        assert epochs[:-1] == list(range(1, 301)) and json.loads((run_dir / DONE).read_text())["epochs"] == 300


@pytest.mark.slow
def test_a_sweep_over_fewer_gpus_than_runs_hands_each_gpu_on(tmp_path, monkeypatch):
    """One GPU, two runs: the pool's worker runs one task and exits; the
    worker after it must get the GPU back, not wait for it for ever. (The
    CPU build of JAX ignores CUDA_VISIBLE_DEVICES: this tests the handing on.)"""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    plan = plan_from_configs(write_configs(tmp_path, models=(("MLP", "O(3)"),)), seeds=[1, 2], out=tmp_path / "s")

    def hung(signum, frame):
        raise TimeoutError("the second run never got the GPU")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(180)
    try:
        assert sweep(plan)["finished"] == 2
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
