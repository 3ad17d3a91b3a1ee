"""For every test and doctest: generated datasets are kept in a temporary
folder of this session, never in the user's cache; XLA compiles without its
backend optimizations, into a compilation cache of this session; and the
test processes share the cores rather than each using them all.

Compiling, not running, is what the tests spend their time on: their models
are small and run a few steps. At XLA's backend optimization level 0 a small
LieResNet compiles in 1.7 s instead of 5.4 s while running 1.4x slower (10
calls: 14 ms instead of 9.5 ms); numbers are float32 round-off either way,
and a test that starts a subprocess passes the flags on
(``tests/subprocesses.py``). XLA's older elemental emitters, in place of
its fusion emitters, compile in about half the time again (a LieResNet's
forward pass: 0.87 s instead of 1.73 s; the default run: see the README). JAX's persistent compilation cache serves a
program compiled again, in the same process or in the other worker (a
resumed run compiles the uninterrupted run's step: the LieConv resume test
takes 31 s instead of 45 s).

The default run has two worker processes (pytest-xdist, ``-n 2`` in
setup.cfg); each computes with its share of the cores (one each on two
cores), since XLA, BLAS and OpenMP would otherwise each start a thread per
core in both processes: on 2 cores the numeric and symbolic tests take 159 s
so, 234 s in one process with every thread."""

import atexit
import os
import shutil
import tempfile

TEST_XLA_FLAGS = ["--xla_backend_optimization_level=0", "--xla_cpu_use_fusion_emitters=false"]

session = tempfile.mkdtemp(prefix="repalg-tests-")
atexit.register(shutil.rmtree, session, True)
os.environ["REPALG_DATA_DIR"] = os.path.join(session, "data")
os.makedirs(os.environ["REPALG_DATA_DIR"])
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", os.path.join(session, "jax-cache"))  # the workers share it
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.1")

workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if workers > 1:
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, threads)
    if threads == "1":
        TEST_XLA_FLAGS += ["--xla_cpu_multi_thread_eigen=false"]
flags = os.environ.get("XLA_FLAGS", "").split()
os.environ["XLA_FLAGS"] = " ".join(flags + [f for f in TEST_XLA_FLAGS if f not in flags])

SLOW_EXAMPLES = {
    "repalg.models.sweep.run.sweep": 6.3, "repalg.models.dynamics": 6.3, "repalg.models.lieconv.models": 4.7,
    "repalg.models.lieconv.nn": 4.6, "repalg.models.lieconv.maps": 3.8, "repalg.models.lieconv.lie_groups": 3.6,
    "repalg.models.ready": 3.2, "repalg.models.emlp": 3.1, "repalg.numeric.linear_operators.LazyJVP": 2.9,
    "repalg.models.training.loop.train": 2.9, "repalg.models.ready.EMLPode": 2.6, "repalg.models.ready.EMLPH": 2.6,
    "repalg.models.dynamics.odeint": 2.5, "repalg.models.bilinear.bilinear_product": 2.5,
    "repalg.numeric.rungs.matrix_free": 2.5,
}
"""Docstring examples that run in the slow run only, with their seconds on
one of two cores: each compiles a model of its own (train, sweep, roll out)
where a test in the default run compiles the same kind. The default run
keeps every other example, those of each of these modules among them."""


def pytest_collection_modifyitems(config, items):
    import pytest
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in SLOW_EXAMPLES:
            item.add_marker(pytest.mark.slow)
