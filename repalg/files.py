"""Files written whole or not at all: the one atomic writer that the basis
cache, the trainer and the sweep share.

A reader of a file written here sees the old file or the new one, never a
part: the bytes go to a temporary file beside the target, are synced to
disk, and the temporary file is renamed over the target. A writer that
fails, or is interrupted by an exception, leaves no temporary file behind.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from collections.abc import Callable


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
