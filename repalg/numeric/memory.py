"""Refusing, before allocating, a solve that needs more memory than the
machine has: each rung estimates its bytes and asks ``guard`` first.

>>> available_bytes() > 0
True
"""

from __future__ import annotations

import os

from .errors import TooLargeError
from .subproblem import describe

MEMORY_FRACTION = 0.8
"""The share of the machine's available memory one solve may plan to use."""


def available_bytes() -> int:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def guard(group, atoms, size: int, estimate: float, rung: str) -> None:
    """Refuse, before allocating, a solve that needs more memory than there is."""
    available = available_bytes() * MEMORY_FRACTION
    if estimate > available:
        raise TooLargeError(f"{describe(atoms)} has size {size}: the {rung} solver would need about "
                            f"{estimate / 2**30:.3g} GiB, and {available / 2**30:.3g} GiB may be used")
