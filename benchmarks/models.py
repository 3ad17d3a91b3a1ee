"""One training step of repalg's EMLP against an MLP of the same width and
batch: forward, backward and an Adam update, jit-compiled, medians of
repeated steps after the first (compilation) is timed apart; plus the time
to build each model (solving its bases, tracing, compiling).

    python benchmarks/models.py                  # Inertia, O5Synthetic, ParticleInteraction shapes
    python benchmarks/models.py --batch 500 --ch 384 --steps 20

"MAC ratio" is the EMLP's multiply-adds per example over the MLP's: emlp's
architecture (a Linear into gated(rep), a BiLinear on it, per layer) does
1.6x to 2.2x the MLP's arithmetic at ch 384, the floor of the step ratio.

emlp's own Haiku EMLP on this kind of machine (batch 500, ch 384), for
comparison: a step takes 3.4 s (Inertia), 2.4 s (O5Synthetic), 2.5 s
(ParticleInteraction); its Lorentz model took 38 s to build.
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
import optax  # noqa: E402

from repalg.models import MODELS, bind  # noqa: E402
from repalg.models.emlp import hidden_reps  # noqa: E402
from repalg.models.layers import gated  # noqa: E402
from repalg.models.bilinear import bilinear_product  # noqa: E402

CASES = [("Inertia", "5*Scalar+5*V", "T(2)", "O(3)", 3.4),
         ("O5Synthetic", "2*V", "Scalar", "O(5)", 2.4),
         ("ParticleInteraction", "4*V", "Scalar", "O(1,3)", 2.5)]


def time_step(name: str, rep_in, rep_out, group, ch: int, batch: int, steps: int):
    start = time.perf_counter()
    rin, rout, G = bind(rep_in, rep_out, group)
    f = hk.without_apply_rng(hk.transform(lambda x: MODELS[name](rin, rout, G, ch=ch)(x)))
    x = jax.random.normal(jax.random.PRNGKey(0), (batch, rin.size()))
    y = jax.random.normal(jax.random.PRNGKey(1), (batch, rout.size()))
    params = jax.jit(f.init)(jax.random.PRNGKey(2), x)
    optimizer = optax.adam(3e-3)
    state = optimizer.init(params)

    @jax.jit
    def step(params, state, x, y):
        loss, grads = jax.value_and_grad(lambda p: jnp.mean((f.apply(p, x) - y) ** 2))(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    params, state, loss = step(params, state, x, y)
    jax.block_until_ready(loss)
    built = time.perf_counter() - start
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        params, state, loss = step(params, state, x, y)
        jax.block_until_ready(loss)
        times.append(time.perf_counter() - t)
    return built, statistics.median(times)


def multiply_adds(rep_in, rep_out, group, ch: int, num_layers: int = 3):
    """Multiply-adds per example of the EMLP's and the MLP's forward pass:
    the floor of their step times' ratio, were both computed equally well."""
    rin, rout, G = bind(rep_in, rep_out, group)
    reps = [rin] + hidden_reps(ch, num_layers, G)
    emlp = rout.size() * reps[-1].size()
    for a, b in zip(reps, reps[1:]):
        emlp += gated(b).size() * a.size() + bilinear_product(gated(b), gated(b))[1].macs
    mlp = ch * rin.size() + ch * ch * (num_layers - 1) + rout.size() * ch
    return emlp, mlp


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--ch", type=int, default=384)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args(argv)
    device = jax.devices()[0]
    print(f"on {device.platform} ({device.device_kind}), batch {args.batch}, ch {args.ch}, "
          f"median of {args.steps} steps")
    print(f"{'dataset shapes':22s} {'group':8s} {'EMLP step':>10s} {'MLP step':>10s} {'ratio':>7s} "
          f"{'MAC ratio':>9s} {'emlp step':>10s} {'vs emlp':>8s} {'EMLP build':>11s} {'MLP build':>10s}")
    for dataset, rep_in, rep_out, group, emlp_seconds in CASES:
        e_built, e_step = time_step("EMLP", rep_in, rep_out, group, args.ch, args.batch, args.steps)
        m_built, m_step = time_step("MLP", rep_in, rep_out, group, args.ch, args.batch, args.steps)
        e_macs, m_macs = multiply_adds(rep_in, rep_out, group, args.ch)
        print(f"{dataset:22s} {group:8s} {e_step * 1e3:8.1f}ms {m_step * 1e3:8.1f}ms {e_step / m_step:6.2f}x "
              f"{e_macs / m_macs:8.2f}x "
              f"{emlp_seconds:9.1f}s {emlp_seconds / e_step:7.0f}x {e_built:10.1f}s {m_built:9.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
