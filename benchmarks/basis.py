"""Equivariant-basis solve times: repalg against emlp 1.0.3, case by case.

Each case runs in a fresh process on each side, and the solve is timed after
the imports, so JIT compilation counts and no cache carries over: repalg's
workers run without a disk cache whatever the environment says
(REPALG_CACHE_DIR is removed), and an answer that came from a cache would show
"cache" as its strategy. emlp runs
live when its virtualenv is found (--emlp PYTHON, $REPALG_EMLP_PYTHON, or
~/.venvs/emlp/bin/python; see ../shared/reference/README.md); otherwise its
recorded time on this kind of machine (ranks.jsonl's emlp_seconds) stands in.

    python benchmarks/basis.py                # the cases where emlp took >= 1 s
    python benchmarks/basis.py --all          # every case of ranks.jsonl
    python benchmarks/basis.py --match 'SO\\(3\\)' --no-emlp
    python benchmarks/basis.py --previous     # also the ladder before the reduced solvers

Beyond ranks.jsonl, two large cases run by default: T(10) of SO(3) (59049,
rank 603: the Riordan number) and T(8) of O(1,3) (65536, rank 105: Brauer's
count of pairings, 7!!).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "data" / "ranks.jsonl"

# The cases where emlp takes minutes or gives up (issue 5), run by default too.
HARD = {("SO(3)", "T(8)"), ("SO(3)*S(4)", "T(4)"), ("Cube", "T(5)"), ("Z(6)", "T(5)"), ("ZksZnxZn(2,2)", "T(5)")}

# Large cases beyond the reference set (issue 6), with their known ranks.
LARGE = [{"group": "SO(3)", "rep": "T(10)", "N": 59049, "rank": 603, "source": "Riordan numbers"},
         {"group": "O(1,3)", "rep": "T(8)", "N": 65536, "rank": 105, "source": "Brauer: 7!! pairings"}]

REPALG_WORKER = r"""
import json, os, resource, sys, time
import repalg
if os.environ.get("REPALG_BENCH_PREVIOUS"):  # the ladder of issue 5: no isotypic, no invariant-theory rung
    repalg.numeric.solve.ISOTYPIC = False
    repalg.numeric.solve.BRAUER_FROM = 10**18
rep = repalg.parse(sys.argv[1])
start = time.perf_counter()
Q = rep.equivariant_basis()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rank": Q.shape[1], "strategy": Q.info.strategy,
                  "checked_by": list(Q.info.checked_by), "cache": str(repalg.numeric.cache_dir()),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

EMLP_WORKER = r"""
import json, os, resource, sys, time
os.environ.setdefault("JAX_PLATFORMS", "cpu")
from emlp.reps import V, T, Scalar
from emlp.groups import *
namespace = dict(globals())
exec("rep = " + sys.argv[1], namespace)
rep = namespace["rep"]
start = time.perf_counter()
Q = rep.equivariant_basis()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rank": int(Q.shape[-1]),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# repalg's group spellings as emlp Python (ranks.jsonl follows emlp's groups)
EMLP_GROUPS = {"O(1,3)": "O13()", "SO(1,3)": "SO13()", "SO+(1,3)": "SO13p()", "Lorentz": "Lorentz()",
               "O(1,1)": "O11()", "SO+(1,1)": "SO11p()", "O(2)eR3": "O2eR3()", "SO(2)eR3": "SO2eR3()",
               "Cube": "Cube()", "RubiksCube": "RubiksCube()"}


def emlp_source(case: dict) -> str:
    if case["group"] is None:
        return case["rep"]
    group = EMLP_GROUPS.get(case["group"])
    if group is None:
        group = re.sub(r"D\((\d+)\)eR3", r"DkeR3(\1)", case["group"])
    return f"({case['rep']})({group})"


def case_text(case: dict) -> str:
    return case["rep"] if case["group"] is None else f"({case['rep']})({case['group']})"


def run(python: str, worker: str, argument: str, timeout: float, env: dict | None = None) -> dict:
    """One worker's JSON answer, in a fresh process with no disk cache."""
    clean = {k: v for k, v in os.environ.items() if k != "REPALG_CACHE_DIR"}
    try:
        done = subprocess.run([python, "-c", worker, argument], capture_output=True, text=True, timeout=timeout,
                              cwd=ROOT, env={**clean, **(env or {})})
    except subprocess.TimeoutExpired:
        return {"error": f"no answer in {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last[:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def find_emlp(explicit: str | None) -> str | None:
    for candidate in (explicit, os.environ.get("REPALG_EMLP_PYTHON"), str(Path.home() / ".venvs/emlp/bin/python")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="every case of ranks.jsonl")
    parser.add_argument("--match", help="only cases whose text matches this regular expression")
    parser.add_argument("--emlp", help="the python of an emlp virtualenv")
    parser.add_argument("--no-emlp", action="store_true", help="do not run emlp live")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per case and side (600)")
    parser.add_argument("--reference", default=str(REFERENCE), help="ranks.jsonl")
    parser.add_argument("--json", help="also write one JSON line per case to this file")
    parser.add_argument("--previous", action="store_true",
                        help="also time the previous ladder (without the isotypic and invariant-theory rungs)")
    parser.add_argument("--no-large", action="store_true", help="leave out the large cases beyond ranks.jsonl")
    args = parser.parse_args(argv)

    cases = [json.loads(line) for line in open(args.reference) if line.strip()]
    if not args.all:
        cases = [c for c in cases if (c.get("emlp_seconds") or 0) >= 1 or (c["group"], c["rep"]) in HARD]
    if not args.no_large:
        cases += LARGE
    if args.match:
        cases = [c for c in cases if re.search(args.match, case_text(c))]
    emlp = None if args.no_emlp else find_emlp(args.emlp)
    import jax  # noqa: the device the repalg side runs on

    device = jax.devices()[0]
    print(f"repalg on {device.platform} ({device.device_kind}); emlp: {emlp or 'recorded times (ranks.jsonl)'}")
    previous_header = f" {'prev s':>9s} {'vs prev':>8s}" if args.previous else ""
    print(f"{'case':52s} {'N':>7s} {'rank':>6s} {'repalg s':>9s} {'emlp s':>9s} {'ratio':>8s}{previous_header}"
          f"  strategy / notes")
    ratios, gains, rows = [], [], []
    for case in cases:
        mine = run(sys.executable, REPALG_WORKER, case_text(case), args.timeout)
        before = (run(sys.executable, REPALG_WORKER, case_text(case), args.timeout, {"REPALG_BENCH_PREVIOUS": "1"})
                  if args.previous else {})
        theirs = run(emlp, EMLP_WORKER, emlp_source(case), args.timeout) if emlp else {}
        emlp_seconds = theirs.get("seconds", case.get("emlp_seconds"))
        notes = []
        if "error" in mine:
            notes.append(f"repalg: {mine['error']}")
        elif "rank unchecked" in mine.get("checked_by", []):
            notes.append("rank unchecked")
        elif mine["rank"] != case["rank"]:
            notes.append(f"WRONG RANK {mine['rank']}")
        if "error" in theirs:
            notes.append(f"emlp: {theirs['error']}")
        elif emlp and theirs.get("rank") != case["rank"]:
            notes.append(f"emlp rank {theirs.get('rank')}")
        if not emlp and case.get("emlp_note"):
            notes.append(f"emlp: {case['emlp_note']}")
        ratio = None
        if "seconds" in mine and emlp_seconds:
            ratio = emlp_seconds / mine["seconds"]
            ratios.append(ratio)
        gain = None
        if "seconds" in mine and "seconds" in before:
            gain = before["seconds"] / mine["seconds"]
            gains.append(gain)
        if "error" in before:
            notes.append(f"previous: {before['error']}")
        previous_cells = ""
        if args.previous:
            previous_cells = (f" {before.get('seconds', float('nan')):9.3f} "
                              f"{(f'{gain:.1f}x' if gain else '-'):>8s}")
        rows.append({"case": case_text(case), "N": case["N"], "rank": case["rank"], "repalg": mine,
                     "emlp": theirs or {"recorded_seconds": case.get("emlp_seconds")}, "ratio": ratio,
                     "previous": before or None})
        print(f"{case_text(case):52s} {case['N']:7d} {case['rank']:6d} "
              f"{mine.get('seconds', float('nan')):9.3f} {emlp_seconds or float('nan'):9.2f} "
              f"{(f'{ratio:.1f}x' if ratio else '-'):>8s}{previous_cells}  {mine.get('strategy', '')}"
              f"{' ' + str(round(mine['peak_mib'])) + ' MiB' if 'peak_mib' in mine else ''}"
              f"{'; ' + '; '.join(notes) if notes else ''}", flush=True)
    if ratios:
        print(f"\n{len(ratios)} cases with both times: median speed-up {statistics.median(ratios):.1f}x, "
              f"worst {min(ratios):.2f}x, best {max(ratios):.0f}x")
    if gains:
        print(f"{len(gains)} cases against the previous ladder: median {statistics.median(gains):.2f}x, "
              f"worst {min(gains):.2f}x, best {max(gains):.0f}x")
    if args.json:
        with open(args.json, "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
