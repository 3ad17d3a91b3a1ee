"""Faults the trainer's tests inject: a damaged file's bytes, a dead
process's pid, a run directory held as another process would hold it; and
the digests that show a directory left as it was; and a config that trains
for as long as a test needs to stop it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from repalg.models.training.lock import LOCK


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


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def hold_elsewhere(run: Path, pid: int):
    """``run`` held as another process holds it: flock on a file
    description of its own, recording ``pid``."""
    run.mkdir(parents=True, exist_ok=True)
    fd = os.open(run / LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, json.dumps({"pid": pid, "host": "elsewhere", "started": "2026-12-07T10:00:00"}).encode())
    return fd


SLOW_TO_FINISH = """
[dataset]
name = "Inertia"
N = 64
val = 16
test = 16
[model]
name = "MLP"
ch = 8
num_layers = 1
[train]
epochs = {epochs}
batch_size = 32
eval_every = 1
"""
"""A small Inertia MLP with a checkpoint each epoch, as many epochs as formatted in."""
