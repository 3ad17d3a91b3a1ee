"""The trainer under faults (issue 33), each test written as the fault: a
checkpoint truncated, emptied, bit-flipped or replaced by random bytes is
refused by name, by a resume and by ``load()``, and the run directory is
left exactly as it was; a temporary file left by a writer killed mid-write
is removed when the run starts again, one of a live writer is not; a config
or a metrics history that is not UTF-8 is named in the error."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from repalg.files import remove_stale_temporaries
from repalg.models.config import ConfigError, load_config
from repalg.models.training import load, train

from ..tiny_data import tiny


def damaged(data: bytes, fault: str) -> bytes:
    rng = np.random.default_rng(0)
    if fault == "truncated":
        return data[:len(data) // 2]
    if fault == "empty":
        return b""
    if fault.startswith("bit flipped"):
        at = int(len(data) * float(fault.split()[-1]))
        return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:]
    return rng.bytes(len(data))  # random bytes of a checkpoint's size


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


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


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


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


def test_a_config_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.toml"
    text = '[model]\nname = "MLP"  # réseau\n'
    path.write_bytes(text.encode("latin-1"))
    at = text.index("é")  # one byte a character before it: the offset of the first byte UTF-8 cannot read
    words = rf"the config '{path}' is not UTF-8 text \(byte {at}: .*\); save it as UTF-8"
    with pytest.raises(ConfigError, match=words):
        load_config(path)


def test_a_binary_metrics_history_is_named_and_left_alone(finished, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(finished.run_dir, run)
    (run / "metrics.jsonl").write_bytes(np.random.default_rng(1).bytes(4096))
    before = digests(run)
    with pytest.raises(ConfigError, match=rf"{run / 'metrics.jsonl'} is not UTF-8 text .* it is left as it is"):
        train(tiny(), run, progress=False)
    assert digests(run) == before
