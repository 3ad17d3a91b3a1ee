"""LieResNet's forward and backward time per batch for each of LieConv's
groups, against the same network over the Trivial group (a PointConv on
absolute positions): jit-compiled, the first call (compilation) timed
apart, medians of repeated calls after it, and the ratio printed.

    python benchmarks/lieconv.py                      # the rotated digits' settings
    python benchmarks/lieconv.py --batch 32 --points 64 --k 64 --repeats 10

The digits' settings are those of examples/configs/lieconv/digits_*.toml:
64 points in the plane, one channel, k = 64, 3 layers, neighbourhoods of 16
from a quarter of the points; SE(2) with 2 lift samples (4x the lifted
points' pairs). The 3-D groups run on the same number of points in space.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import haiku as hk  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from repalg.models.lieconv import LieResNet, as_lie_group  # noqa: E402

GROUPS = [("Trivial(2)", 1), ("Translation(2)", 1), ("SO(2)", 1), ("RxSO(2)", 1), ("SE(2)", 2),
          ("Trivial(3)", 1), ("Translation(3)", 1), ("SO(3)", 2), ("SE(3)", 2)]


def time_group(group: str, liftsamples: int, args) -> tuple[float, float, float]:
    """(compile seconds, median forward seconds, median forward+backward seconds)."""
    d = as_lie_group(group).d
    net = hk.transform(lambda c, v, m: LieResNet(10, group, k=args.k, num_layers=args.layers, nbhd=args.nbhd,
                                                 fill=args.fill, liftsamples=liftsamples)(c, v, m))
    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    coords = jax.random.normal(keys[0], (args.batch, args.points, d))
    values = jax.random.normal(keys[1], (args.batch, args.points, 1))
    mask = jnp.ones((args.batch, args.points), bool)
    params = jax.jit(net.init)(keys[2], coords, values, mask)
    forward = jax.jit(lambda p, key: net.apply(p, key, coords, values, mask))
    loss = lambda p, key: jnp.mean(net.apply(p, key, coords, values, mask) ** 2)
    backward = jax.jit(jax.value_and_grad(loss))
    start = time.perf_counter()
    jax.block_until_ready(forward(params, keys[3]))
    jax.block_until_ready(backward(params, keys[3]))
    compile_seconds = time.perf_counter() - start

    def median(f):
        times = []
        for i in range(args.repeats):
            start = time.perf_counter()
            jax.block_until_ready(f(params, jax.random.fold_in(keys[3], i)))
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return compile_seconds, median(forward), median(backward)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--nbhd", type=int, default=16)
    parser.add_argument("--fill", type=float, default=0.25)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"LieResNet, batch {args.batch}, {args.points} points, k {args.k}, {args.layers} layers, nbhd "
          f"{args.nbhd}, fill {args.fill}; {jax.devices()[0].platform}, medians of {args.repeats}")
    print(f"{'group':<16}{'lifts':>6}{'compile s':>11}{'forward ms':>12}{'fwd+bwd ms':>12}{'x Trivial':>11}")
    base = {}
    for group, lifts in GROUPS:
        compile_seconds, forward, backward = time_group(group, lifts, args)
        trivial = base.setdefault(as_lie_group(group).d, backward)
        print(f"{group:<16}{lifts:>6}{compile_seconds:>11.1f}{1e3 * forward:>12.1f}{1e3 * backward:>12.1f}"
              f"{backward / trivial:>11.2f}")


if __name__ == "__main__":
    main()
