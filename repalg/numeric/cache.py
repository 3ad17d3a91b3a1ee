"""The one place solved subproblems are kept: a bounded in-memory cache, and
an optional on-disk cache shared between processes.

The disk cache is off until a folder is given (``set_cache_dir(path)`` or the
``REPALG_CACHE_DIR`` environment variable). Each entry is an ``.npz`` file
(never a pickle) named by a hash of everything that decides the answer: the
subproblem's canonical text, the group's generators, the solver's settings
(the caller's key) and a digest of the solver's own source code, so that a
changed solver never reads an older one's entries. It holds the key itself
and a checksum of its arrays. Entries are written to a temporary file and
renamed into place, so concurrent writers and a killed writer never leave a
partial entry. An entry that is damaged is removed and recomputed; one that
reads back well-formed is still checked like a fresh answer by the solver
(``check.py``), and one that fails is removed, recomputed, and reported once
as a ``RuntimeWarning``. The folder is created
(parents too) when first written to. A folder that cannot be written (no
permission, a full disk, a file in its place) never costs an answer: the
solve returns it all the same, and a ``RuntimeWarning`` says once per folder
why nothing was kept.

>>> set_cache_dir(None)
>>> clear_cache()
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np
import scipy.sparse

from ..files import atomic_write


ENTRIES = 512
"""Solved subproblems kept in memory (least recently used go first)."""

_memory: OrderedDict = OrderedDict()
_folder: Path | None = Path(os.environ["REPALG_CACHE_DIR"]) if os.environ.get("REPALG_CACHE_DIR") else None
_warned: set = set()


def clear_cache() -> None:
    """Forget every solved subproblem held in memory (the disk cache stays).

    >>> clear_cache()
    """
    _memory.clear()


def set_cache_dir(path) -> None:
    """Keep solved subproblems in ``path`` as well (None turns the disk cache
    off). The folder is created, parents too; where it cannot be, solving
    still works and a warning says why nothing is kept.

    >>> set_cache_dir(None)
    """
    global _folder
    _folder = None if path is None else Path(path)
    if _folder is not None:
        try:
            _folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _warn(error)


def cache_dir() -> Path | None:
    """The disk cache's folder, or None."""
    return _folder


def get(key):
    """The value kept in memory under ``key``, or None."""
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    return None


def put(key, value) -> None:
    """Keep ``value`` in memory under ``key``."""
    _memory[key] = value
    if len(_memory) > ENTRIES:
        _memory.popitem(last=False)


def load(disk_key: str):
    """``(csr_matrix, strategy, gap)`` kept on disk under ``disk_key``, or None
    (also when the disk cache is off or cannot be read, or the entry fails its checks)."""
    if _folder is None:
        return None
    try:
        return _read(disk_key)
    except OSError:  # an unreadable folder is an empty cache; writing to it will warn
        return None


def store(disk_key: str, q: scipy.sparse.csr_matrix, strategy: str, gap: float) -> None:
    """Keep a solution on disk, when the disk cache is on; where it cannot be
    written, warn once per folder and go on (the caller keeps its answer)."""
    if _folder is None:
        return
    try:
        _folder.mkdir(parents=True, exist_ok=True)
        _write(disk_key, q, strategy, gap)
    except OSError as error:
        _warn(error)


def _warn(error: OSError) -> None:
    if _folder in _warned:
        return
    _warned.add(_folder)
    warnings.warn(f"repalg's disk cache {str(_folder)!r} cannot be written ({error}); "
                  f"solutions are kept in memory only", RuntimeWarning, stacklevel=4)


def discard(disk_key: str, reason: str) -> None:
    """Remove the entry under ``disk_key``, which failed the solver's checks,
    and say so once per entry."""
    path = _path(disk_key)
    try:
        path.unlink()
    except OSError:
        pass
    if path not in _warned:
        _warned.add(path)
        warnings.warn(f"repalg's disk cache entry {path.name} failed its checks and was removed; "
                      f"solving again ({reason})", RuntimeWarning, stacklevel=4)


@functools.lru_cache(maxsize=1)
def solver_digest() -> str:
    """A digest of the source code that decides answers (``repalg/numeric``
    and ``repalg/symbolic``, their subpackages included, and the grammar): any
    change to the solver keys its entries afresh. With a disk cache, the
    digest of the files' contents is kept there under their sizes and
    modification times, so that a new process reads one small file instead
    of hashing the whole solver (a changed file changes its time and so the
    name looked up).

    >>> len(solver_digest())
    16
    """
    return source_digest(Path(__file__).resolve().parent.parent, _folder)


def source_digest(root: Path, memo: Path | None = None) -> str:
    """The digest of the solver's source files under the package folder
    ``root`` (``solver_digest`` for this package's own). With a folder
    ``memo``, it is kept there in a file named by the files' paths, sizes and
    modification times, and read back from it while those stay the same.

    >>> import tempfile
    >>> root, memo = Path(__file__).resolve().parent.parent, Path(tempfile.mkdtemp())
    >>> source_digest(root, memo) == source_digest(root) == source_digest(root, memo)
    True
    """
    root = Path(root)
    files = _solver_files(root)
    if memo is None:
        return _contents_digest(root, files)
    stamps = hashlib.sha256()
    for path in files:
        status = os.stat(path)
        stamps.update(f"{path}|{status.st_size}|{status.st_mtime_ns}\n".encode())
    kept_at = Path(memo) / f"solver-{stamps.hexdigest()[:32]}.txt"
    try:
        kept = kept_at.read_text()
        if len(kept) == 16 and all(c in "0123456789abcdef" for c in kept):
            return kept
    except (OSError, UnicodeDecodeError):
        pass
    digest = _contents_digest(root, files)
    try:
        atomic_write(kept_at, lambda file: file.write(digest.encode()))
    except OSError:  # a folder that cannot be written is reported when an entry is stored
        pass
    return digest


def _solver_files(root: Path) -> list:
    """The solver's source files under ``root``, sorted: every ``.py`` below
    ``numeric`` and ``symbolic``, and the grammar (os.scandir: a tenth of
    pathlib's glob time)."""
    found, folders = [], [os.path.join(root, "numeric"), os.path.join(root, "symbolic")]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir():
                    folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    found.append(entry.path)
    return sorted(found) + [os.path.join(root, "grammar.lark")]


def _contents_digest(root: Path, files: list) -> str:
    h = hashlib.sha256()
    for path in files:
        h.update(Path(os.path.relpath(path, root)).as_posix().encode())
        with open(path, "rb") as file:
            h.update(file.read())
    return h.hexdigest()[:16]


def _path(disk_key: str) -> Path:
    digest = hashlib.sha256(f"repalg {solver_digest()}\n{disk_key}".encode()).hexdigest()
    return _folder / f"{digest}.npz"


def _checksum(key: str, arrays: dict) -> str:
    h = hashlib.sha256(key.encode())
    for name in sorted(arrays):
        a = np.asarray(arrays[name])
        h.update(name.encode())
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def write_npz(path, key: str, arrays: dict) -> None:
    """Write ``arrays`` (names to numpy arrays) to the ``.npz`` file ``path``
    with ``key`` and a checksum of key and arrays, atomically: to a temporary
    file in the same folder (created if need be), synced, then renamed into
    place, so that concurrent writers and a killed writer never leave a partial
    file. Raises ``OSError`` where the folder cannot be written.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "entry.npz"
    >>> write_npz(path, "answer v1", {"x": np.arange(3)})
    >>> read_npz(path, "answer v1")["x"].tolist(), read_npz(path, "answer v2")
    ([0, 1, 2], None)
    """
    arrays = {name: np.asarray(a) for name, a in arrays.items()}
    atomic_write(path, lambda f: np.savez(f, **arrays, __key__=np.array(key),
                                          __checksum__=np.array(_checksum(key, arrays))))


def read_npz(path, key: str) -> dict | None:
    """The arrays :func:`write_npz` kept at ``path`` under ``key``, or
    ``None`` when there is none. A file that cannot be read, was written
    under another key, or fails its checksum is removed, so that the caller
    recomputes and writes it again."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as entry:
            arrays = {name: entry[name] for name in entry.files if name not in ("__key__", "__checksum__")}
            stored_key, checksum = str(entry["__key__"]), str(entry["__checksum__"])
        if stored_key != key or checksum != _checksum(key, arrays):
            raise ValueError("the entry does not match its key or checksum")
        return arrays
    except Exception:  # a corrupt or foreign file is removed and recomputed
        try:
            path.unlink()
        except OSError:
            pass
        return None


def _write(disk_key: str, q: scipy.sparse.csr_matrix, strategy: str, gap: float) -> None:
    q = scipy.sparse.csr_matrix(q)
    write_npz(_path(disk_key), f"repalg {solver_digest()}\n{disk_key}",
              {"data": q.data, "indices": q.indices, "indptr": q.indptr, "shape": np.array(q.shape, dtype=np.int64),
               "strategy": np.array(strategy), "gap": np.array(gap, dtype=float)})


def _read(disk_key: str):
    entry = read_npz(_path(disk_key), f"repalg {solver_digest()}\n{disk_key}")
    if entry is None:
        return None
    q = scipy.sparse.csr_matrix((entry["data"], entry["indices"], entry["indptr"]), shape=tuple(entry["shape"]))
    return q, str(entry["strategy"]), float(entry["gap"])
