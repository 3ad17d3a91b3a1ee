"""Writes emlp_reference.npz: emlp 1.0.3's own numbers, which repalg's models,
datasets and dynamics are tested against without emlp installed.

Run it with the interpreter of an emlp virtualenv
(../shared/reference/setup_emlp_venv.sh), from the repository's root, with a
checkout of emlp's repository for the pendulum (its
``experiments/trainer/hamiltonian_dynamics.py`` is not part of the emlp
package):

    ~/.venvs/emlp/bin/python tests/data/make_emlp_reference.py --emlp PATH/TO/equivariant-MLP

What it records, each under its own key prefix (the header ``meta``, a JSON
string, lists the cases and the texts of their representations):

- ``layers/<case>/...``: emlp's Haiku ``Linear``, ``BiLinear``, gated
  nonlinearity and ``EMLP`` (``emlp.nn.haiku``), each built and initialised
  alone, with its parameters, inputs and outputs, for the cases of ``CASES``:
  O(3) with Inertia's shapes, O(5), O(1,3), S(5) (a permutation group, no
  gates) and a representation of several groups (layers only: emlp's
  ``gated`` cannot handle one). The hidden representations are given
  explicitly (emlp's ``uniform_rep`` draws part of its answer at random).
  ``bilinear/weights`` is emlp's ``bilinear_weights`` (the matrix ``W(x)``
  the bilinear layer multiplies by ``0.1 x``) for the same parameters.
  ``BiLinear`` picks, for each kind of tensor, which copies of the input feed
  the weights with ``np.random.choice`` (with replacement): here it takes the
  first ones, as repalg does, and the layout of its parameters is recorded
  per block: the coordinates of ``W`` (row-major ``out x in``) that each
  parameter row fills, and the input coordinates of each copy it reads.
- ``uniform_rep/<group>``: ``uniform_rep(384, G)`` drawn under five numpy
  seeds: the number of tensors ``T(p, q)`` of each type in each draw, and the
  allocation's deterministic part (tensors per rank, and the even binomial
  split within a rank).
- ``standardize/...``: ``emlp.nn.objax.Standardize`` around a fixed linear
  map, with two and with four statistics.
- ``datasets/<name>/...``: ``Inertia``, ``O5Synthetic`` and
  ``ParticleInteraction`` drawn under numpy seed 0 (``X``, ``Y`` and
  ``stats``), so that repalg's targets and statistics are checked on emlp's
  inputs.
- ``pendulum/...``: the double spring pendulum's Hamiltonian and vector field
  ``J∇H`` (float64) on fixed states: emlp's initial-condition draws and
  states far from them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import sys
import tempfile
import types
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import haiku as hk  # noqa: E402
import jax  # noqa: E402
import jax.experimental  # noqa: E402  (enable_x64)
import numpy as np  # noqa: E402
from emlp.groups import O, S, SO, SO13p, O13, Sp, SL, Z  # noqa: E402
from emlp.nn import gate_indices, gated, uniform_rep  # noqa: E402
from emlp.reps import T, V, Scalar, bilinear_weights  # noqa: E402

import emlp.nn.haiku as ehk  # noqa: E402
import emlp.nn.objax as eobjax  # noqa: E402
import emlp.datasets as edatasets  # noqa: E402

OUT = Path(__file__).resolve().parent / "emlp_reference.npz"
BATCH = 5


def cases():
    """Each case: the group's text, emlp's representations, and repalg's
    text for each (the same coordinates in the same order)."""
    G3, G5, L, P = O(3), O(5), O13(), S(5)
    return {
        "O(3)": dict(group="O(3)", emlp=(5 * Scalar + 5 * V, T(2), [10 * Scalar + 3 * V + V**2, 6 * Scalar + 2 * V + V**2],
                                         G3),
                     text=("5*Scalar+5*V", "T(2)", ["10*Scalar+3*V+V**2", "6*Scalar+2*V+V**2"])),
        "O(5)": dict(group="O(5)", emlp=(2 * V, Scalar, [8 * Scalar + 2 * V + V**2], G5),
                     text=("2*V", "Scalar", ["8*Scalar+2*V+V**2"])),
        "O(1,3)": dict(group="O(1,3)", emlp=(4 * V, Scalar, [6 * Scalar + 2 * V + T(0, 1) + T(1, 1)], L),
                       text=("4*V", "Scalar", ["6*Scalar+2*V+V.T+V*V.T"])),
        "S(5)": dict(group="S(5)", emlp=(2 * V + Scalar, V, [4 * Scalar + 2 * V + V**2], P),
                     text=("2*V+Scalar", "V", ["4*Scalar+2*V+V**2"])),
    }


def mixed_case():
    """Layers only: a representation of three groups at once."""
    rep_in = V(SO(2)) * V(S(3)) + V(S(3)) + 2 * Scalar
    hidden = 3 * Scalar + V(SO(2)) * V(S(3)) + 2 * V(S(3)) + V(SO(2)) + V(SO(3)) ** 2
    return rep_in, hidden, ("V(SO(2))*V(S(3))+V(S(3))+2*Scalar",
                            "3*Scalar+V(SO(2))*V(S(3))+2*V(S(3))+V(SO(2))+V(SO(3))**2")


# -- BiLinear: emlp's copy choice fixed, its parameter layout recorded ------------------------------------------------

@contextlib.contextmanager
def first_copies():
    """emlp's ``bilinear_weights`` draws ``np.random.choice(copies, n)`` (with
    replacement): make it take the first n copies, as repalg does."""
    original = np.random.choice
    np.random.choice = lambda count, n, *args, **kwargs: np.arange(n)
    try:
        yield
    finally:
        np.random.choice = original


def bilinear_layout(rep_out, rep_in):
    """The layout of emlp's ``bilinear_weights(rep_out, rep_in)`` parameters,
    computed with the calls its code makes (in this process, where emlp's
    canonical order, which depends on string hashes, is the same): one entry
    per block of parameters, in their order, with the user coordinates of W
    (flattened ``out x in``) each parameter row fills and the input
    coordinates of each copy of x the block reads."""
    W_rep, W_perm = (rep_in >> rep_out).canonicalize()
    x_mult = {rep: n for rep, n in rep_in.reps.items() if rep != Scalar}
    ids = rep_in.as_dict(np.arange(rep_in.size()))
    blocks, start = [], 0
    for rep, count in W_rep.reps.items():
        size = rep.size()
        if rep in x_mult:
            n = min(x_mult[rep], size)
            w_coords = np.asarray(W_perm)[start:start + count * size].reshape(count, size)
            x_coords = np.asarray(ids[rep])[:n].reshape(n, size)
            blocks.append((w_coords, x_coords))
        start += count * size
    return blocks


def record_bilinear(out: dict, prefix: str, rep_out, rep_in, layout_only=False):
    for k, (w_coords, x_coords) in enumerate(bilinear_layout(rep_out, rep_in)):
        out[f"{prefix}/block{k:03d}/w_coords"] = w_coords.astype(np.int32)
        out[f"{prefix}/block{k:03d}/x_coords"] = x_coords.astype(np.int32)


def flat_params(out: dict, prefix: str, params) -> list:
    names = []
    for module, leaves in params.items():
        for name, value in leaves.items():
            out[f"{prefix}/params/{module}/{name}"] = np.asarray(value)
            names.append(f"{module}/{name}")
    return names


def run_layer(make, x, seed):
    f = hk.without_apply_rng(hk.transform(lambda x: make()(x)))
    params = f.init(jax.random.PRNGKey(seed), x)
    # move every parameter off its initial value, so that a bias or a block initialised small is seen
    rng = np.random.default_rng(seed)
    params = jax.tree_util.tree_map(lambda p: p + 0.3 * rng.normal(size=p.shape).astype(p.dtype), params)
    return params, np.asarray(f.apply(params, x))


def layers(out: dict, meta: dict) -> None:
    rng = np.random.default_rng(0)
    with first_copies():
        for seed, (name, case) in enumerate(cases().items()):
            rep_in, rep_out, hidden, G = case["emlp"]
            rin, rout = rep_in(G), rep_out(G)
            hid = [h(G) for h in hidden]
            g = gated(hid[0])
            prefix = f"layers/{name}"
            entry = dict(group=case["group"], rep_in=case["text"][0], rep_out=case["text"][1],
                         hidden=case["text"][2], emlp_hidden=[str(h) for h in hid], emlp_gated=str(g))

            x = rng.normal(size=(BATCH, rin.size())).astype(np.float32)
            params, y = run_layer(lambda: ehk.Linear(rin, g), x, seed)
            out[f"{prefix}/linear/x"], out[f"{prefix}/linear/y"] = x, y
            flat_params(out, f"{prefix}/linear", params)

            h = rng.normal(size=(BATCH, g.size())).astype(np.float32)
            params, y = run_layer(lambda: ehk.BiLinear(g, g), h, seed)
            out[f"{prefix}/bilinear/x"], out[f"{prefix}/bilinear/y"] = h, y
            flat_params(out, f"{prefix}/bilinear", params)
            record_bilinear(out, f"{prefix}/bilinear", g, g)
            out[f"{prefix}/bilinear/weights"] = np.asarray(bilinear_weights(g, g)[1](params["hk_bi_linear"]["w"], h))

            out[f"{prefix}/gates/indices"] = np.asarray(gate_indices(hid[0])).astype(np.int32)
            out[f"{prefix}/gates/x"] = h
            out[f"{prefix}/gates/y"] = np.asarray(ehk.GatedNonlinearity(hid[0])(h))

            x = rng.normal(size=(BATCH, rin.size())).astype(np.float32)
            net = hk.without_apply_rng(hk.transform(ehk.EMLP(rep_in, rep_out, G, ch=hidden)))
            params = net.init(jax.random.PRNGKey(seed), x)
            params = jax.tree_util.tree_map(lambda p: p + 0.1 * rng.normal(size=p.shape).astype(p.dtype), params)
            out[f"{prefix}/emlp/x"], out[f"{prefix}/emlp/y"] = x, np.asarray(net.apply(params, x))
            entry["emlp_params"] = flat_params(out, f"{prefix}/emlp", params)
            reps = [rin] + hid
            for i, (a, b) in enumerate(zip(reps, reps[1:])):
                record_bilinear(out, f"{prefix}/emlp/bilinear{i}", gated(b), gated(b))
            meta["layers"][name] = entry

        rin, hid, (tin, thid) = mixed_case()
        prefix = "layers/mixed"
        x = rng.normal(size=(BATCH, rin.size())).astype(np.float32)
        params, y = run_layer(lambda: ehk.Linear(rin, hid), x, 7)
        out[f"{prefix}/linear/x"], out[f"{prefix}/linear/y"] = x, y
        flat_params(out, f"{prefix}/linear", params)
        h = rng.normal(size=(BATCH, hid.size())).astype(np.float32)
        params, y = run_layer(lambda: ehk.BiLinear(hid, hid), h, 7)
        out[f"{prefix}/bilinear/x"], out[f"{prefix}/bilinear/y"] = h, y
        flat_params(out, f"{prefix}/bilinear", params)
        record_bilinear(out, f"{prefix}/bilinear", hid, hid)
        out[f"{prefix}/bilinear/weights"] = np.asarray(bilinear_weights(hid, hid)[1](params["hk_bi_linear"]["w"], h))
        meta["layers"]["mixed"] = dict(group=None, rep_in=tin, rep_out=thid, hidden=[], emlp_hidden=[str(hid)])


# -- uniform_rep -------------------------------------------------------------------------------------------------------

UNIFORM = {"O(3)": O(3), "SO(3)": SO(3), "O(5)": O(5), "O(1,3)": O13(), "SO+(1,3)": SO13p(), "Sp(2)": Sp(2),
           "SL(3)": SL(3), "S(5)": S(5), "Z(4)": Z(4), "SO(2)": SO(2)}


def tensor_counts(rep, G, top: int) -> dict:
    """``{(p, q): count}`` of ``rep``'s components, each matched to the T(p, q) it equals."""
    kinds = {(p, r - p): T(p, r - p)(G) for r in range(top + 1) for p in range(r + 1)}
    counts = {}
    for component, count in rep.reps.items():
        key = next(k for k, t in kinds.items() if t == component)
        counts[key] = counts.get(key, 0) + count
    return counts


def allocation(ch: int, d: int):
    """emlp's tensors per rank (``uniform_rep``'s loop, with its lambertW)."""
    ranks = np.zeros(eobjax.lambertW(ch, d) + 1, int)
    while ch > 0:
        top = eobjax.lambertW(ch, d)
        ranks[:top + 1] += np.array([d ** (top - r) for r in range(top + 1)], dtype=int)
        ch -= (top + 1) * d**top
    return ranks


def uniform(out: dict, meta: dict, ch: int = 384) -> None:
    for name, G in UNIFORM.items():
        ranks = allocation(ch, G.d)
        even = {(k, r - k): int(n // 2**r) * math.comb(r, k) for r, n in enumerate(ranks)
                for k in range(r + 1)}
        draws = []
        for seed in range(5):
            np.random.seed(seed)
            draws.append(tensor_counts(uniform_rep(ch, G), G, len(ranks) - 1))
        keys = sorted(set(even) | {k for d in draws for k in d})
        out[f"uniform_rep/{name}/types"] = np.array(keys, np.int32).reshape(-1, 2)
        out[f"uniform_rep/{name}/draws"] = np.array([[d.get(k, 0) for k in keys] for d in draws], np.int32)
        out[f"uniform_rep/{name}/even"] = np.array([even.get(k, 0) for k in keys], np.int32)
        out[f"uniform_rep/{name}/ranks"] = ranks.astype(np.int32)
        meta["uniform_rep"][name] = dict(ch=ch, d=int(G.d), deterministic=all(d == draws[0] for d in draws))


# -- Standardize, the datasets -----------------------------------------------------------------------------------------

def standardize(out: dict) -> None:
    rng = np.random.default_rng(1)
    A = rng.normal(size=(6, 3))
    x = rng.normal(size=(4, 6))
    stats = (rng.normal(size=6), rng.uniform(0.5, 2, size=6), rng.normal(size=3), rng.uniform(0.5, 2, size=3))

    def model(x, training=True):
        return x @ A

    out["standardize/A"], out["standardize/x"] = A, x
    for i, s in enumerate(stats):
        out[f"standardize/stats{i}"] = s
    out["standardize/y2"] = np.asarray(eobjax.Standardize(model, stats[:2])(x, training=False))
    out["standardize/y4"] = np.asarray(eobjax.Standardize(model, stats)(x, training=False))


def datasets(out: dict) -> None:
    for name in ("Inertia", "O5Synthetic", "ParticleInteraction"):
        np.random.seed(0)
        ds = getattr(edatasets, name)(N=16)
        out[f"datasets/{name}/X"], out[f"datasets/{name}/Y"] = ds.X, ds.Y
        for i, s in enumerate(ds.stats):
            out[f"datasets/{name}/stats{i}"] = np.asarray(s, np.float64)


# -- the pendulum ------------------------------------------------------------------------------------------------------

STAND_INS = {
    "torch": dict(nn=types.ModuleType("torch.nn")),
    "torch.nn": {},
    "torch.utils": {},
    "torch.utils.data": dict(Dataset=object),
    "oil": {}, "oil.utils": {}, "oil.tuning": {},
    "oil.utils.utils": dict(Named=type, export=lambda f: f),
    "oil.tuning.configGenerator": dict(flatten_dict=lambda d: d),
    "trainer": {}, "trainer.classifier": dict(Regressor=object, Classifier=object),
    "objax": {},
}


def hamiltonian_dynamics(emlp_checkout: Path):
    """emlp's ``experiments/trainer/hamiltonian_dynamics.py``, which imports
    torch, oil and its trainer at the top, loaded with stand-ins for them
    (none is used by the Hamiltonian or the vector field)."""
    for name, attributes in STAND_INS.items():
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__dict__.update(attributes)
            module.__path__ = []
            sys.modules[name] = module
    path = emlp_checkout / "experiments" / "trainer" / "hamiltonian_dynamics.py"
    spec = importlib.util.spec_from_file_location("trainer.hamiltonian_dynamics", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pendulum(out: dict, emlp_checkout: Path) -> None:
    module = hamiltonian_dynamics(emlp_checkout)
    system = object.__new__(module.DoubleSpringPendulum)
    np.random.seed(0)
    near = system.sample_initial_conditions(12)
    far = np.random.default_rng(3).normal(size=(8, 12)) * 2.0
    z = np.concatenate([near, far]).astype(np.float64)
    with jax.experimental.enable_x64():
        H = np.array([float(system.H(zi)) for zi in z])
        field = np.array([np.asarray(module.hamiltonian_dynamics(system.H, zi, 0.0)) for zi in z])
    out["pendulum/z"], out["pendulum/H"], out["pendulum/field"] = z, H, field


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emlp", required=True, type=Path, help="a checkout of emlp's repository")
    args = parser.parse_args(argv)
    out, meta = {}, {"emlp": "1.0.3", "layers": {}, "uniform_rep": {}}
    layers(out, meta)
    uniform(out, meta)
    standardize(out)
    datasets(out)
    pendulum(out, args.emlp)
    out["meta"] = np.array(json.dumps(meta))
    with tempfile.NamedTemporaryFile(dir=OUT.parent, suffix=".npz", delete=False) as file:
        np.savez_compressed(file, **out)
    os.replace(file.name, OUT)
    print(f"{OUT}: {OUT.stat().st_size / 1e3:.0f} kB, {len(out)} arrays")
    return 0


if __name__ == "__main__":
    sys.exit(main())
