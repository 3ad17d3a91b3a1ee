"""Every answer is checked wherever it comes from: a fresh solve, the disk
cache, a group without a character theory. Wrong answers are planted (a
dropped column, a tampered or stale cache entry, an ill-conditioned group) and
must never come back as a basis."""

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import repalg
from repalg import Group, SolveError, V, parse
from repalg.numeric import cache, check, solve, spectral_gap, tolerance
from repalg.numeric.subproblem import monomial_atoms

from ..marks import default

ROOT = Path(__file__).resolve().parent.parent.parent


def fresh(text):
    """The basis solved with no cache at all."""
    folder = cache.cache_dir()
    repalg.set_cache_dir(None)
    repalg.clear_cache()
    try:
        return parse(text).equivariant_basis()
    finally:
        repalg.set_cache_dir(folder)
        repalg.clear_cache()


def entry_key(text):
    """The disk key of a one-monomial, one-group text's only subproblem."""
    rep = parse(text)
    (monomial, _), = rep.canonical_terms()
    atoms = tuple(monomial_atoms(monomial))
    return solve._disk_key(atoms[0].group, atoms)


def solve_and_catch(text):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        repalg.clear_cache()
        Q = parse(text).equivariant_basis()
    return Q, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def rotation(theta):
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


# the disk cache ---------------------------------------------------------------------


def tampered(q, how):
    rng = np.random.default_rng(5)
    q = q.toarray()
    if how == "dropped column":
        return q[:, 1:]
    if how == "extra column":  # orthonormal, but not invariant
        extra = rng.standard_normal((q.shape[0], 1))
        extra -= q @ (q.T @ extra)
        return np.concatenate([q, extra / np.linalg.norm(extra)], axis=1)
    if how == "scaled":
        return 2 * q
    if how == "rotated away":  # orthonormal columns of the right count, not invariant
        m, _ = np.linalg.qr(q + 0.1 * rng.standard_normal(q.shape))
        return m
    raise ValueError(how)


@pytest.mark.parametrize("text", ["T(4)(O(3))", "(V>>V)(RubiksCube)"])
@pytest.mark.parametrize("how", ["dropped column", "extra column", "scaled", "rotated away"])
def test_a_tampered_entry_with_a_valid_checksum_is_removed_and_recomputed(disk, text, how):
    expected = fresh(text)
    parse(text).equivariant_basis()
    key = entry_key(text)
    stored = cache._read(key)
    assert stored is not None and stored[0].shape == expected.shape
    cache._write(key, tampered(stored[0], how), stored[1], stored[2])  # checksum and key are right
    Q, warned = solve_and_catch(text)
    assert Q.shape == expected.shape and Q.info.strategy != "cache"
    np.testing.assert_allclose(Q.dense(), expected.dense(), atol=1e-12)
    assert len(warned) == 1 and "failed its checks" in warned[0], warned
    again = cache._read(key)  # the entry is the fresh answer again, and read back without complaint
    np.testing.assert_allclose(again[0].toarray(), expected.dense(), atol=1e-12)
    Q, warned = solve_and_catch(text)
    assert Q.info.strategy == "cache" and not warned


def test_a_tampered_entry_warns_once(disk):
    parse("T(4)(O(3))").equivariant_basis()
    key = entry_key("T(4)(O(3))")
    stored = cache._read(key)
    messages = []
    for _ in range(3):
        cache._write(key, tampered(stored[0], "dropped column"), stored[1], stored[2])
        messages += solve_and_catch("T(4)(O(3))")[1]
    assert len(messages) == 1


def test_a_stale_entry_from_another_solver_is_never_read(disk, monkeypatch):
    # an older solver's entry, well-formed and even correct up to a rotation of
    # its columns, lives under another name and is not read
    expected = fresh("T(4)(O(3))")
    parse("T(4)(O(3))").equivariant_basis()
    key = entry_key("T(4)(O(3))")
    current = cache._read(key)
    (entry,) = disk.glob("*.npz")
    entry.unlink()
    rotated = current[0].toarray() @ np.linalg.qr(np.random.default_rng(1).standard_normal((3, 3)))[0]
    monkeypatch.setattr(cache, "solver_digest", lambda: "an older solver")
    cache._write(key, rotated, "weights", 1e9)
    monkeypatch.undo()
    monkeypatch.setattr(solve, "STORE_FROM", 0.0)
    assert cache._read(key) is None
    repalg.clear_cache()
    Q = parse("T(4)(O(3))").equivariant_basis()
    assert Q.info.strategy != "cache"
    np.testing.assert_allclose(Q.dense(), expected.dense(), atol=1e-12)
    assert len(list(disk.glob("*.npz"))) == 2  # the stale entry and the current one


def test_the_key_holds_the_solver_code_and_the_ladder(disk, monkeypatch):
    key = entry_key("T(4)(O(3))")
    assert "ISOTYPIC=True" in key and f"ZERO_LEVEL={spectral_gap.ZERO_LEVEL}" in key
    monkeypatch.setattr(solve, "ISOTYPIC", False)
    assert entry_key("T(4)(O(3))") != key
    monkeypatch.undo()
    path = cache._path(key)
    monkeypatch.setattr(cache, "solver_digest", lambda: "another solver")
    assert cache._path(key) != path


def test_the_solver_digest_follows_the_source(tmp_path):
    # the digest reads the source files: a copy of the package with one byte
    # changed in the solver has another digest
    import shutil
    copy = tmp_path / "repalg"
    shutil.copytree(ROOT / "repalg", copy)
    before = cache.source_digest(copy)
    with open(copy / "numeric" / "solve.py", "a") as f:
        f.write("\n")
    assert before == cache.solver_digest() != cache.source_digest(copy)


def test_the_solver_digest_kept_on_disk_is_read_back_until_a_file_changes(tmp_path):
    # the digest kept in the cache folder stands for the contents while the
    # files' sizes and times stay; a changed file is hashed afresh
    import shutil
    copy, memo = tmp_path / "repalg", tmp_path / "cache"
    shutil.copytree(ROOT / "repalg", copy)
    contents = cache.source_digest(copy)
    assert cache.source_digest(copy, memo) == contents
    (kept,) = memo.glob("solver-*.txt")
    kept.write_text("0123456789abcdef")  # a stand-in: read back, not recomputed
    assert cache.source_digest(copy, memo) == "0123456789abcdef"
    kept.write_text("not a digest")
    assert cache.source_digest(copy, memo) == contents
    with open(copy / "symbolic" / "expr.py", "a") as f:
        f.write("\n")
    changed = cache.source_digest(copy, memo)
    assert changed == cache.source_digest(copy) != contents
    assert len(list(memo.glob("solver-*.txt"))) == 2


@pytest.mark.slow
def test_a_cache_hit_is_a_strategy_of_its_own_across_processes(disk):
    """In the slow run (7 s: two processes start repalg); the default run has the
    cache hit in process."""
    script = ("import repalg, sys, numpy as np; repalg.set_cache_dir(sys.argv[1]); "
              "repalg.numeric.solve.STORE_FROM = 0.0; Q = repalg.parse('T(5)(SO(3))').equivariant_basis(); "
              "print(Q.info.strategy, Q.shape[1], '+'.join(Q.info.checked_by), np.abs(Q.dense()).sum())")
    runs = [subprocess.run([sys.executable, "-c", script, str(disk)], capture_output=True, text=True, cwd=ROOT)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    first, second = (r.stdout.split() for r in runs)
    assert first[0] != "cache" and second[0] == "cache"
    assert first[1] == second[1] == "6"  # the Riordan number R(5)
    assert first[2] == second[2] == "characters+equivariance+orthonormality"
    assert math.isclose(float(first[3]), float(second[3]), rel_tol=1e-12)
    assert len(list(disk.glob("*.npz"))) == 1


# the spectral-gap certificate ---------------------------------------------------------


@pytest.mark.parametrize("exponent", default(list(range(1, 13)), 1, 3, 7, 12))
@pytest.mark.parametrize("text", ["V", "T(2)", "V>>V"])
def test_a_nearly_trivial_rotation_never_gives_a_wrong_rank(exponent, text):
    """A clear turn (0.1 radians), a small one (1e-3) and two at and below
    the edge of roundoff (1e-7, 1e-12) by default; every exponent in the
    slow run (to 1e-6 the solve first enumerates 100,000 elements of the
    group: 1.5 s each)."""
    # generated by a reflection and a rotation by eps: no invariant vector and
    # one invariant form for any eps > 0; an eps that float64 cannot tell from
    # roundoff in the constraints is refused, never answered with a rank
    eps = 10.0 ** -exponent
    G = Group(discrete_generators=[np.diag([1.0, -1.0]), rotation(eps)])
    true_rank = {"V": 0, "T(2)": 1, "V>>V": 1}[text]
    rep = parse(text)(G)
    try:
        Q = rep.equivariant_basis()
    except SolveError as error:
        assert 1e-10 < eps < 1e-2, f"refused a clear case: {error}"
        assert "spectral gap" in str(error) or "not invariant" in str(error)
        if "spectral gap" in str(error):
            assert "between roundoff" in str(error)
        return
    if eps > 1e-10:  # larger than the checks' tolerance: the exact answer
        assert Q.shape[1] == true_rank
    else:  # rotation by eps is the identity to within the tolerance: the group {1, reflection}
        assert Q.shape[1] == {"V": 1, "T(2)": 2, "V>>V": 2}[text]
    assert check.TOLERANCE == 1e-10


def test_an_ambiguous_spectrum_names_its_eigenvalues():
    G = Group(discrete_generators=[np.diag([1.0, -1.0]), rotation(1e-5)])
    with pytest.raises(SolveError, match=r"1 eigenvalue\(s\).*2\.50e-11"):
        V(G).equivariant_basis()


# the rank check where no prediction exists ---------------------------------------------


def dropping(real):
    def solver(group, atoms, size):
        q, strategy, gap = real(group, atoms, size)
        return q[:, 1:], strategy, gap
    return solver


def so2_by_generators():
    """SO(2) given only by its generator: no character theory."""
    return Group(lie_algebra=[np.array([[0.0, -1.0], [1.0, 0.0]])])


@pytest.mark.parametrize("text,rank,check_name", [
    ("T(3)(Cube)", 12, "characters"), ("T(5)(Cube)", 336, "characters"),
    ("(V>>V)(RubiksCube)", 6, "orbit count"), ("T(2)(RubiksCube)", 6, "orbit count"),
    ("V(RubiksCube)", 2, "orbit count"), ("T(4)(SO(3))", 3, "characters"),
    ("T(2)(Cube*RubiksCube)", 18, "factor counts"),
])
def test_a_solver_that_drops_a_column_is_caught(monkeypatch, text, rank, check_name):
    repalg.clear_cache()
    Q = parse(text).equivariant_basis()
    assert Q.shape[1] == rank and check_name in Q.info.checked_by
    monkeypatch.setattr(solve, "_solve_fresh", dropping(solve._solve_fresh))
    repalg.clear_cache()
    # the first part solved is caught (for a direct product, its first factor)
    with pytest.raises(SolveError, match="solver found .* independent invariants"):
        parse(text).equivariant_basis()
    repalg.clear_cache()


def test_a_user_lie_group_is_counted_again_by_the_dense_rung(monkeypatch):
    G = so2_by_generators()
    rep = (V ** 4)(G)
    assert rep.predicted_rank() is None
    Q = rep.equivariant_basis()
    assert Q.shape[1] == math.comb(4, 2)  # zero-weight tuples of ±1: the central binomial
    assert "dense solve" in Q.info.checked_by and Q.info.strategy == "weights"
    monkeypatch.setattr(solve, "_solve_fresh", dropping(solve._solve_fresh))
    repalg.clear_cache()
    with pytest.raises(SolveError, match="second count by dense solve finds 6"):
        (V ** 4)(so2_by_generators()).equivariant_basis()
    repalg.clear_cache()


def test_checked_by_says_when_no_count_was_possible():
    G = Group(discrete_generators=[np.diag([1.0, -1.0]), rotation(0.3)])
    Q = (V ** 2)(G).equivariant_basis()
    assert Q.shape[1] == 1 and Q.info.strategy == "dense"
    assert Q.info.checked_by == ("equivariance", "orthonormality", "rank unchecked")
    mixed = (V(G) ** 2 + V(repalg.group("SO(3)")) ** 2).equivariant_basis()
    assert "rank unchecked" in mixed.info.checked_by and "characters" in mixed.info.checked_by


@pytest.mark.parametrize("d,k,moves,expected", [
    (5, 3, "cycle", 25), (4, 4, "cycle", 64),  # Z(n) on k-tuples: n^(k-1) orbits
    (5, 1, "symmetric", 1), (5, 2, "symmetric", 2), (5, 3, "symmetric", 5), (5, 4, "symmetric", 15),
    (5, 5, "symmetric", 52),  # Bell numbers
    (3, 2, "minus", 9), (3, 3, "minus", 0),  # -I: every even tuple, no odd one
    (2, 2, "rotation", 2),  # the quarter turn (x, y) -> (-y, x) on V⊗V: the identity and the 2-form
])
def test_orbit_count_against_closed_forms(d, k, moves, expected):
    cycle = (np.roll(np.arange(d), 1), np.ones(d))
    swap = np.arange(d)
    swap[:2] = [1, 0]
    table = {"cycle": [cycle], "symmetric": [cycle, (swap, np.ones(d))], "minus": [(np.arange(d), -np.ones(d))],
             "rotation": [(np.array([1, 0]), np.array([-1.0, 1.0]))]}
    assert check.orbit_count(d, k, table[moves]) == expected


def test_the_checks_catch_a_basis_that_is_not_orthonormal_or_not_invariant():
    G = repalg.group("SO(3)")
    atoms = (V(G),) * 2
    good = parse("T(2)(SO(3))").equivariant_basis().sparse()
    assert check.verify(G, atoms, good, "test", (1, "characters")) == ("characters", "equivariance",
                                                                       "orthonormality")
    with pytest.raises(SolveError, match="not orthonormal"):
        check.verify(G, atoms, 2 * good, "test", (1, "characters"))
    e = np.zeros((9, 1))
    e[0] = 1
    with pytest.raises(SolveError, match="not invariant under a random element of the Lie algebra"):
        check.verify(G, atoms, e, "test", (1, "characters"))
    with pytest.raises(SolveError, match="its characters predict 2"):
        check.verify(G, atoms, good, "test", (2, "characters"))


# the tolerance follows the precision the user's generators were given in ---------------


@pytest.mark.parametrize("given", ["float32", "float32 read as float64", "float64"])
@pytest.mark.parametrize("k,text,factors,rank", [(5, "T(2)", 2, 2), (5, "V>>V", 2, 2), (4, "T(4)", 4, 8),
                                                  (6, "T(5)", 5, 0)])
def test_rotations_computed_in_single_precision_are_solved(given, k, text, factors, rank):
    # C(k) by a rotation through 2π/k: the rank is Burnside's count over the k
    # rotations, whatever precision the generator was computed in
    t = 2 * np.pi / k
    if given == "float64":
        h = rotation(t)
    else:
        h = rotation(np.float32(t)).astype(np.float32)
        h = h if given == "float32" else h.astype(np.float64)
    G = Group(discrete_generators=[h])
    assert round(sum(np.trace(rotation(t * j)) ** factors for j in range(k)) / k) == rank
    Q = parse(text)(G).equivariant_basis()
    assert Q.shape[1] == rank and "equivariance" in Q.info.checked_by


def test_a_float32_group_is_checked_to_float32_accuracy_only():
    h = rotation(np.float32(2 * np.pi / 5)).astype(np.float32)
    assert repalg.numeric.group_generators.precision(Group(discrete_generators=[h])) == np.finfo(np.float32).eps
    assert repalg.numeric.group_generators.precision(repalg.group("SO(3)")) == np.finfo(np.float64).eps
    assert tolerance.tolerance_for(2, np.finfo(np.float32).eps) > 1e-6
