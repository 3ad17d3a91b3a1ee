"""What the checks on every answer cost: for each case of ranks.jsonl, the
time spent in ``repalg.numeric.check.verify`` (rank, orthonormality,
equivariance) against the rest of the solve, in one process with the memory
cache cleared before each solve and no disk cache; each case is solved
``--repeat`` times and the medians are compared (millisecond solves are noisy).

    python benchmarks/checks.py               # every case of ranks.jsonl
    python benchmarks/checks.py --match 'O\\(3\\)'

Prints each case's solve and check times, then the median and worst overhead
(check time over solve time without it).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import repalg  # noqa: E402
from repalg.numeric import check, solve  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--match", help="only cases whose text matches this regular expression")
    parser.add_argument("--reference", default=str(ROOT / "tests" / "data" / "ranks.jsonl"))
    parser.add_argument("--repeat", type=int, default=3, help="solves per case; medians are shown (3)")
    parser.add_argument("--largest", type=int, default=10**6, help="skip cases larger than this (default 10**6)")
    args = parser.parse_args(argv)
    repalg.set_cache_dir(None)
    spent = [0.0]
    real = check.verify

    def timed(*a, **k):
        start = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            spent[0] += time.perf_counter() - start

    solve.check.verify = timed
    repalg.parse("T(2)(SO(3))").equivariant_basis()  # imports and first compilations
    cases = [json.loads(line) for line in open(args.reference) if line.strip()]
    rows = []
    print(f"{'case':44s} {'N':>7s} {'solve s':>9s} {'checks s':>9s} {'overhead':>9s}  checked_by")
    for case in cases:
        text = case["rep"] if case["group"] is None else f"({case['rep']})({case['group']})"
        if case["N"] > args.largest or (args.match and not re.search(args.match, text)):
            continue
        owns, checks = [], []
        try:
            for _ in range(args.repeat):
                repalg.clear_cache()
                gc.collect()  # the previous case's garbage is not this one's cost
                spent[0] = 0.0
                start = time.perf_counter()
                Q = repalg.parse(text).equivariant_basis()
                owns.append(max(time.perf_counter() - start - spent[0], 1e-9))
                checks.append(spent[0])
        except (repalg.SolveError, repalg.TooLargeError) as error:
            print(f"{text:44s} {case['N']:7d} {type(error).__name__}")
            continue
        own, spent_median = statistics.median(owns), statistics.median(checks)
        rows.append((spent_median / own, text))
        print(f"{text:44s} {case['N']:7d} {own:9.4f} {spent_median:9.4f} {spent_median / own:8.1%}  "
              f"{'+'.join(Q.info.checked_by)}", flush=True)
    if rows:
        ratios = sorted(rows)
        print(f"\n{len(rows)} cases: median overhead {statistics.median(r for r, _ in rows):.1%}, "
              f"worst {ratios[-1][0]:.1%} ({ratios[-1][1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
