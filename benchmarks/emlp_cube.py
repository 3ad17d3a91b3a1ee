"""emlp's own EMLP on emlp's BrokenRubiksCube, with emlp 1.0.3's API, to
see whether it learns where repalg's does not. Run it with the interpreter
of an emlp virtualenv (../shared/reference/setup_emlp_venv.sh):

    ~/.venvs/emlp/bin/python benchmarks/emlp_cube.py                          # emlp's hidden rep, capped
    ~/.venvs/emlp/bin/python benchmarks/emlp_cube.py --ch "50*T(0)+5*T(1)" --minutes 20 --gib 6

The settings are those of emlp's cube script
(``experiments/depreciated/train_rubiks.py``, pre-1.0 imports, which does
not run as it is): EMLP with 3 layers on ``RubiksCube()``, Adam (objax) at
1e-3 with a cosine decay over 500 epochs, batch 50, seed 2020,
``Standardize`` around the network. The script trains on the training set
(the 22 unscrambled states) and tests on the scrambled test set; emlp's
script used the test set for both. A memory cap (``RLIMIT_AS``, ``--gib``)
and a time limit (``--minutes``, checked between steps and enforced by an
alarm while emlp solves its bases) keep the machine usable; the script
prints one line a report and ends with a JSON line of what it saw.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import signal
import sys
import time


class OutOfTime(Exception):
    pass


def emlp_rep(text: str, T):
    """emlp's representation for text such as ``50*T(0)+5*T(1)+T(2)`` (sums
    of multiples of ``T(k)``), read without ``eval``."""
    total = None
    for term in text.replace(" ", "").split("+"):
        found = re.fullmatch(r"(?:(\d+)\*)?T\((\d+)\)", term)
        if found is None:
            raise SystemExit(f"--ch: {term!r} is not a term such as 5*T(1)")
        part = int(found.group(1) or 1) * T(int(found.group(2)))
        total = part if total is None else total + part
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ch", default="50*T(0)+5*T(1)+T(2)", help="the hidden representation (emlp's by default)")
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--gib", type=float, default=8.0)
    args = parser.parse_args(argv)
    limit = int(args.gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    deadline = time.time() + 60 * args.minutes

    def out_of_time(*_):
        raise OutOfTime()

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(60 * args.minutes))
    outcome = {"ch": args.ch, "epochs_planned": args.epochs, "gib": args.gib, "minutes": args.minutes}
    start = time.time()
    try:
        import jax
        import jax.numpy as jnp
        import numpy as np
        import objax
        from emlp.datasets import BrokenRubiksCube
        from emlp.groups import RubiksCube
        from emlp.nn import EMLP, Standardize
        from emlp.reps import T

        np.random.seed(2020)
        train, test = BrokenRubiksCube(train=True), BrokenRubiksCube(train=False)
        ch = emlp_rep(args.ch, T)
        model = Standardize(EMLP(train.rep_in, train.rep_out, group=RubiksCube(), ch=ch, num_layers=3), train.stats)
        outcome["build_seconds"] = round(time.time() - start, 1)
        print(f"built in {outcome['build_seconds']} s", flush=True)
        opt = objax.optimizer.Adam(model.vars())

        def loss(x, y):
            logits = model(x, training=True)
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

        grad_and_loss = objax.GradValues(loss, model.vars())

        @objax.Function.with_vars(model.vars() + opt.vars())
        def step(x, y, lr):
            g, value = grad_and_loss(x, y)
            opt(lr, g)
            return value[0]

        step = objax.Jit(step)
        X, Y = np.asarray(train.X, np.float32), np.asarray(train.Y, np.int32)
        losses = []
        for epoch in range(args.epochs):
            if time.time() > deadline:
                raise OutOfTime()
            lr = 1e-3 * 0.5 * (1 + math.cos(math.pi * epoch / args.epochs))
            order = np.random.permutation(len(X))
            for i in range(0, len(X), 50):
                losses.append(float(step(X[order[i:i + 50]], Y[order[i:i + 50]], lr)))
            if epoch % 50 == 0 or epoch == args.epochs - 1:
                print(f"epoch {epoch + 1}: training loss {losses[-1]:.6f} (ln 2 = {math.log(2):.6f})", flush=True)
        predicted = np.asarray(model(np.asarray(test.X, np.float32), training=False)).argmax(-1)
        outcome.update(epochs=args.epochs, first_loss=losses[0], last_loss=losses[-1],
                       test_accuracy=float(np.mean(predicted == np.asarray(test.Y))))
    except OutOfTime:
        outcome["stopped"] = f"time limit of {args.minutes} min"
    except MemoryError:
        outcome["stopped"] = f"memory cap of {args.gib} GiB"
    outcome["seconds"] = round(time.time() - start, 1)
    print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
