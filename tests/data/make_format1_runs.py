"""Make ``tests/data/format1/``: three small trained runs in checkpoint
format 1 (a JSON header with ``code``, ``paths`` and ``stats``; no
fingerprints), written by repalg as it was before the redesign into one
idea per file (issue 32: commit 39d49c7), and each model's predictions on
fixed inputs. After any later change, these runs must load and predict the
same (``tests/models/test_format1_runs.py``).

Run from the repository root, with the version of repalg to record first
on the path::

    PYTHONPATH=. python tests/data/make_format1_runs.py

Each run keeps only what :func:`repalg.models.load` reads (``config.toml``
and ``checkpoint.npz``); ``predictions.npz`` holds 8 fixed inputs
(standard normal, seed 0) and the outputs of the best weights and of the
last, in float32.
"""

import shutil
import tempfile
from pathlib import Path

import numpy as np

from repalg.models import load, parse_config, train

HERE = Path(__file__).resolve().parent / "format1"

RUNS = {
    # the packaged default (EMLP, O(3), Inertia) at ch 16
    "default-emlp-o3": ("repalg/models/configs/default.toml",
                        ["model.ch=16", "model.num_layers=2", "dataset.N=64", "dataset.val=32", "dataset.test=32",
                         "train.epochs=8", "train.lr=0.03", "train.batch_size=32"]),
    # an EMLP of the Lorentz group on ParticleInteraction
    "particle-interaction-emlp-o13": ("examples/configs/paper/particle-interaction-emlp-o13.toml",
                                      ["model.ch=16", "model.num_layers=1", "dataset.N=64", "dataset.val=32",
                                       "dataset.test=32", "train.epochs=8", "train.lr=0.03", "train.batch_size=32"]),
    # the scalar model on Inertia
    "inertia-scalar": ("examples/configs/paper/inertia-scalar.toml",
                       ["model.ch=16", "dataset.N=64", "dataset.val=32", "dataset.test=32", "train.epochs=8", "train.lr=0.03",
                        "train.batch_size=32"]),
}


def main():
    root = Path(__file__).resolve().parents[2]
    for name, (config, overrides) in RUNS.items():
        work = Path(tempfile.mkdtemp())
        settings = parse_config((root / config).read_text(), overrides)
        train(settings, work / name, progress=False)
        out = HERE / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for kept in ("config.toml", "checkpoint.npz"):
            shutil.copy(work / name / kept, out / kept)
        best, last = load(out), load(out, "last")
        x = np.random.default_rng(0).standard_normal((8, best.rep_in.size())).astype(np.float32)
        np.savez(out / "predictions.npz", x=x, best=np.asarray(best(x)), last=np.asarray(last(x)))
        shutil.rmtree(work)
        print(name, sum(p.stat().st_size for p in out.iterdir()), "bytes")


if __name__ == "__main__":
    main()
