"""One run per directory (issue 33, point 1), each test written as the
fault: a second trainer on a directory another process trains in is
refused at once, naming the directory and the holder's pid, and changes
nothing there; a lock its dead holder left is taken over; in a run over
several hosts, process 0 holds the directory and the others stop with it;
(slow) two ``repalg train`` started together on one ``--out``: one trains,
the other is refused."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from repalg.models.config import ConfigError
from repalg.models.training import lock, train
from repalg.models.training.lock import LOCK, RunDirBusy, hold, hold_run, holder

from ...subprocesses import xla_flags
from ..tiny_data import tiny
from .faults import SLOW_TO_FINISH, dead_pid, digests, hold_elsewhere

ROOT = Path(__file__).resolve().parents[3]


def child_env():
    return dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu", XLA_FLAGS=xla_flags())


HOLDER = """
import sys, time
from repalg.models.training.lock import hold
with hold(sys.argv[1]):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_second_process_is_refused_with_the_holders_pid_and_a_dead_holders_lock_is_taken_over(finished, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    other = subprocess.Popen([sys.executable, "-c", HOLDER, str(run)], stdout=subprocess.PIPE, text=True,
                             env=child_env())
    try:
        assert other.stdout.readline() == "held\n"
        before = digests(run)
        with pytest.raises(RunDirBusy, match=rf"output.dir: {run} is in use by another run \(pid {other.pid}, "
                                             r"started .*\); wait for it to end or stop it, or choose another"):
            train(tiny(), run, progress=False)
        assert digests(run) == before
        assert holder(run)["pid"] == other.pid
        other.send_signal(signal.SIGKILL)
        other.wait(timeout=30)
    finally:
        other.kill()
    assert holder(run) is None  # the kernel let go of the dead holder's lock; its file is still there
    assert json.loads((run / LOCK).read_text())["pid"] == other.pid
    again = train(tiny(), run, progress=False)
    assert again.results["test_mse"] == finished.results["test_mse"]
    assert not (run / LOCK).exists()


def test_a_held_directory_is_refused_before_anything_is_written(tmp_path, package_datasets):
    run = tmp_path / "fresh"
    fd = hold_elsewhere(run, 4242)
    try:
        with pytest.raises(RunDirBusy, match=r"\(pid 4242 on elsewhere, started 2026-12-07T10:00:00\)"):
            train(tiny(), run, progress=False)
        assert [p.name for p in run.iterdir()] == [LOCK]
    finally:
        os.close(fd)


def test_a_lock_file_of_a_dead_process_is_taken_over(tmp_path, package_datasets):
    run = tmp_path / "run"
    run.mkdir()
    (run / LOCK).write_text(json.dumps({"pid": dead_pid()}))
    result = train(tiny(), run, progress=False)
    assert result.history[-1]["epoch"] == 4 and not (run / LOCK).exists()


def test_holding_is_reentrant_and_a_new_directory_refused_is_not_left_behind(tmp_path):
    run = tmp_path / "run"
    with hold(run), hold(run):
        assert holder(run)["pid"] == os.getpid()
    assert not run.exists()  # made for the lock, empty after
    fd = hold_elsewhere(tmp_path / "busy", 1)
    os.close(fd)  # closing the only descriptor releases it
    with hold(tmp_path / "busy"):
        pass


@pytest.mark.parametrize("index", [0, 1])
def test_across_hosts_process_0_holds_and_every_process_stops_when_it_cannot(tmp_path, monkeypatch, index):
    run = tmp_path / "run"
    fd = hold_elsewhere(run, 4242)
    told = []

    def broadcast(value):
        told.append(int(value))
        return np.int32(0)  # process 0 could not hold it

    monkeypatch.setattr(lock.jax, "process_count", lambda: 2)
    monkeypatch.setattr(lock.jax, "process_index", lambda: index)
    monkeypatch.setattr(lock.multihost_utils, "broadcast_one_to_all", broadcast)
    try:
        words = r"in use by another run \(pid 4242" if index == 0 else r"process 0 could not hold"
        with pytest.raises(ConfigError, match=words), hold_run(run):
            pass
        assert told == [0 if index == 0 else 1]  # process 0 tells the others; they only listen
    finally:
        os.close(fd)


@pytest.mark.slow
def test_two_trainers_started_together_on_one_directory(tmp_path):
    """The issue's first fault, as it was found: two ``repalg train`` on one
    ``--out`` at once, of the same config and of two. One trains; the other
    is refused with the directory and the first's pid, and every epoch is
    logged once, with the first's config."""
    configs = []
    for epochs in (40, 41):
        configs.append(tmp_path / f"epochs-{epochs}.toml")
        configs[-1].write_text(SLOW_TO_FINISH.format(epochs=epochs))
    for first, second in [(configs[0], configs[0]), (configs[0], configs[1])]:
        out = tmp_path / f"run-{first.stem}-{second.stem}"
        started = [subprocess.Popen([sys.executable, "-m", "repalg", "train", str(path), "--out", str(out)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
                   for path in (first, second)]
        try:
            outcomes = [(p.wait(timeout=300), *p.communicate()) for p in started]
        finally:
            for p in started:
                p.kill()
        codes = sorted(code for code, _, _ in outcomes)
        assert codes == [0, 2], outcomes
        winner = started[[code for code, _, _ in outcomes].index(0)]
        refused = outcomes[[code for code, _, _ in outcomes].index(2)][2]
        assert f"{out} is in use by another run (pid {winner.pid}" in refused
        epochs = [json.loads(line).get("epoch") for line in (out / "metrics.jsonl").read_text().splitlines()]
        expected = 40 if winner.args[4] == str(configs[0]) else 41
        assert epochs[:-1] == list(range(1, expected + 1))
        assert f"epochs = {expected}" in (out / "config.toml").read_text()
