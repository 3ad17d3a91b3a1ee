"""One run per directory: an exclusive lock on a run directory, held by the
process that trains in it for the whole run.

The lock is ``flock`` on a file ``.lock`` in the directory, which records
its holder (pid, host, command, start time). The kernel releases it when
its process ends, however it ends: a lock left by a process killed with
``kill -9`` is taken over by the next run, with no stale file to clean up.
A second process is refused at once, with the directory and the holder.
Holding is re-entrant within a process (the command line holds the
directory before it builds the run, the trainer again inside). In a run
over several hosts, process 0 holds it and tells the others whether it
could (:func:`hold_run`).

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> with hold(folder):
...     holder(folder)["pid"] == os.getpid()
True
>>> holder(folder) is None
True
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import socket
import sys
from pathlib import Path

import jax
import numpy as np
from jax.experimental import multihost_utils

from ..config.schema import ConfigError

LOCK = ".lock"
"""The lock file in a run directory (removed when its holder releases it)."""

_HELD: dict[str, int] = {}
"""The run directories this process holds, with how many times each."""


class RunDirBusy(ConfigError):
    """A run directory that another live process trains in."""

    def __init__(self, run_dir, found: dict | None):
        self.run_dir, self.holder = Path(run_dir), found
        super().__init__("output.dir", f"{run_dir} is in use by another run ({describe(found)}); wait for it to "
                                       "end or stop it, or choose another output directory")


def describe(found: dict | None) -> str:
    """The holder of a lock in words."""
    if not found:
        return "a process that has not yet written its pid"
    words = f"pid {found.get('pid')}"
    if found.get("host") and found["host"] != socket.gethostname():
        words += f" on {found['host']}"
    if found.get("started"):
        words += f", started {found['started']}"
    if found.get("command"):
        words += f": {found['command']}"
    return words


def _read(fd: int) -> dict | None:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8")
        found = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return found if isinstance(found, dict) else None


def holder(run_dir) -> dict | None:
    """The holder of ``run_dir``'s lock (``{"pid", "host", "command",
    "started"}``), or ``None`` when no live process holds it."""
    path = Path(run_dir) / LOCK
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd) or {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None  # a file its dead holder left: free
    finally:
        os.close(fd)


def _acquire(path: Path) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            found = _read(fd)
            os.close(fd)
            raise RunDirBusy(path.parent, found) from None
        except OSError as error:
            os.close(fd)
            raise ConfigError("output.dir", f"{path.parent} cannot be locked for this run ({error}): its file "
                                            "system does not support flock; choose a local directory") from None
        try:  # a holder releasing the lock removes the file: ours must still be the one there
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


@contextlib.contextmanager
def hold(run_dir):
    """Hold ``run_dir`` (created if need be) for this process while the
    block runs; a :class:`RunDirBusy` naming the directory and the holder's
    pid when another live process holds it. A directory this call created,
    left empty, is removed again on release."""
    run_dir = Path(run_dir)
    key = os.path.realpath(run_dir)
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    created = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / LOCK
    try:
        fd = _acquire(path)
    except BaseException:
        if created:
            _remove_if_empty(run_dir)
        raise
    try:
        record = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv),
                  "started": datetime.datetime.now().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        _HELD[key] = 1
        yield
    finally:
        _HELD.pop(key, None)
        path.unlink(missing_ok=True)  # before the release: a process waiting on this file tries again
        os.close(fd)
        if created:
            _remove_if_empty(run_dir)


@contextlib.contextmanager
def hold_run(run_dir):
    """:func:`hold` for a run over one host or several: process 0 holds
    ``run_dir``; when it cannot, every process raises (the others with the
    directory only), so none waits for a run that will not start."""
    if jax.process_count() == 1:
        with hold(run_dir):
            yield
        return
    with contextlib.ExitStack() as stack:
        refused = None
        if jax.process_index() == 0:
            try:
                stack.enter_context(hold(run_dir))
            except ConfigError as error:
                refused = error
        held = bool(multihost_utils.broadcast_one_to_all(np.int32(refused is None)))
        if refused is not None:
            raise refused
        if not held:
            raise ConfigError("output.dir", f"process 0 could not hold {run_dir} for this run (its error says "
                                            "why); every process stops")
        yield


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


__all__ = ["LOCK", "RunDirBusy", "describe", "hold", "hold_run", "holder"]
