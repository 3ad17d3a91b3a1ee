"""The caches: in memory, bounded and clearable; on disk, safe under
concurrent writers, killed writers and corruption."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import repalg
import repalg.files
from repalg import parse
from repalg.numeric import cache

ROOT = Path(__file__).resolve().parent.parent.parent


def reference(text):
    repalg.set_cache_dir(None)
    repalg.clear_cache()
    return parse(text).equivariant_basis().dense()


def test_memory_cache_is_bounded():
    repalg.clear_cache()
    for a in range(24):  # distinct one-dimensional subproblems on GL(1)
        for b in range(23):
            parse(f"(V**{a}*V.T**{b}+V)(GL(1))").equivariant_basis()
    assert len(cache._memory) == cache.ENTRIES
    assert cache.get(object()) is None
    repalg.clear_cache()
    assert len(cache._memory) == 0


@pytest.mark.slow
def test_concurrent_writers_leave_a_valid_entry(disk):
    """In the slow run (9 s); the default run has a writer killed mid-write."""
    # three processes write the same entry over and over while reading it back:
    # every read sees a complete, correct entry
    script = textwrap.dedent("""
        import sys, repalg
        from repalg.numeric import cache
        repalg.set_cache_dir(sys.argv[1])
        q = repalg.parse("T(4)(SO(3))").equivariant_basis().sparse()
        for _ in range(40):
            cache._write(sys.argv[2], q, "weights", 1.0)
            got = cache._read(sys.argv[2])
            assert got is not None and abs(got[0] - q).max() < 1e-12
        print("ok")
    """)
    key = repalg.numeric.solve._disk_key(repalg.group("SO(3)"), tuple([repalg.V(repalg.group("SO(3)"))] * 4))
    workers = [subprocess.Popen([sys.executable, "-c", script, str(disk), key], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(3)]
    for w in workers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0 and out.strip() == "ok", err
    assert not list(disk.glob("*.tmp"))
    repalg.clear_cache()
    np.testing.assert_allclose(parse("T(4)(SO(3))").equivariant_basis().dense(), reference("T(4)(SO(3))"),
                               atol=1e-12)


def test_a_writer_killed_mid_write_leaves_no_entry(disk):
    # a writer that stops forever halfway through writing its temporary file
    script = textwrap.dedent("""
        import os, sys, time, numpy as np, repalg
        from repalg.numeric import cache
        repalg.set_cache_dir(sys.argv[1])
        repalg.numeric.solve.STORE_FROM = 0.0
        real_savez = np.savez
        def stalled(f, **arrays):
            f.write(b"PK\\x03\\x04 half an entry")
            f.flush()
            print("writing", flush=True)
            time.sleep(600)
        np.savez = stalled
        repalg.parse("T(3)(SO(3))").equivariant_basis()
    """)
    writer = subprocess.Popen([sys.executable, "-c", script, str(disk)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert not list(disk.glob("*.npz"))  # only a stray temporary file
    Q = parse("T(3)(SO(3))").equivariant_basis()
    assert Q.shape == (27, 1) and len(list(disk.glob("*.npz"))) == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_corrupt_entry_is_detected_and_recomputed(disk, damage):
    expected = reference("T(4)(O(3))")
    repalg.set_cache_dir(disk)
    repalg.clear_cache()
    parse("T(4)(O(3))").equivariant_basis()
    (entry,) = disk.glob("*.npz")
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        i = len(data) // 3
        entry.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
    elif damage == "garbage":
        entry.write_bytes(os.urandom(len(data)))
    else:
        entry.write_bytes(b"")
    repalg.clear_cache()
    Q = parse("T(4)(O(3))").equivariant_basis()
    np.testing.assert_allclose(Q.dense(), expected, atol=1e-12)
    assert len(list(disk.glob("*.npz"))) == 1
    assert cache._read(repalg.numeric.solve._disk_key(repalg.group("O(3)"),
                                                      tuple([repalg.V(repalg.group("O(3)"))] * 4))) is not None


def test_an_entry_with_a_wrong_checksum_is_not_trusted(disk):
    parse("T(4)(O(3))").equivariant_basis()
    (entry,) = disk.glob("*.npz")
    with np.load(entry) as e:
        fields = {k: e[k] for k in e.files}
    fields["data"] = fields["data"] * 2  # a well-formed file with wrong numbers
    with open(entry, "wb") as f:
        np.savez(f, **fields)
    repalg.clear_cache()
    Q = parse("T(4)(O(3))").equivariant_basis()
    np.testing.assert_allclose(Q.dense().T @ Q.dense(), np.eye(3), atol=1e-12)


def test_entries_of_user_representations_stay_in_memory(disk):
    from tests.numeric.test_basis import frequency

    (frequency(1) >> frequency(1)).equivariant_basis()
    assert not list(disk.glob("*.npz"))


def test_npz_entries_hold_no_pickles(disk):
    parse("T(4)(O(3))").equivariant_basis()
    (entry,) = disk.glob("*.npz")
    with np.load(entry, allow_pickle=False) as e:
        assert all(e[k].dtype != object for k in e.files)


def _solve_warns(text, expect_warning):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Q = parse(text).equivariant_basis()
    found = [w for w in caught if issubclass(w.category, RuntimeWarning) and "disk cache" in str(w.message)]
    assert len(found) == (1 if expect_warning else 0), [str(w.message) for w in caught]
    return Q, found


def test_a_missing_folder_is_created_parents_too(tmp_path):
    folder = tmp_path / "not" / "yet" / "there"
    script = ("import repalg; repalg.numeric.solve.STORE_FROM = 0.0; "
              "print(repalg.parse('T(3)(SO(3))').equivariant_basis().shape[1])")
    env = {**os.environ, "REPALG_CACHE_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr
    assert len(list(folder.glob("*.npz"))) == 1
    try:
        repalg.set_cache_dir(tmp_path / "made" / "by" / "set_cache_dir")
        assert (tmp_path / "made" / "by" / "set_cache_dir").is_dir()
    finally:
        repalg.set_cache_dir(None)


def test_a_folder_removed_after_it_was_set_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setattr(repalg.numeric.solve, "STORE_FROM", 0.0)
    folder = tmp_path / "cache"
    try:
        repalg.set_cache_dir(folder)
        repalg.clear_cache()
        folder.rmdir()
        _solve_warns("T(3)(O(3))", expect_warning=False)
        assert len(list(folder.glob("*.npz"))) == 1
    finally:
        repalg.set_cache_dir(None)
        repalg.clear_cache()


@pytest.mark.parametrize("trouble", ["file in its place", "disk full", "no permission"])
def test_an_unwritable_cache_keeps_the_answer_and_warns_once(tmp_path, monkeypatch, trouble):
    import errno
    monkeypatch.setattr(repalg.numeric.solve, "STORE_FROM", 0.0)
    folder = tmp_path / "cache"
    if trouble == "file in its place":
        folder.write_text("not a folder")
        folder = folder / "below"
    elif trouble == "disk full":
        def full(f, **arrays):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(np, "savez", full)
    else:
        def denied(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        monkeypatch.setattr(repalg.files, "open", denied, raising=False)  # the atomic writer's temporary file
    expected = reference("T(4)(O(3))")
    cache._warned.clear()
    try:
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            repalg.set_cache_dir(folder)
            repalg.clear_cache()
            Q = parse("T(4)(O(3))").equivariant_basis()
            parse("T(3)(SO(3))").equivariant_basis()
            parse("(V>>V)(O(2))").equivariant_basis()
        found = [w for w in caught if "disk cache" in str(w.message)]
        assert len(found) == 1 and found[0].category is RuntimeWarning, [str(w.message) for w in caught]
        assert str(folder) in str(found[0].message)
        np.testing.assert_allclose(Q.dense(), expected, atol=1e-12)
        assert not list(tmp_path.rglob("*.tmp"))
    finally:
        repalg.set_cache_dir(None)
        repalg.clear_cache()


def test_quick_solves_stay_off_the_disk(tmp_path):
    # reading an entry back and checking it costs milliseconds: a solve quicker than STORE_FROM is not kept
    repalg.set_cache_dir(tmp_path)
    try:
        repalg.clear_cache()
        assert parse("T(2)(O(3))").equivariant_basis().shape == (9, 1)
        assert not list(tmp_path.glob("*.npz"))
    finally:
        repalg.set_cache_dir(None)
        repalg.clear_cache()
