"""How hard the cube tasks' test sets are, without training anything: for
each seed, the share of facets a scrambled test state has in common with
the state it was scrambled from (chance: 1 in 6 colours), and the test
accuracy of the group-blind template classifier
(``repalg.models.datasets.cubes.template_accuracy``), for emlp's
``BrokenRubiksCube`` (3 rounds of generator powers a scramble) and the
harder variant (``scramble_rounds = 30``), and for ``InvertedCube``.

    python benchmarks/cubes.py                  # seeds 2020 2021 2022, as the cube sweep
    python benchmarks/cubes.py --seeds 0 1 2 3
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

from repalg.models.datasets import BrokenRubiksCube, InvertedCube
from repalg.models.datasets.cubes import template_accuracy

CASES = {
    "InvertedCube": lambda train, seed: InvertedCube(train=train, seed=seed),
    "BrokenRubiksCube": lambda train, seed: BrokenRubiksCube(train=train, seed=seed),
    "BrokenRubiksCube, scramble_rounds = 30": lambda train, seed: BrokenRubiksCube(train=train, seed=seed,
                                                                                  scramble_rounds=30),
}


def shared_facets(train, test) -> float:
    """The mean share of positions whose colour a test state keeps from its
    source, the training state of its label."""
    colours = train.X.shape[1] // 6
    source = {int(y): x.reshape(6, colours) for x, y in zip(train.X, train.Y)}
    states = test.X.reshape(len(test.X), 6, colours)
    return float(np.mean([np.sum(s * source[int(y)], axis=0).mean() for s, y in zip(states, test.Y)]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2020, 2021, 2022])
    args = parser.parse_args(argv)
    print(f"{'task':40s} {'shared facets':>16s} {'template accuracy':>20s}   (mean ± sd over seeds {args.seeds})")
    for name, make in CASES.items():
        shared, accuracy = [], []
        for seed in args.seeds:
            train, test = make(True, seed), make(False, seed)
            shared.append(shared_facets(train, test))
            accuracy.append(template_accuracy(train, test))
        show = lambda v: f"{statistics.mean(v):.3f} ± {statistics.stdev(v) if len(v) > 1 else 0:.3f}"  # noqa: E731
        print(f"{name:40s} {show(shared):>16s} {show(accuracy):>20s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
