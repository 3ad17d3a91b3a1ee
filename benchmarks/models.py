"""Training steps of repalg's models against their floors and baselines, in
one run: forward, backward and an Adam update, jit-compiled; medians of
repeated steps, compilation timed apart.

    python benchmarks/models.py                        # everything below
    python benchmarks/models.py --only emlp --steps 20 # one part: emlp, dynamics, cube
    python benchmarks/models.py --no-emlp              # without emlp's live steps

- **EMLP** (batch 500, ch 384; the Inertia, O5Synthetic and
  ParticleInteraction shapes): the step of repalg's EMLP over an MLP's of
  the same width, beside the multiply-add ratio of the two (emlp's
  architecture does 1.6x to 2.2x the MLP's arithmetic at ch 384: the floor
  of the step ratio, were both computed equally well) and the ratio over
  that floor; and emlp's own Haiku EMLP, timed live in its virtualenv
  (--emlp PYTHON, $REPALG_EMLP_PYTHON or ~/.venvs/emlp/bin/python; see
  ../shared/reference/README.md) at the same arguments.
- **dynamics** (the double spring pendulum: batch 500, ch 128, 3 layers,
  chunks of 5 states integrated by Dopri5): EMLPH over MLPH and EMLPode
  over MLPode, steps and compile times.
- **cube** (the Rubik's-cube EMLP with emlp's hidden representation
  ``50*T(0)+5*T(1)+T(2)``, batch 50), in a fresh process: the time to build
  it (solve its bases, initialize), to compile a training step, one step,
  and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import haiku as hk  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from basis import find_emlp, run  # noqa: E402
from repalg.models import MODELS, bind  # noqa: E402
from repalg.models.bilinear import bilinear_product  # noqa: E402
from repalg.models.emlp import hidden_reps  # noqa: E402
from repalg.models.layers import gated  # noqa: E402

CASES = [("Inertia", "5*Scalar+5*V", "T(2)", "O(3)", "O(3)"),
         ("O5Synthetic", "2*V", "Scalar", "O(5)", "O(5)"),
         ("ParticleInteraction", "4*V", "Scalar", "O(1,3)", "Lorentz()")]
"""(shapes, rep_in, rep_out, group, emlp's spelling of the group)."""

EMLP_WORKER = """
import json, statistics, sys, time
import haiku as hk, jax, jax.numpy as jnp, optax
from emlp.groups import O, Lorentz
from emlp.reps import Scalar, V, T
from emlp.nn.haiku import EMLP
REPS = {"5*Scalar+5*V": 5 * Scalar + 5 * V, "T(2)": T(2), "2*V": 2 * V, "Scalar": Scalar, "4*V": 4 * V}
GROUPS = {"O(3)": lambda: O(3), "O(5)": lambda: O(5), "Lorentz()": Lorentz}
rep_in, rep_out, group, ch, batch, steps = json.loads(sys.argv[1])
G, rep_in, rep_out = GROUPS[group](), REPS[rep_in], REPS[rep_out]
start = time.perf_counter()
f = hk.without_apply_rng(hk.transform(lambda x: EMLP(rep_in, rep_out, G, ch=ch)(x)))
x = jax.random.normal(jax.random.PRNGKey(0), (batch, rep_in(G).size()))
y = jax.random.normal(jax.random.PRNGKey(1), (batch, rep_out(G).size()))
params = f.init(jax.random.PRNGKey(2), x)
opt = optax.adam(3e-3)
state = opt.init(params)
@jax.jit
def step(p, s):
    loss, g = jax.value_and_grad(lambda p: jnp.mean((f.apply(p, x) - y) ** 2))(p)
    u, s = opt.update(g, s, p)
    return optax.apply_updates(p, u), s, loss
params, state, loss = step(params, state)
jax.block_until_ready(loss)
built = time.perf_counter() - start
times = []
for _ in range(steps):
    t = time.perf_counter()
    params, state, loss = step(params, state)
    jax.block_until_ready(loss)
    times.append(time.perf_counter() - t)
print(json.dumps({"built": built, "step": statistics.median(times)}))
"""

CUBE_WORKER = """
import json, resource, sys, time
start = time.perf_counter()
import haiku as hk, jax, jax.numpy as jnp, optax
sys.path.insert(0, "benchmarks")
from models import time_training
from repalg.models import MODELS, bind
hidden, batch, steps = json.loads(sys.argv[1])
imported = time.perf_counter()
rin, rout, G = bind("6*V", "2*Scalar", "RubiksCube")
f = hk.without_apply_rng(hk.transform(lambda x: MODELS["EMLP"](rin, rout, G, ch=hidden, num_layers=3)(x)))
x, y = jnp.ones((batch, rin.size())), jnp.zeros((batch,), jnp.int32)
params = jax.jit(f.init)(jax.random.PRNGKey(0), x)
jax.block_until_ready(params)
built = time.perf_counter()
compile_seconds, step = time_training(f.apply, params, x, y, steps, loss=lambda out, y: (
    optax.softmax_cross_entropy_with_integer_labels(out, y).mean()))
print(json.dumps({"imports": imported - start, "build": built - imported, "compile": compile_seconds,
                  "step": step, "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def time_training(apply, params, x, y, steps: int, loss=None):
    """(compile seconds, median step seconds) of an Adam step on ``apply``."""
    loss = loss or (lambda out, y: jnp.mean((out - y) ** 2))
    optimizer = optax.adam(3e-3)

    def step(params, state, x, y):
        value, grads = jax.value_and_grad(lambda p: loss(apply(p, x), y))(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    state = optimizer.init(params)
    start = time.perf_counter()
    compiled = jax.jit(step).lower(params, state, x, y).compile()
    compile_seconds = time.perf_counter() - start
    params, state, value = compiled(params, state, x, y)
    jax.block_until_ready(value)
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        params, state, value = compiled(params, state, x, y)
        jax.block_until_ready(value)
        times.append(time.perf_counter() - t)
    return compile_seconds, statistics.median(times)


def time_model(name: str, rep_in, rep_out, group, ch: int, batch: int, steps: int):
    """(build seconds, compile seconds, median step seconds) of ``MODELS[name]``."""
    start = time.perf_counter()
    rin, rout, G = bind(rep_in, rep_out, group)
    f = hk.without_apply_rng(hk.transform(lambda x: MODELS[name](rin, rout, G, ch=ch)(x)))
    x = jax.random.normal(jax.random.PRNGKey(0), (batch, rin.size()))
    y = jax.random.normal(jax.random.PRNGKey(1), (batch, rout.size()))
    params = jax.jit(f.init)(jax.random.PRNGKey(2), x)
    jax.block_until_ready(params)
    built = time.perf_counter() - start
    return (built,) + time_training(f.apply, params, x, y, steps)


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


def emlp_part(args, emlp_python):
    print(f"\nEMLP against an MLP and emlp's EMLP: batch {args.batch}, ch {args.ch}, median of {args.steps} steps")
    print(f"{'dataset shapes':20s} {'group':7s} {'EMLP step':>10s} {'MLP step':>9s} {'ratio':>6s} {'floor':>6s} "
          f"{'over floor':>10s} {'emlp step':>10s} {'vs emlp':>8s} {'EMLP build':>10s} {'compile':>8s}")
    for dataset, rep_in, rep_out, group, emlp_group in CASES:
        e_built, e_compile, e_step = time_model("EMLP", rep_in, rep_out, group, args.ch, args.batch, args.steps)
        _, _, m_step = time_model("MLP", rep_in, rep_out, group, args.ch, args.batch, args.steps)
        e_macs, m_macs = multiply_adds(rep_in, rep_out, group, args.ch)
        floor, ratio = e_macs / m_macs, e_step / m_step
        theirs = "-"
        if emlp_python:
            answer = run(emlp_python, EMLP_WORKER, json.dumps(
                [rep_in, rep_out, emlp_group, args.ch, args.batch, max(3, args.steps // 4)]), args.timeout)
            theirs = answer.get("step")
        emlp_text = f"{theirs:9.2f}s {theirs / e_step:7.0f}x" if isinstance(theirs, float) else f"{'-':>10s} {'-':>8s}"
        print(f"{dataset:20s} {group:7s} {e_step * 1e3:8.1f}ms {m_step * 1e3:7.1f}ms {ratio:5.2f}x {floor:5.2f}x "
              f"{ratio / floor:9.2f}x {emlp_text} {e_built:9.1f}s {e_compile:7.1f}s", flush=True)


def dynamics_part(args):
    from repalg.models.datasets.pendulum import DoubleSpringPendulum  # the dynamics part only
    from repalg.models.dynamics import DYNAMICS_MODELS, Flow

    data = DoubleSpringPendulum(N=500, seed=0)
    x, y = jnp.asarray(data.X, jnp.float32), jnp.asarray(data.Y, jnp.float32)
    print(f"\nDynamics on the double spring pendulum: batch 500, ch 128, 3 layers, {len(data.ts)} states a chunk, "
          f"Dopri5; median of {args.steps} steps")
    print(f"{'models':16s} {'step':>9s} {'baseline':>9s} {'ratio':>6s} {'compile':>8s} {'baseline':>9s}")
    for model, baseline in (("EMLPH", "MLPH"), ("EMLPode", "MLPode")):
        timed = []
        for name in (model, baseline):
            f = hk.without_apply_rng(hk.transform(lambda u, name=name: Flow(
                DYNAMICS_MODELS[name], data.rep_in, data.rep_state, data.symmetry, ts=data.ts, ch=128,
                num_layers=3)(u)))
            params = jax.jit(f.init)(jax.random.PRNGKey(0), x)
            timed.append(time_training(f.apply, params, x, y, args.steps))
        (compile_m, step_m), (compile_b, step_b) = timed
        print(f"{model + '/' + baseline:16s} {step_m * 1e3:7.0f}ms {step_b * 1e3:7.0f}ms {step_m / step_b:5.1f}x "
              f"{compile_m:7.1f}s {compile_b:8.1f}s", flush=True)


def cube_part(args):
    answer = run(sys.executable, CUBE_WORKER, json.dumps(["50*T(0)+5*T(1)+T(2)", 50, 5]), args.timeout)
    print("\nThe Rubik's-cube EMLP (6*V -> 2*Scalar, hidden 50*T(0)+5*T(1)+T(2), 3 layers), batch 50, "
          "a fresh process with no disk cache")
    if "error" in answer:
        print(f"  failed: {answer['error']}")
        return
    print(f"  build {answer['build']:.1f} s (after {answer['imports']:.1f} s of imports), compile "
          f"{answer['compile']:.1f} s, step {answer['step'] * 1e3:.0f} ms, peak memory {answer['peak_gb']:.2f} GB",
          flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--ch", type=int, default=384)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--only", choices=("emlp", "dynamics", "cube"), help="one part of the benchmark")
    parser.add_argument("--emlp", help="the python of an emlp virtualenv")
    parser.add_argument("--no-emlp", action="store_true", help="do not run emlp live")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for each process started (900)")
    args = parser.parse_args(argv)
    device = jax.devices()[0]
    print(f"on {device.platform} ({device.device_kind})")
    emlp_python = None if args.no_emlp else find_emlp(args.emlp)
    if args.only in (None, "emlp"):
        emlp_part(args, emlp_python)
    if args.only in (None, "dynamics"):
        dynamics_part(args)
    if args.only in (None, "cube"):
        cube_part(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
