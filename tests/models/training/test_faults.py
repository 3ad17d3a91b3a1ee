"""The trainer under faults (issue 33), each test written as the fault: a
checkpoint truncated, emptied, bit-flipped or replaced by random bytes is
refused by name, by a resume and by ``load()``, and the run directory is
left exactly as it was; a temporary file left by a writer killed mid-write
is removed when the run starts again, one of a live writer is not; a config
that is not UTF-8 is named in the error; a metrics history deleted or
damaged is rebuilt from the checkpoint's copy, and said to be gone where
an older checkpoint keeps none; a checkpoint of another config is refused."""

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

from repalg.files import remove_stale_temporaries
from repalg.models.config import ConfigError, load_config
from repalg.models.training import load, train
from repalg.models.training.checkpoint import checkpoint_progress
from repalg.models.training.run_dir import RunDirWarning

ROOT = Path(__file__).resolve().parents[3]

from ...subprocesses import xla_flags
from ..tiny_data import leaves, tiny
from .faults import damaged, dead_pid, digests


@pytest.mark.parametrize("fault", ["truncated", "empty", "bit flipped at 0.25", "bit flipped at 0.5",
                                   "bit flipped at 0.75", "random bytes"])
def test_a_damaged_checkpoint_is_refused_by_name_and_nothing_is_replaced(finished, tmp_path, fault):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    checkpoint = run / "checkpoint.npz"
    checkpoint.write_bytes(damaged(checkpoint.read_bytes(), fault))
    before = digests(run)
    words = rf"{checkpoint} is not a readable repalg checkpoint \(.*\); it is left as it is"
    with pytest.raises(ConfigError, match=words):
        train(tiny(), run, progress=False)
    assert digests(run) == before  # config, metrics, results and the damaged file itself: untouched
    with pytest.raises(ValueError, match=words):
        load(run)


def test_a_temporary_file_of_a_killed_writer_is_removed_when_the_run_starts_again(finished, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    orphan = run / f".checkpoint.npz.{dead_pid()}.0123abcd.tmp"
    orphan.write_bytes((run / "checkpoint.npz").read_bytes()[:1000])  # as large as the write got
    live = run / f".metrics.jsonl.{os.getpid()}.89abcdef.tmp"
    live.write_bytes(b"being written")
    train(tiny(), run, progress=False)  # finished already: resumes, trains nothing
    assert not orphan.exists() and live.exists()
    assert remove_stale_temporaries(run) == []


KILLED_WRITING = """
import os, signal, sys
import pytest
from repalg.models.config import parse_config
from repalg.models.training import train
from tests.models.tiny_data import TINY, register

register(pytest.MonkeyPatch())
synced, real_fsync = [], os.fsync

def fsync(fd):  # the checkpoint of epoch 2 written whole to its temporary file, not yet renamed: kill -9
    synced.append(os.readlink(f"/proc/self/fd/{fd}"))
    if sum(".checkpoint.npz." in path for path in synced) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)

os.fsync = fsync
train(parse_config(TINY), sys.argv[1], progress=False)
"""


def test_a_run_killed_while_writing_its_checkpoint_resumes_exactly_and_its_temporary_file_goes(finished, tmp_path):
    """``kill -9`` of a training process at the moment its checkpoint of
    epoch 2 is written (synced, not yet renamed over epoch 1's): the
    temporary file is left, the checkpoint of epoch 1 is whole, and the run
    started again removes the temporary file and ends with exactly the
    uninterrupted run's parameters and results."""
    run = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu", XLA_FLAGS=xla_flags())
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITING, str(run)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [orphan] = run.glob(".checkpoint.npz.*.tmp")
    assert checkpoint_progress(run / "checkpoint.npz")["epoch"] == 1
    resumed = train(tiny(), run, progress=False)
    assert not orphan.exists() and not list(run.glob("*.tmp"))
    for name in ("params", "opt_state", "best_params", "key"):
        for a, b in zip(leaves(getattr(resumed.state, name)), leaves(getattr(finished.state, name)), strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert resumed.results == finished.results
    assert records(run / "metrics.jsonl") == without_seconds(finished.history)


def test_a_config_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.toml"
    text = '[model]\nname = "MLP"  # réseau\n'
    path.write_bytes(text.encode("latin-1"))
    at = text.index("é")  # one byte a character before it: the offset of the first byte UTF-8 cannot read
    words = rf"the config '{path}' is not UTF-8 text \(byte {at}: .*\); save it as UTF-8"
    with pytest.raises(ConfigError, match=words):
        load_config(path)


def records(path):
    """The epochs' records of a metrics.jsonl, without their wall times."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [{k: v for k, v in r.items() if k != "seconds"} for r in lines if not r.get("final")]


def without_seconds(history):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in history]


def stop_after(epoch):
    def hook(state):
        if state.epoch == epoch:
            raise KeyboardInterrupt
    return hook


def test_a_deleted_metrics_history_is_rebuilt_from_the_checkpoint(finished, tmp_path):
    """metrics.jsonl deleted while a run was stopped: the resume says so,
    rebuilds it from the checkpoint's copy, and ends as the uninterrupted
    run did, with its best epoch (issue 33, point 10)."""
    run = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        train(tiny(), run, progress=False, hook=stop_after(2))
    (run / "metrics.jsonl").unlink()
    with pytest.warns(RunDirWarning, match=rf"{run / 'metrics.jsonl'} is missing: its 2 epochs were rebuilt from "
                                           rf"the copy in {run / 'checkpoint.npz'}$"):
        resumed = train(tiny(), run, progress=False)
    assert without_seconds(resumed.history) == without_seconds(finished.history)
    assert records(run / "metrics.jsonl") == without_seconds(finished.history)
    assert resumed.results["best_epoch"] == finished.results["best_epoch"] is not None
    assert resumed.results["test_mse"] == finished.results["test_mse"]


def test_a_binary_metrics_history_is_rebuilt_and_kept_aside(finished, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    garbage = np.random.default_rng(1).bytes(4096)
    (run / "metrics.jsonl").write_bytes(garbage)
    aside = run / "metrics.jsonl.damaged"
    with pytest.warns(RunDirWarning, match=rf"{run / 'metrics.jsonl'} is not UTF-8 text \(byte 0: .*\): its 4 "
                                           rf"epochs were rebuilt .*; the file as it was is kept as {aside}$"):
        again = train(tiny(), run, progress=False)
    assert aside.read_bytes() == garbage
    assert records(run / "metrics.jsonl") == without_seconds(finished.history)
    assert again.results["best_epoch"] == finished.results["best_epoch"]


@pytest.mark.parametrize("fault, words", [
    ("epoch 2 cut out", r"lacks 1 of the 4 epochs saved \(epochs 2\)"),
    ("a line of garbage", r"has 1 lines that are not metrics \(line 2 the first\)"),
])
def test_a_metrics_history_missing_epochs_is_rebuilt(finished, tmp_path, fault, words):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    lines = (run / "metrics.jsonl").read_text().splitlines(keepends=True)
    lines[1] = "" if fault == "epoch 2 cut out" else "\x00\x01 not json\n"
    (run / "metrics.jsonl").write_text("".join(lines))
    with pytest.warns(RunDirWarning, match=words):
        train(tiny(), run, progress=False)
    assert records(run / "metrics.jsonl") == without_seconds(finished.history)


def written_before_the_copy(checkpoint):
    """The checkpoint as a repalg of before the history's copy and the
    config's digest wrote it: its header without ``run``."""
    with np.load(checkpoint) as file:
        arrays = {name: file[name] for name in file.files}
    meta = json.loads(str(arrays["meta"]))
    del meta["run"]
    arrays["meta"] = np.array(json.dumps(meta))
    with open(checkpoint, "wb") as file:
        np.savez(file, **arrays)


def test_without_the_checkpoints_copy_a_deleted_history_is_said_to_be_gone(finished, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    written_before_the_copy(run / "checkpoint.npz")
    (run / "metrics.jsonl").unlink()
    with pytest.warns(RunDirWarning, match=r"is missing, and the checkpoint, written by an earlier repalg, keeps no "
                                           r"copy: the records of 4 epochs are gone, and the best epoch will be "
                                           r"reported as unknown"):
        again = train(tiny(), run, progress=False)
    assert again.results["best_epoch"] is None  # not the best of what is left: nothing is left
    assert again.results["test_mse"] == finished.results["test_mse"]  # the best weights are the checkpoint's


def test_without_the_checkpoints_copy_a_binary_history_stops_the_resume_untouched(finished, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    written_before_the_copy(run / "checkpoint.npz")
    (run / "metrics.jsonl").write_bytes(np.random.default_rng(1).bytes(4096))
    before = digests(run)
    with pytest.raises(ConfigError, match=rf"{run / 'metrics.jsonl'} is not UTF-8 text .* it is left as it is"):
        train(tiny(), run, progress=False)
    assert digests(run) == before


def test_a_checkpoint_of_another_config_with_the_same_shapes_is_refused(finished, tmp_path):
    """A checkpoint copied in from a run of another config (here: another
    learning rate, so every layer has the same shape) is refused by resume
    and by load(), naming both files; the directory is left as it was
    (issue 33, point 9). The run's config.toml mixed with another run's
    checkpoint is the same fault."""
    other = train(tiny("train.lr=1e-3"), tmp_path / "other", progress=False)
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    shutil.copy(other.run_dir / "checkpoint.npz", run / "checkpoint.npz")
    before = digests(run)
    words = rf"{run / 'checkpoint.npz'} was not trained on {run / 'config.toml'} \(the config it records"
    with pytest.raises(ConfigError, match=words):
        train(tiny(), run, progress=False)
    with pytest.raises(ValueError, match=words):
        load(run)
    assert digests(run) == before


def test_a_config_edited_only_in_its_comments_and_layout_still_loads(finished, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    text = (run / "config.toml").read_text()
    (run / "config.toml").write_text("# trained on 2026-12-07\n\n" + text.replace(" = ", "=") + "\n# end\n")
    x = np.ones(4, np.float32)
    assert np.array_equal(load(run)(x), load(finished.run_dir)(x))
