"""The classical groups as n grows: ``V``, ``T(2)``, ``V>>V`` and ``T(3)`` of
``O(n)``, ``SO(n)``, ``Sp(n)`` (on ℝ^2n), ``SU(n)``, ``U(n)`` and ``SL(n)``,
each solved in a fresh process with no disk cache, timed after the imports,
beside its predicted rank (characters where the group has them, the first
fundamental theorem beyond) and the rung that answered.

    python benchmarks/scaling.py                       # n = 10, 20, 40, 82, 100
    python benchmarks/scaling.py --n 100 --runs 3

emlp 1.0.3 on this kind of machine, for comparison: V of O(40) 50 s, T(2) of
O(20) 74 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from repalg import parse  # noqa: E402

WORKER = r"""
import json, sys, time
import repalg
rep = repalg.parse(sys.argv[1])
start = time.perf_counter()
Q = rep.equivariant_basis()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rank": Q.shape[1], "predicted": rep.predicted_rank(),
                  "strategy": Q.info.strategy, "checked_by": list(Q.info.checked_by)}))
"""

GROUPS = ["O({n})", "SO({n})", "Sp({n})", "SU({n})", "U({n})", "SL({n})"]
SHAPES = ["V", "T(2)", "V>>V", "T(3)"]


def solve(text: str, runs: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "REPALG_CACHE_DIR"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", WORKER, text], capture_output=True, text=True, env=env,
                              timeout=600)
        if done.returncode:
            return {"error": done.stderr.strip().splitlines()[-1]}
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = results[0]
    out["seconds"] = statistics.median(r["seconds"] for r in results)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[10, 20, 40, 82, 100])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"fresh process per case, no disk cache, median of {args.runs}; Sp(n) acts on R^2n")
    print(f"{'case':22s} {'size':>9s} {'rank':>5s} {'predicted':>9s} {'seconds':>9s}  rung, checks")
    slow = 0
    for n in args.n:
        for pattern in GROUPS:
            for shape in SHAPES:
                text = f"({shape})({pattern.format(n=n)})"
                r = solve(text, args.runs)
                if "error" in r:
                    print(f"{text:22s} {r['error']}", flush=True)
                    slow += 1
                    continue
                size = parse(text).size()
                slow += r["seconds"] >= 1.0 or r["predicted"] != r["rank"]
                print(f"{text:22s} {size:9d} {r['rank']:5d} {str(r['predicted']):>9s} {r['seconds']:9.4f}  "
                      f"{r['strategy']}: {', '.join(r['checked_by'])}", flush=True)
    if slow:
        print(f"{slow} case(s) over a second, refused, or off their predicted rank")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
