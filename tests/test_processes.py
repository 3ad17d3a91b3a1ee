"""A worker dies with its parent however the parent dies (issue 33, point
6), written as the fault: the parent killed with ``kill -9``, its child,
which watches it, gone within a second or two, not reparented to init and
running on; and a process that has ended is not taken for a live one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from repalg.processes import alive

ROOT = Path(__file__).resolve().parents[1]

PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid())])
print(child.pid, flush=True)
time.sleep(120)
"""

CHILD = """
import sys, time
from repalg.processes import die_with_parent
die_with_parent(int(sys.argv[1]))
print("watching", flush=True)
time.sleep(120)
"""


def test_a_child_that_watches_its_parent_dies_when_the_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu"))
    child = int(parent.stdout.readline())
    try:
        assert parent.stdout.readline() == "watching\n" and alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while alive(child):
            assert time.monotonic() < deadline, "the child outlived its killed parent"
            time.sleep(0.05)
    finally:
        parent.kill()
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_an_ended_process_is_not_alive_even_before_it_is_collected():
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while alive(ended.pid):  # a zombie until waited for
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert ended.poll() == 0 and not alive(ended.pid) and alive(os.getpid())
