"""Random representation texts over every built-in group, pushed through the
whole pipeline: parse, size, predicted rank, equivariant basis (when the size
is moderate), decompose. Each step answers, or refuses with ParseError,
SolveError or TooLargeError and a message; none takes longer than
``SECONDS`` without being refused; a basis has the rank its characters
predict, and a decomposition the representation's size.

The default run checks a small seeded sample; ``-m slow`` a larger one. For
a large hunt, with each case in a worker process under a time limit::

    python -m tests.test_pipeline_fuzz --count 3000 --seed 1 > found.jsonl
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sys
import time
import traceback

import pytest

import repalg
from repalg import ParseError, SolveError, TooLargeError

SECONDS = 20.0
"""The longest any step of one text may take."""

BASIS_UP_TO = 50_000
"""Equivariant bases are asked for representations up to this size."""

ALLOWED = (ParseError, SolveError, TooLargeError)

# groups: (text, size of its base representation is small) -----------------------------

SMALL_GROUPS = [
    "SO({n})", "O({n})", "SU({n})", "U({n})", "SL({n})", "GL({n})", "Sp({m})", "Scaling({n})", "Trivial({n})",
    "O({p},{q})", "SO({p},{q})", "SO+({p},{q})", "C({k})", "D({k})", "Z({k})", "S({n})", "ZksZnxZn({a},{b})",
    "Lorentz", "O13", "SO13", "SO13p", "O11", "SO11p", "Cube", "RubiksCube", "SO(2)eR3", "O(2)eR3", "D({k})eR3",
]
LARGE_GROUPS = ["SO(82)", "O(82)", "O(100)", "Sp(50)", "SU(100)", "SL(921)", "GL(40)", "Z(1000)", "S(40)", "SO(1,99)"]
BAD_GROUPS = ["SO(0)", "S(2.5)", "Z(-1)", "Foo(3)", "O(1,2,3)", "SO+(3)", "D(0)eR3", "Cube(2)"]


def random_group(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.04:
        return rng.choice(BAD_GROUPS)
    if roll < 0.09:
        return rng.choice(LARGE_GROUPS)
    if roll < 0.17:
        return rng.choice([" x ", "*", "x"]).join(_one_group(rng) for _ in range(rng.choice([2, 2, 3])))
    return _one_group(rng)


def _one_group(rng: random.Random) -> str:
    return rng.choice(SMALL_GROUPS).format(n=rng.choice([1, 2, 2, 3, 3, 4, 5]), m=rng.choice([1, 1, 2, 3]),
                                           p=rng.choice([1, 1, 2]), q=rng.choice([1, 2, 3]),
                                           k=rng.choice([1, 2, 3, 4, 6, 8]), a=rng.choice([2, 4]),
                                           b=rng.choice([2, 3]))


JUNK_LABELS = ["-1", "7", "(1,1)", "(1,-1)", "(2,1,1)", "((1,),0)", "(0,0)", "(1,2)"]


def _label(rng: random.Random, group: str) -> str:
    """A label that fits the group now and then, and one that does not now and then."""
    if rng.random() < 0.2:
        return rng.choice(JUNK_LABELS)
    if group.startswith(("SO(3)", "SO(2)", "C(", "Z(", "D(", "Scaling")) or group in ("SO(2)eR3",):
        return str(rng.choice([0, 1, 2, 3]))
    if group.startswith("O(") and "," not in group:
        return f"({rng.choice([0, 1, 2])},{rng.choice([1, -1])})"
    if group.startswith("S("):
        return rng.choice(["(1,)", "(2,)", "(1,1)", "(2,1)", "(3,)", "(2,2)", "(3,1)"])
    n = rng.choice([1, 2, 3])
    return "(" + ",".join(str(rng.choice([0, 0, 1, 2])) for _ in range(n)) + ")"


def _atom(rng: random.Random, group: str) -> str:
    roll = rng.random()
    if roll < 0.4:
        return "V"
    if roll < 0.62:
        p, q = rng.choice([0, 1, 1, 2, 3]), rng.choice([0, 0, 1, 2])
        return f"T({p})" if q == 0 and rng.random() < 0.5 else f"T({p},{q})"
    if roll < 0.68:
        return "Scalar"
    if roll < 0.76:
        return str(rng.choice([0, 1, 2, 3]))
    if roll < 0.92:
        return f"Irrep({group},{_label(rng, group)})"
    other = random_group(rng)
    return f"Irrep({other},{_label(rng, other)})" if rng.random() < 0.5 else f"V({other})"


def random_rep(rng: random.Random, group: str, depth: int = 0) -> str:
    """A representation text to be bound to ``group`` as a whole; it may hold
    atoms bound to other groups (``V(G)``, ``Irrep(G, label)``)."""
    if depth >= 3 or rng.random() < 0.3:
        return _atom(rng, group)
    kind = rng.randrange(7)
    a = random_rep(rng, group, depth + 1)
    if kind == 0:
        return f"{a}+{random_rep(rng, group, depth + 1)}"
    if kind == 1:
        return f"({a})*({random_rep(rng, group, depth + 1)})"
    if kind == 2:
        return f"{rng.choice([1, 2, 3, 5])}*({a})"
    if kind == 3:
        return f"({a})**{rng.choice([0, 1, 2, 2, 3])}"
    if kind == 4:
        return f"({a}).T"
    return f"({a}){'>>' if kind == 5 else '<<'}({random_rep(rng, group, depth + 1)})"


def random_text(rng: random.Random) -> str:
    """A representation bound to a group, or a mix of pieces bound to
    different groups, or (rarely) unbound; now and then garbled."""
    roll = rng.random()
    if roll < 0.7:
        g = random_group(rng)
        text = f"({random_rep(rng, g)})({g})"
    elif roll < 0.95:
        pieces = []
        for _ in range(rng.choice([2, 2, 3])):
            g = random_group(rng)
            pieces.append(f"({random_rep(rng, g, depth=1)})({g})")
        text = "".join(p + rng.choice(["+", "*", ">>", "*"]) for p in pieces[:-1]) + pieces[-1]
    else:
        text = random_rep(rng, "SO(3)")
    return _garble(text, rng) if rng.random() < 0.08 else text


def _garble(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(chars) + 1)
        kind = rng.randrange(3)
        if kind == 0 and chars:
            del chars[min(at, len(chars) - 1)]
        elif kind == 1:
            chars[at:at] = list(rng.choice(["(", ")", "*", "**", "+", ",", "V", "9", ".T", ">>", "x", "-1"]))
        else:
            chars = chars[:at] + chars[at:][::-1] if rng.random() < 0.3 else chars[:at]
    return "".join(chars)


# one case through the pipeline --------------------------------------------------------------

class Slow(Exception):
    """A step ran past its time."""


def _alarm(signum, frame):
    raise Slow(f"over {SECONDS:.0f} s")


def run(text: str) -> dict:
    """The record of ``text`` through the pipeline: each step's answer or
    refusal and its time, and ``problem`` (None when all is well)."""
    record = {"text": text, "steps": {}, "problem": None}
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        rep = _step(record, "parse", lambda: repalg.parse(text))
        # an expression bound to no group has no size: a ValueError that says so is its contract
        unbound = (ValueError,) if rep is not None and any(a.group is None for a in rep.atoms()) else ()
        size = _step(record, "size", rep.size, unbound) if rep is not None else None
        if unbound and size is not None and record["problem"] is None:
            record["problem"] = "an unbound expression has a size"
        if size is not None:
            predicted = _step(record, "predicted_rank", rep.predicted_rank)
            rank = None
            if size <= BASIS_UP_TO:
                basis = _step(record, "equivariant_basis", rep.equivariant_basis)
                rank = None if basis is None else basis.shape[1]
                if basis is not None and basis.shape[0] != size and record["problem"] is None:
                    record["problem"] = f"basis of {basis.shape[0]} rows for size {size}"
            decomposition = _step(record, "decompose", rep.decompose)
            if decomposition is not None and decomposition.dim() != size and record["problem"] is None:
                record["problem"] = f"decomposition of dimension {decomposition.dim()} for size {size}"
            if rank is not None and predicted is not None and rank != predicted and record["problem"] is None:
                record["problem"] = f"rank {rank}, predicted {predicted}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return record


def _step(record: dict, name: str, work, also: tuple = ()):
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        value = work()
        outcome = "ok"
    except ALLOWED + also as error:
        value, outcome = None, type(error).__name__
        if not str(error).strip() and record["problem"] is None:
            record["problem"] = f"{name}: {outcome} without a message"
    except (Slow, Exception) as error:
        value, outcome = None, type(error).__name__
        if record["problem"] is None:
            where = traceback.extract_tb(error.__traceback__)[-1]
            record["problem"] = f"{name}: {outcome}: {str(error)[:300]} ({where.filename}:{where.lineno})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - start
    record["steps"][name] = [outcome, round(seconds, 3)]
    if seconds > SECONDS and record["problem"] is None:
        record["problem"] = f"{name}: took {seconds:.1f} s"
    return value


def texts(seed: int, count: int) -> list:
    rng = random.Random(seed)
    return [random_text(rng) for _ in range(count)]


# the tests -----------------------------------------------------------------------------------

SMOKE = texts(20261202, 60)


def _check(cases):
    repalg.set_cache_dir(None)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = contextlib.nullcontext
    with threadpool_limits(1):  # as in the workers of main()
        problems = [record for record in map(run, cases) if record["problem"]]
    assert not problems, "\n".join(f"{r['text']!r}: {r['problem']}" for r in problems)


def test_random_texts_through_the_pipeline():
    _check(SMOKE)


@pytest.mark.slow
def test_many_random_texts_through_the_pipeline():
    _check(texts(7, 1500))


def test_the_generator_is_deterministic_and_varied():
    assert texts(20261202, 60) == SMOKE
    joined = " ".join(SMOKE)
    for piece in ["Irrep(", ">>", "<<", ".T", "**", "Cube", "SO(", "S(", "Z(", "Scalar", "T("]:
        assert piece in joined, piece


def test_a_long_step_is_reported():
    # the harness itself: a step past its time is cut and named
    record = {"text": "", "steps": {}, "problem": None}
    old = globals()["SECONDS"]
    try:
        globals()["SECONDS"] = 0.2
        signal.signal(signal.SIGALRM, _alarm)
        _step(record, "sleep", lambda: time.sleep(5))
    finally:
        globals()["SECONDS"] = old
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    assert record["steps"]["sleep"][0] == "Slow" and "sleep: Slow" in record["problem"]


# a large hunt, one worker process per batch --------------------------------------------------

def _worker(batch: list) -> None:
    for text in batch:
        print(json.dumps({"start": text}), flush=True)
        print(json.dumps(run(text)), flush=True)


def main(argv=None) -> None:
    import queue
    import subprocess
    import threading

    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--count", type=int, default=1000)
    options.add_argument("--seed", type=int, default=1)
    options.add_argument("--batch", type=int, default=50)
    options.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = options.parse_args(argv)
    if args.worker:
        _worker(json.loads(sys.stdin.read()))
        return
    pending = texts(args.seed, args.count)
    while pending:
        batch, pending = pending[:args.batch], pending[args.batch:]
        # one BLAS thread: threads fighting over a busy machine make small eigensolves 10× slower
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        worker = subprocess.Popen([sys.executable, "-m", "tests.test_pipeline_fuzz", "--worker"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        worker.stdin.write(json.dumps(batch))
        worker.stdin.close()
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in worker.stdout] + [lines.put(None)], daemon=True).start()
        started, done = None, 0
        while True:
            try:  # a case has its steps' time, and the start of the worker (imports) besides
                line = lines.get(timeout=5 * SECONDS + 60)
            except queue.Empty:
                break
            if line is None:
                break
            entry = json.loads(line)
            if "start" in entry:
                started = entry["start"]
                continue
            done += 1
            sys.stdout.write(line)
            sys.stdout.flush()
        worker.kill()
        worker.wait()
        if done < len(batch):  # the worker died or hung: report the case and go on after it
            lost = started if started is not None else batch[0]
            print(json.dumps({"text": lost, "steps": {}, "problem": f"worker ended (code {worker.returncode})"}),
                  flush=True)
            pending = batch[batch.index(lost) + 1:] + pending


if __name__ == "__main__":
    main()
