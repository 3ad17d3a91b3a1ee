"""Processes that end with the one that started them: a sweep's pool
workers watch their parent, and exit when it is gone, however it ended (a
``kill -9`` included), instead of training on, orphaned, into run
directories that a restarted sweep would then share with them.

>>> alive(os.getpid())
True
"""

from __future__ import annotations

import os
import threading
import time

WATCH_INTERVAL = 0.25
"""Seconds between a worker's looks at its parent."""


def alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (another user's included): one that
    ended and waits, a zombie, for its parent to collect it does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc: what kill said
        return True


def die_with_parent(parent: int, interval: float = WATCH_INTERVAL) -> threading.Thread:
    """Start a daemon thread that ends this process at once (``os._exit``)
    when its parent is no longer the process ``parent`` (it ended, and this
    one was handed to init or a subreaper). What a worker was writing
    atomically is left whole; its temporary file is removed by the next
    run in that directory.

    >>> watcher = die_with_parent(os.getppid())
    >>> watcher.daemon
    True
    """
    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    thread = threading.Thread(target=watch, name="die-with-parent", daemon=True)
    thread.start()
    return thread


__all__ = ["WATCH_INTERVAL", "alive", "die_with_parent"]
