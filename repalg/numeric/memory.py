"""Refusing, before allocating, work that needs more memory than may be
used: each rung of the basis solver estimates its bytes and asks ``guard``
first, and the trainer checks a model's and a dataset's sizes against the
same :func:`usable_bytes`.

"May be used" is the smallest of what the machine has available
(``MemAvailable``), what a memory cgroup (v1 or v2) leaves below its limit,
and what an address-space limit (``ulimit -v``) leaves, times
:data:`MEMORY_FRACTION`.

>>> 0 < usable_bytes() <= available_bytes()
True
"""

from __future__ import annotations

import functools
import os
import resource
from pathlib import Path

from .errors import TooLargeError
from .subproblem import describe

MEMORY_FRACTION = 0.8
"""The share of the available memory one solve, or one run, may plan to use."""

ALWAYS_FITS = 1 << 26
"""Bytes (64 MiB) that any machine repalg runs on has to spare: an estimate
below it is let through without reading the machine's state, which costs a
solve of a small representation more than the solve (0.5 ms of files under
/proc and /sys)."""

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _meminfo() -> int:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _number(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max": no limit


def cgroup_room(root: Path = CGROUP_ROOT, membership: str | None = None) -> int | None:
    """What the memory cgroups this process is in leave below their limits
    (the smallest), or ``None`` where none sets one. ``membership`` is the
    text of ``/proc/self/cgroup`` (read when ``None``)."""
    if membership is None:
        try:
            membership = Path("/proc/self/cgroup").read_text()
        except OSError:
            return None
    rooms = []
    for limit_path, usage_path in _cgroup_files(root, membership):
        limit, usage = _number(limit_path), _number(usage_path)
        if limit is not None and limit < 1 << 60:  # v1 writes "no limit" as a number near 2**63
            rooms.append(max(limit - (usage or 0), 0))
    return min(rooms) if rooms else None


@functools.lru_cache(maxsize=8)
def _cgroup_files(root: Path, membership: str) -> tuple:
    """The (limit, usage) files of the memory cgroups ``membership`` names
    that exist: found once, read at each call."""
    places = set()
    for line in membership.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, where = parts
        where = where.strip().lstrip("/")
        if controllers == "":  # v2
            for base in (root, root / "unified"):
                places |= {(base / where / "memory.max", base / where / "memory.current"),
                           (base / "memory.max", base / "memory.current")}
        elif "memory" in controllers.split(","):  # v1
            base = root / "memory"
            places |= {(base / where / "memory.limit_in_bytes", base / where / "memory.usage_in_bytes"),
                       (base / "memory.limit_in_bytes", base / "memory.usage_in_bytes")}
    return tuple(pair for pair in sorted(places) if pair[0].exists())


def address_space_room() -> int | None:
    """What ``ulimit -v`` (RLIMIT_AS) leaves this process, or ``None``."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return max(soft - int(line.split()[1]) * 1024, 0)
    except OSError:
        pass
    return soft


def available_bytes() -> int:
    """The memory this process can have now: the machine's available
    memory, or less where a cgroup or an address-space limit leaves less."""
    return min(room for room in (_meminfo(), cgroup_room(), address_space_room()) if room is not None)


def usable_bytes() -> float:
    """The memory one solve or one run may plan to use."""
    return available_bytes() * MEMORY_FRACTION


def fits(count: float) -> bool:
    """Whether ``count`` bytes may be used: at once below
    :data:`ALWAYS_FITS`, else against :func:`usable_bytes`.

    >>> fits(1000), fits(1e30)
    (True, False)
    """
    return count <= ALWAYS_FITS or count <= usable_bytes()


def gib(count: float) -> str:
    """Bytes in GiB, as the refusals write them."""
    return f"{count / 2**30:.3g} GiB"


def guard(group, atoms, size: int, estimate: float, rung: str) -> None:
    """Refuse, before allocating, a solve that needs more memory than there is."""
    if not fits(estimate):
        usable = usable_bytes()
        raise TooLargeError(f"{describe(atoms)} has size {size}: the {rung} solver would need about "
                            f"{gib(estimate)}, and {gib(usable)} may be used")
