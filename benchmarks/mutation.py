"""Mutation testing of the models half: how many wrong changes to the code its
tests catch.

For each module of ``MODULES`` it lists every mutant mutmut's engine makes of
the module's source (an operator, a number, a keyword, a string changed; an
assignment dropped), draws a seeded random sample (``--per-module``, default
30; for ``train.py`` only mutants inside the functions named there, its
update and checkpoint code), and runs the module's own tests against each
mutant in a copy of the repository: a mutant is *killed* when a test fails,
*survives* when they all pass, and *times out* past ``--timeout`` (counted
as killed, as mutmut counts it). Results go to a JSON-lines file, one line a
mutant, so an interrupted run resumes where it stopped; the summary table
prints the kill rate per module, and ``--survivors`` lists the surviving
changes to review (each is either equivalent, no change of behaviour, or a
gap in the tests).

Before the mutants, one run of all the modules' tests under coverage, with
pytest-cov's per-test contexts, records which tests execute each line; a
mutant then runs only the module's tests that execute its line (and the
whole of the module's tests when the line runs at import, is reached only in
a subprocess, or the selection finds no test), which makes a mutant cost
seconds instead of minutes. A test that reaches a line only through a
subprocess is not credited with it where another test reaches it in
process, so the kill rate is a lower bound.

    python -m pip install -e '.[test,mutation]'   # the tests, mutmut's engine (2.x) and pytest-cov
    python benchmarks/mutation.py --out runs/mutation/after.jsonl              # about an hour on 2 cores
    python benchmarks/mutation.py --out runs/mutation/after.jsonl --survivors  # what survived, and the table
    python benchmarks/mutation.py --out runs/mutation/after.jsonl --again      # the survivors, after new tests
    python benchmarks/mutation.py --listed        # issue 31's wrong changes against the default run

``--tree`` points at another checkout (the code before a change), so that
the same command measures "before" and "after". Each mutant runs in a fresh
process (``pytest -x -n 0``: the default run's tests, ``-m "not slow"``, in
one process) with JAX's persistent compilation cache and repalg's disk cache
of solved bases in shared folders (most programs a mutant compiles, and
every basis it solves, are the last mutant's), XLA at the tests' backend
optimization level 0 whatever the tree's conftest says, and one thread per
job. ``--jobs`` runs mutants side by side, one copy of the tree each.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

MODULES = {
    # module: (the tests that exercise it, the functions to mutate (None: the whole module), a -k expression)
    "repalg/models/layers.py": (["tests/models/test_emlp_reference.py", "tests/models/test_init.py",
                                 "tests/models/test_models.py"], None, None),
    "repalg/models/emlp.py": (["tests/models/test_emlp_reference.py", "tests/models/test_models.py"], None, None),
    "repalg/models/scalars.py": (["tests/models/test_models.py"], None, None),
    "repalg/models/mlp.py": (["tests/models/test_init.py", "tests/models/test_models.py",
                              "tests/models/training", "tests/models/sweep"], None, None),
    "repalg/models/standardize.py": (["tests/models/test_emlp_reference.py", "tests/models/training"], None,
                                     None),
    "repalg/models/bilinear.py": (["tests/models/test_emlp_reference.py", "tests/models/test_models.py"], None, None),
    "repalg/models/datasets/regression.py": (["tests/models/test_datasets.py", "tests/models/test_emlp_reference.py"],
                                             None, None),
    "repalg/models/datasets/cubes.py": (["tests/models/test_datasets.py"], None, None),
    "repalg/models/datasets/augment.py": (["tests/models/test_datasets.py", "tests/models/sweep"], None,
                                          "not sweep or augment"),
    "repalg/models/datasets/pendulum.py": (["tests/models/test_dynamics.py", "tests/models/test_emlp_reference.py"],
                                           None, None),
    "repalg/models/datasets/points.py": (["tests/models/lieconv/test_tasks.py",
                                          "tests/models/lieconv/test_reference.py"], None, None),
    "repalg/models/dynamics.py": (["tests/models/test_dynamics.py"], None, None),
    "repalg/models/lieconv/lie_groups.py": (["tests/models/lieconv/test_lie_groups.py", "tests/models/lieconv/test_reference.py"],
                                        None, None),
    "repalg/models/lieconv/maps.py": (["tests/models/lieconv/test_maps.py", "tests/models/lieconv/test_reference.py"],
                                      None, None),
    "repalg/models/lieconv/nn.py": (["tests/models/lieconv/test_nn.py"], None, None),
    "repalg/models/lieconv/models.py": (["tests/models/lieconv/test_models.py", "tests/models/lieconv/test_tasks.py"], None,
                                        None),
    "repalg/models/training/step.py": (["tests/models/training"], ["init_state", "make_update", "epoch_batches",
                                                                   "padded_batch"], None),
    "repalg/models/training/checkpoint.py": (["tests/models/training", "tests/models/test_format1_runs.py"], None, None),
    "repalg/models/fingerprints.py": (["tests/models/test_fingerprints.py", "tests/models/training"], None, None),
}
"""Each module's tests are run with the module's own doctests (``--doctest-modules`` on it)."""

LISTED = {
    # the wrong changes of issue 31, each run alone against the default run of tests/models and repalg/models
    "the EMLP block without its BiLinear":
        ("repalg/models/emlp.py", "preact = BiLinear(self.gated, self.gated)(lin) + lin", "preact = lin"),
    "the gated nonlinearity without its gate":
        ("repalg/models/layers.py", "return jax.nn.sigmoid(values[..., self.indices]) * values[..., :self.rep.size()]",
         "return values[..., :self.rep.size()]"),
    "Linear's initial scale multiplied by 3":
        ("repalg/models/layers.py", "return self.Qw.T @ w.reshape(-1)", "return 3 * self.Qw.T @ w.reshape(-1)"),
    "the bilinear layer's 0.1 factor made 1.0":
        ("repalg/models/layers.py", "return 0.1 * self.product(w, x)", "return 1.0 * self.product(w, x)"),
    "the scalar model's V⊗V output without its metric term":
        ("repalg/models/scalars.py", "(outer + c[..., -1:, None] * self.eta_inv).reshape(", "(outer).reshape("),
}
"""``--listed``: each ``(module, text, replacement)``; the text occurs once in the module."""


def run_listed(tree: Path, env: dict) -> int:
    """Each change of ``LISTED`` alone, in a copy of ``tree``, against the
    default run of ``tests/models`` and ``repalg/models`` (the layers' test
    files first, stopping at the third failure): the tests that fail, or
    that none does."""
    work = copy_tree(tree, Path(tempfile.mkdtemp(prefix="repalg-listed-")) / "tree")
    missed = 0
    for name, (module, text, replacement) in LISTED.items():
        original = (work / module).read_text()
        if original.count(text) != 1:
            raise SystemExit(f"{module} no longer holds {text!r} once: update LISTED")
        (work / module).write_text(original.replace(text, replacement))
        start = time.perf_counter()
        try:
            first = [t for t in ("tests/models/test_emlp_reference.py", "tests/models/test_init.py",
                                 "tests/models/test_models.py") if (work / t).exists()]  # the layers' tests first
            done = subprocess.run([*PYTEST, "-n", "2", "--maxfail=3", *first, "tests/models", "repalg/models"],
                                  cwd=work, env=dict(env, PYTHONPATH=str(work)), capture_output=True, text=True)
        finally:
            (work / module).write_text(original)
        failed = failed_tests(done.stdout)
        missed += not failed
        print(f"{name}: {'caught by ' + ', '.join(failed) if failed else 'NOT CAUGHT'} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    shutil.rmtree(work.parent, ignore_errors=True)
    return 1 if missed else 0


def mutants(source: str, filename: str, functions=None) -> list:
    """Every mutation mutmut's engine makes of ``source``: ``(id, line
    number, original line, mutated line)``, only inside ``functions`` when
    given (top-level functions and methods, by name)."""
    import mutmut

    ids = mutmut.list_mutations(mutmut.Context(source=source, filename=filename))
    if functions is not None:
        spans = [(node.lineno, node.end_lineno) for node in ast.walk(ast.parse(source))
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in functions]
        ids = [i for i in ids if any(a <= i.line_number + 1 <= b for a, b in spans)]
    return ids


def mutated(source: str, filename: str, mutation_id) -> tuple[str, str, str]:
    """The mutated source, and the changed line before and after."""
    import mutmut

    out, _ = mutmut.mutate(mutmut.Context(source=source, mutation_id=mutation_id, filename=filename))
    diff = list(difflib.unified_diff(source.splitlines(), out.splitlines(), lineterm="", n=0))[2:]  # no headers
    before = [line[1:] for line in diff if line.startswith("-")]
    after = [line[1:] for line in diff if line.startswith("+")]
    return out, " / ".join(s.strip() for s in before), " / ".join(s.strip() for s in after)


def key(module: str, mutation_id) -> str:
    return f"{module}:{mutation_id.line_number + 1}:{mutation_id.index}:{mutation_id.line.strip()}"


def plan(tree: Path, modules: list, per_module: int, seed: int) -> list:
    """The sampled mutants: ``(module, mutation id)``, the first
    ``per_module`` of a seeded shuffle of each module's (a smaller sample is
    a part of a larger one), taken from the modules in turn (a run stopped
    early has about as many of each)."""
    shuffled = []
    for module in modules:
        ids = mutants((tree / module).read_text(), module, MODULES[module][1])
        shuffled.append([(module, i) for i in random.Random(f"{seed}:{module}").sample(ids, len(ids))[:per_module]])
    return [item for turn in itertools.zip_longest(*shuffled) for item in turn if item is not None]


def copy_tree(tree: Path, into: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", "runs", "__pycache__", "*.egg-info", ".pytest_cache", "build", "mutation")
    shutil.copytree(tree, into, ignore=ignore, dirs_exist_ok=True)
    return into


PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow", "--doctest-modules"]


def module_tests(tree: Path, module: str) -> list:
    """The pytest arguments that run ``module``'s tests and doctests."""
    tests, _, selection = MODULES[module]
    return [*[t for t in tests if (tree / t).exists()], module, *(["-k", selection] if selection else [])]


def record_coverage(tree: Path, modules: list, data_file: Path, env: dict) -> None:
    """Run every module's tests once under coverage, each line tagged with
    the tests that execute it."""
    tests = sorted({t for m in modules for t in MODULES[m][0] if (tree / t).exists()})
    command = [*PYTEST, "-n", "2", "--cov=repalg", "--cov-context=test", "--cov-report=", *tests, *modules]
    done = subprocess.run(command, cwd=tree, env=dict(env, COVERAGE_FILE=str(data_file)), capture_output=True,
                          text=True)
    if done.returncode != 0 or not data_file.exists():  # a mutant "killed" by a test that fails anyway means nothing
        raise SystemExit(f"the tests fail without a mutant (or wrote no coverage):\n{done.stdout[-3000:]}\n"
                         f"{done.stderr[-3000:]}")


def tests_by_line(data_file: Path, module: str) -> dict:
    """``{line: set of test ids}`` for ``module`` (an empty id: the line
    runs outside any test, at import)."""
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    measured = next((f for f in data.measured_files() if Path(f).as_posix().endswith("/" + module)), None)
    if measured is None:
        return {}
    return {line: {c.split("|")[0] for c in contexts}
            for line, contexts in data.contexts_by_lineno(measured).items()}


def selected(tree: Path, module: str, line: int, lines: dict) -> list:
    """The pytest arguments for a mutant on ``line``: the module's tests that
    execute it, or all of them."""
    tests, _, selection = MODULES[module]
    ids = lines.get(line, set())
    mine = sorted(i for i in ids if i.split("::")[0] in {*tests, module})
    if not mine or "" in ids:
        return module_tests(tree, module)
    return [*mine, *(["-k", selection] if selection else [])]


def pytest_verdict(work: Path, arguments: list, timeout: float, env: dict) -> tuple[str, str]:
    """``(status, the first failing test)`` of one pytest run."""
    try:
        done = subprocess.run([*PYTEST, "-x", "-n", "0", *arguments], cwd=work, env=env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    if done.returncode == 0:
        return "survived", ""
    if done.returncode == 5:
        return "none-selected", ""
    tail = done.stdout.strip().splitlines()[-1:]
    return "killed", next(iter(failed_tests(done.stdout, ("FAILED", "ERROR"))), tail[0] if tail else "")


def failed_tests(stdout: str, kinds=("FAILED",)) -> list:
    """The test ids of pytest's short summary lines of ``kinds``."""
    return [line.split(" - ")[0].split(" ", 1)[1] for line in stdout.splitlines() if line.startswith(kinds)]


def run_one(work: Path, module: str, mutation_id, lines: dict, timeout: float, env: dict) -> dict:
    original = (work / module).read_text()
    source, before, after = mutated(original, module, mutation_id)
    (work / module).write_text(source)
    line = mutation_id.line_number + 1
    start = time.perf_counter()
    try:
        chosen = selected(work, module, line, lines)
        status, failing = pytest_verdict(work, chosen, timeout, env)
        if status == "none-selected":
            status, failing = pytest_verdict(work, module_tests(work, module), timeout, env)
    finally:
        (work / module).write_text(original)
    return {"key": key(module, mutation_id), "module": module, "line": line, "before": before, "after": after,
            "status": status, "caught_by": failing, "seconds": round(time.perf_counter() - start, 1)}


def summary(results: list) -> str:
    rows = ["module                                   mutants  killed  timeout  survived  kill rate"]
    for module in MODULES:
        mine = [r for r in results if r["module"] == module]
        if not mine:
            continue
        killed = sum(r["status"] == "killed" for r in mine)
        timeouts = sum(r["status"] == "timeout" for r in mine)
        survived = sum(r["status"] == "survived" for r in mine)
        rows.append(f"{module:40s} {len(mine):7d} {killed:7d} {timeouts:8d} {survived:9d} "
                    f"{(killed + timeouts) / len(mine):9.0%}")
    total = len(results)
    caught = sum(r["status"] != "survived" for r in results)
    rows.append(f"{'all':40s} {total:7d} {'':7s} {'':8s} {total - caught:9d} {caught / max(total, 1):9.0%}")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the checkout to mutate (default: this one)")
    parser.add_argument("--out", type=Path, help="the JSON-lines results file (resumed if present)")
    parser.add_argument("--modules", nargs="*", default=list(MODULES), help="a subset of MODULES")
    parser.add_argument("--per-module", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a mutant's tests may take")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants and stop")
    parser.add_argument("--listed", action="store_true",
                        help="run the wrong changes of LISTED instead, each against the default run, and stop")
    parser.add_argument("--again", action="store_true",
                        help="run the survivors of --out again (after a test is added), keeping the others")
    args = parser.parse_args(argv)

    env = dict(os.environ, JAX_PLATFORMS="cpu", XLA_FLAGS="--xla_backend_optimization_level=0")
    if args.listed:
        return run_listed(args.tree, env)
    if args.out is None:
        parser.error("--out is required (or --listed)")
    done = {}
    if args.out.exists():
        for line in args.out.read_text().splitlines():
            record = json.loads(line)
            done[record["key"]] = record
    if args.survivors:  # of the current sample: a record of code changed since is left out
        current = [done[key(m, i)] for m, i in plan(args.tree, args.modules, args.per_module, args.seed)
                   if key(m, i) in done]
        for r in current:
            if r["status"] == "survived":
                print(f"{r['module']}:{r['line']}\n    - {r['before']}\n    + {r['after']}")
        print(summary(current))
        return 0

    coverage_file = args.out.with_suffix(".coverage").resolve()
    if args.again:  # the tests changed: which of them run each line is recorded again
        done = {k: r for k, r in done.items() if r["status"] != "survived" or r["module"] not in args.modules}
        args.out.write_text("".join(json.dumps(r) + "\n" for r in done.values()))
        coverage_file.unlink(missing_ok=True)
    todo = [(m, i) for m, i in plan(args.tree, args.modules, args.per_module, args.seed) if key(m, i) not in done]
    print(f"{len(todo)} mutants to run ({len(done)} done before) in {args.jobs} copies of {args.tree}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="repalg-mutation-"))
    env.update(JAX_COMPILATION_CACHE_DIR=str(scratch / "jax-cache"), JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0.1",
               REPALG_CACHE_DIR=str(scratch / "bases"),
               XLA_FLAGS="--xla_backend_optimization_level=0 --xla_cpu_multi_thread_eigen=false")
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # the jobs share the cores
        env[name] = str(max(1, (os.cpu_count() or 1) // args.jobs))
    copies = [copy_tree(args.tree, scratch / f"tree{j}") for j in range(args.jobs)]
    free = list(copies)
    if todo and not coverage_file.exists():
        print("recording which tests run each line ...", flush=True)
        record_coverage(copies[0], args.modules, coverage_file, dict(env, PYTHONPATH=str(copies[0])))
    lines = {m: tests_by_line(coverage_file, m) for m in args.modules}

    def work(item):
        tree = free.pop()
        try:
            module, mutation_id = item
            return run_one(tree, module, mutation_id, lines[module], args.timeout, dict(env, PYTHONPATH=str(tree)))
        finally:
            free.append(tree)

    with ThreadPoolExecutor(args.jobs) as pool, open(args.out, "a") as out:
        for n, future in enumerate(as_completed([pool.submit(work, item) for item in todo]), 1):
            record = future.result()
            out.write(json.dumps(record) + "\n")
            out.flush()
            done[record["key"]] = record
            print(f"[{n}/{len(todo)}] {record['status']:8s} {record['seconds']:6.1f} s  {record['module']}:"
                  f"{record['line']}  {record['after'][:70]}", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    print(summary([done[key(m, i)] for m, i in plan(args.tree, args.modules, args.per_module, args.seed)
                   if key(m, i) in done]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
