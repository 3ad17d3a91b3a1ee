"""The equivariant projector at the sizes EMLP layers use.

For W = (100*Scalar+30*V+10*V**2)(O(3)), the linear maps W >> W have 78,400
coordinates. This builds their projector in a fresh process (nothing cached)
and times applying it, beside a dense matrix-vector product with W's own
280 × 280 weight matrix (what the layer computes with the projected weights)
and a dense product of the same 78,400 numbers as a 280 × 280 matrix.

    python benchmarks/projector.py [--rep "100*Scalar+30*V+10*V**2"] [--group "O(3)"]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import statistics, sys, time
import numpy as np
import repalg
W = repalg.parse(sys.argv[1])(repalg.group(sys.argv[2]))
start = time.perf_counter()
P = (W >> W).equivariant_projector()
build = time.perf_counter() - start
n = W.size()
rng = np.random.default_rng(0)
theta = rng.normal(size=n * n)
weights, x = rng.normal(size=(n, n)), rng.normal(size=n)

def median_time(f, repeat=50):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)

apply = median_time(lambda: P @ theta)
matvec = median_time(lambda: weights @ x)
batch = median_time(lambda: weights @ rng.normal(size=(n, 32)))
print(f"{n * n} {build} {apply} {matvec} {batch} {P.basis.shape[1]} {P.basis.sparse().nnz}")
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rep", default="100*Scalar+30*V+10*V**2")
    parser.add_argument("--group", default="O(3)")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes (5)")
    args = parser.parse_args(argv)
    rows = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", WORKER, args.rep, args.group], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout.split()
        rows.append([float(v) for v in out])
    size, _, _, _, _, rank, nnz = rows[0]
    build, apply, matvec, batch = (statistics.median(r[i] for r in rows) for i in (1, 2, 3, 4))
    print(f"W = ({args.rep})({args.group}); W >> W: size {int(size)}, rank {int(rank)}, "
          f"basis nonzeros {int(nnz)}")
    print(f"build the projector (fresh process, median of {args.runs}): {build:.3f} s")
    print(f"apply it once:                     {apply * 1e6:8.1f} µs")
    print(f"dense W-sized matvec (n×n @ n):    {matvec * 1e6:8.1f} µs  -> projector = {apply / matvec:.1f} matvecs")
    print(f"dense W-sized matmat (n×n @ n×32): {batch * 1e6:8.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
