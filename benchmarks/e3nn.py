"""Tensor powers of O(3) against e3nn-jax, the peer on O(3): invariants of
``T(k)`` (e3nn: ``reduced_tensor_product_basis`` on k copies of ``1o`` with
``keep_ir="0e"``, the same space) and maps ``T(k) >> V`` and ``T(k) >> T(2)``
(e3nn's outputs ``1o`` and ``0e+1e+2e``), side by side.

Every run is a fresh process on each side, timed after the imports. repalg
runs cold (no disk cache: REPALG_CACHE_DIR removed) and warm (a cache folder
filled by one run before); e3nn-jax has no disk cache. The ranks are compared,
and the spans too: e3nn's basis is brought to Cartesian coordinates through
its own change of basis (``D_from_matrix`` of ``1o``; for ``0e+1e+2e`` its
basis of ``1o ⊗ 1o``), orthonormalised, and its principal angles with
repalg's basis must all be zero (cosines above 1 - 1e-6).

    bash benchmarks/setup_e3nn_venv.sh              # once: e3nn-jax 0.21 in ~/.venvs/e3nn
    python benchmarks/e3nn.py                       # k = 2..10, maps to k = 8, 3 runs each
    python benchmarks/e3nn.py --kmax 8 --runs 5 --e3nn /path/to/python

e3nn-jax is found with --e3nn PYTHON, $REPALG_E3NN_PYTHON or
~/.venvs/e3nn/bin/python; without it only repalg's side runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

REPALG_WORKER = r"""
import json, sys, time
import numpy as np
import repalg
text, out = sys.argv[1], sys.argv[2]
rep = repalg.parse(text)
start = time.perf_counter()
Q = rep.equivariant_basis()
seconds = time.perf_counter() - start
if out != "-":
    np.save(out, Q.dense())
print(json.dumps({"seconds": seconds, "rank": Q.shape[1], "strategy": Q.info.strategy}))
"""

E3NN_WORKER = r"""
import json, sys, time
import numpy as np
import e3nn_jax as e3nn
k, keep, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
letters = "abcdefghijklmnopqrstuvwxyz"[:k]
start = time.perf_counter()
basis = e3nn.reduced_tensor_product_basis(letters, keep_ir=keep, **{c: "1o" for c in letters})
array = np.asarray(basis.array)
seconds = time.perf_counter() - start
rank = sum(mul for mul, ir in basis.irreps)


def cartesian_change(irrep):
    # C with D(R) = C R C^-1 for rotations R: e3nn's coordinates of 1o are C x
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(2):
        R = np.linalg.qr(rng.standard_normal((3, 3)))[0]
        R *= np.sign(np.linalg.det(R))
        D = np.asarray(e3nn.Irrep(irrep).D_from_matrix(R))
        rows.append(np.kron(D, np.eye(3)) - np.kron(np.eye(3), R.T))
    C = np.linalg.svd(np.vstack(rows))[2][-1].reshape(3, 3)
    return C / np.cbrt(np.linalg.det(C))


if out != "-":
    to_cartesian = np.linalg.inv(cartesian_change("1o"))
    pair = np.asarray(e3nn.reduced_tensor_product_basis("ab", a="1o", b="1o").array)  # (3, 3, 9): 0e+1e+2e
    pair_irreps = e3nn.reduced_tensor_product_basis("ab", a="1o", b="1o").irreps
    columns = []
    at = 0
    for mul, ir in basis.irreps:
        block = array[..., at:at + mul * ir.dim].reshape((3,) * k + (mul, ir.dim))
        at += mul * ir.dim
        if keep == "0e":
            columns.append(block[..., 0])  # (3,)*k + (mul,)
        elif keep == "1o":
            columns.append(np.moveaxis(block, -1, 0))  # (3 out,) + (3,)*k + (mul,)
        else:  # into 1o ⊗ 1o through e3nn's own basis of it
            start_ir = 0
            for m2, ir2 in pair_irreps:
                if ir2 == ir:
                    break
                start_ir += m2 * ir2.dim
            piece = pair[..., start_ir:start_ir + ir.dim]  # (3, 3, dim)
            columns.append(np.einsum("abm,...cm->ab...c", piece, block))
    outputs = {"0e": (), "1o": (3,), "0e+1e+2e": (3, 3)}[keep]
    stacked = np.concatenate(columns, axis=-1) if columns else np.zeros(outputs + (3,) * k + (0,))
    for axis in range(stacked.ndim - 1):
        stacked = np.moveaxis(np.tensordot(to_cartesian, stacked, axes=([1], [axis])), 0, axis)
    np.save(out, stacked.reshape(int(np.prod(stacked.shape[:-1])), stacked.shape[-1]))
print(json.dumps({"seconds": seconds, "rank": rank}))
"""


def _run(python: str, worker: str, args: list, env: dict) -> dict:
    done = subprocess.run([python, "-c", worker, *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=1800)
    if done.returncode:
        raise RuntimeError(f"{python} {args}: {done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _env(cache: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "REPALG_CACHE_DIR"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("JAX_PLATFORMS", "cpu")
    if cache is not None:
        env["REPALG_CACHE_DIR"] = cache
    return env


def same_span(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two bases span the same subspace: every principal angle zero."""
    if a.shape != b.shape:
        return False
    if a.shape[1] == 0:
        return True
    qa, qb = np.linalg.qr(a)[0], np.linalg.qr(b)[0]
    return bool(np.linalg.svd(qa.conj().T @ qb, compute_uv=False).min() > 1 - 1e-6)


def measure(text: str, k: int, keep: str, runs: int, e3nn: str | None, spans: bool, folder: str) -> dict:
    out = {"text": text}
    first = os.path.join(folder, "repalg.npy") if spans else "-"
    cold = [_run(sys.executable, REPALG_WORKER, [text, first if i == 0 else "-"], _env(None)) for i in range(runs)]
    cache = tempfile.mkdtemp(dir=folder)
    _run(sys.executable, REPALG_WORKER, [text, "-"], _env(cache))
    warm = [_run(sys.executable, REPALG_WORKER, [text, "-"], _env(cache)) for _ in range(runs)]
    out.update(rank=cold[0]["rank"], strategy=cold[0]["strategy"], warm_strategy=warm[0]["strategy"],
               cold=statistics.median(r["seconds"] for r in cold), warm=statistics.median(r["seconds"] for r in warm))
    if e3nn:
        theirs_file = os.path.join(folder, "e3nn.npy") if spans else "-"
        theirs = [_run(e3nn, E3NN_WORKER, [k, keep, theirs_file if i == 0 else "-"], _env(None)) for i in range(runs)]
        out.update(e3nn=statistics.median(r["seconds"] for r in theirs), e3nn_rank=theirs[0]["rank"])
        if spans:
            out["same_span"] = same_span(np.load(first), np.load(theirs_file))
    return out


def _e3nn_python(given: str | None) -> str | None:
    for candidate in (given, os.environ.get("REPALG_E3NN_PYTHON"), str(Path.home() / ".venvs/e3nn/bin/python")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _row(k: int, what: str, m: dict) -> str:
    def ms(s):
        return f"{s * 1e3:9.1f}ms"
    e3nn = m.get("e3nn")
    ratio = f"{e3nn / m['cold']:7.2f}x" if e3nn else "       -"
    ranks = f"{m['rank']}" + (f"/{m['e3nn_rank']}" if e3nn else "")
    span = {True: "same", False: "DIFFERENT", None: "-"}[m.get("same_span")]
    return (f"{k:3d} {what:9s} {ranks:>11s} {ms(m['cold'])} {ms(m['warm'])} "
            f"{ms(e3nn) if e3nn else '         -  '} {ratio} {span:>9s}  {m['strategy']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kmin", type=int, default=2)
    parser.add_argument("--kmax", type=int, default=10)
    parser.add_argument("--maps-kmax", type=int, default=8)
    parser.add_argument("--spans-kmax", type=int, default=8, help="compare spans up to this k (bases are saved)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--e3nn", help="the Python of a virtualenv with e3nn-jax")
    args = parser.parse_args(argv)
    e3nn = _e3nn_python(args.e3nn)
    print(f"repalg vs {'e3nn-jax (' + e3nn + ')' if e3nn else 'no e3nn-jax (repalg only)'}; "
          f"medians of {args.runs} fresh processes, imports excluded; ratio = e3nn / repalg cold")
    print(f"{'k':>3s} {'case':9s} {'rank r/e':>11s} {'cold':>11s} {'warm':>11s} {'e3nn':>11s} {'ratio':>8s} "
          f"{'span':>9s}  repalg rung")
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        cases = [(k, "T(k)", f"(T({k}))(O(3))", "0e") for k in range(args.kmin, args.kmax + 1)]
        cases += [(k, "T(k)>>V", f"(T({k})>>V)(O(3))", "1o") for k in range(max(args.kmin, 1), args.maps_kmax + 1)]
        cases += [(k, "T(k)>>T2", f"(T({k})>>T(2))(O(3))", "0e+1e+2e") for k in range(max(args.kmin, 1),
                                                                                     args.maps_kmax + 1)]
        for k, what, text, keep in cases:
            m = measure(text, k, keep, args.runs, e3nn, k <= args.spans_kmax, folder)
            print(_row(k, what, m), flush=True)
            failures += bool(e3nn) and (m["rank"] != m["e3nn_rank"] or m.get("same_span") is False)
    if failures:
        print(f"{failures} case(s) where the ranks or spans differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
