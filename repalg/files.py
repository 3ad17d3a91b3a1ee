"""Files written whole or not at all: the one atomic writer that the basis
cache, the trainer and the sweep share.

A reader of a file written here sees the old file or the new one, never a
part: the bytes go to a temporary file beside the target, are synced to
disk, and the temporary file is renamed over the target. A writer that
fails, or is interrupted by an exception, leaves no temporary file behind.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from .processes import alive

_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp")
"""The name atomic_write gives its temporary file: the target's, the
writer's process id, eight hex digits."""


def atomic_write(path, write: Callable) -> None:
    """Write through ``write(file)`` (a binary file) to a temporary file
    beside ``path``, created with its folder if need be, then rename it
    over ``path``.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "new" / "note.txt"
    >>> atomic_write(path, lambda file: file.write(b"whole"))
    >>> path.read_text(), [p.name for p in path.parent.iterdir()]
    ('whole', ['note.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "xb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder) -> list:
    """Remove the temporary files that :func:`atomic_write` left in
    ``folder`` when its process died mid-write (a ``kill -9``), and return
    their paths; those of live processes are left to them.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / f".run.npz.{os.getpid()}.0123abcd.tmp").write_bytes(b"mine")
    4
    >>> remove_stale_temporaries(folder)
    []
    """
    removed = []
    for path in Path(folder).glob(".*.tmp"):
        match = _TEMPORARY.fullmatch(path.name)
        if match and not alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return sorted(removed)
