"""Writes lieconv_reference.npz: LieConv's own numbers (Finzi et al., ICML
2020), which repalg's LieConv groups and spring systems are tested against
without LieConv or torch installed.

Run it with the interpreter of a LieConv virtualenv, from the repository's
root, with a checkout of LieConv's repository (github.com/mfinzi/LieConv; its
``lie_conv`` and ``corm_data`` packages are imported from there, not
installed):

    python3 -m venv ~/.venvs/lieconv
    ~/.venvs/lieconv/bin/pip install torch==2.13.0   # a CPU build
    ~/.venvs/lieconv/bin/pip install --no-deps olive-oil-ml torchdiffeq
    ~/.venvs/lieconv/bin/pip install numpy scipy h5py matplotlib scikit-learn pandas tqdm natsort dill
    ~/.venvs/lieconv/bin/python tests/data/make_lieconv_reference.py --lieconv PATH/TO/LieConv

``lie_conv/datasets.py`` imports torchvision at the top, for its image
datasets only; where torchvision cannot be imported (there is no CPU build of
it for that torch), an empty stand-in is put in its place: the spring systems
use none of it.

What it records, each under its own key prefix (the header ``meta``, a JSON
string, holds LieConv's commit, the seeds, the spring systems' distribution
as read off ``SpringDynamics.sample_system`` and the layout of each array):

- ``springs/energy/...``: LieConv's Hamiltonian of the spring systems
  (``lie_conv.hamiltonian.SpringH``, what ``SpringDynamics`` integrates),
  float64, on fixed states ``z`` (``(S, 24)``: LieConv's state, the 6
  bodies' positions then their momenta, body-major, ``x y`` per body) with
  system parameters ``sysp`` (``(S, 6, 2)``: each body's mass and spring
  constant, as LieConv stacks them, ``torch.stack((masses, k), -1)``):
  twelve of LieConv's own initial conditions and eight states far from them.
  ``H`` (``(S,)``) is the energy.
- ``springs/draw/...``: one call of ``SpringDynamics.sample_system`` for
  ``DRAW`` systems under numpy and torch seed 0: ``masses`` and ``k``
  (``(N, 6)``), ``q0`` and ``p0`` (``(N, 6, 2)``), float32 (LieConv draws
  them in float32 with ``torch.rand``/``torch.randn`` and casts to float64;
  the scaled values are rounded back to float32 here, to keep the file
  small), ``p0`` after LieConv's subtraction of the mean momentum, and
  ``p0_shift`` (``(6, 2)``, float64) the mean it subtracted, so that the
  momenta drawn before the subtraction are ``p0 + p0_shift``. The draw is
  also repeated here, call by call, to read that mean, and checked against
  ``sample_system``'s output. ``meta["springs"]["moments"]`` holds moments
  of a much larger draw (200,000 systems, in LieConv's calls of 5,000; see
  :func:`moments`), for checks tighter than 750 systems allow.
- ``springs/trajectory/...``: LieConv's own integration of four of those
  systems (``DynamicsDataset.sim_trajectories``: ``HamiltonianDynamics`` of
  ``SpringH`` through torchdiffeq's ``odeint_adjoint``, fixed-step RK4 on the
  time grid) for ``traj_len = 201`` steps of ``delta_t = 0.0005``: ``z0``,
  ``sysp``, the times ``ts`` and states ``zs`` (``(4, T, 24)``) at every
  40th time of LieConv's grid.
- ``springs/grid/ts``: the time grid LieConv's ``SpringDynamics`` integrates
  on, with its own ``sim_kwargs`` (``traj_len = 500``, ``delta_t = 0.01``),
  as ``sim_trajectories`` returns it (one system integrated).
- ``lift/cloud/...``: a small point cloud in the plane, ``coords`` (``(2, 5,
  2)``), ``values`` (``(2, 5, 2)``) and ``mask`` (``(2, 5)``; the second
  cloud's last point is padding, with coordinates far off, and its fourth is
  the origin); ``lift/cloud3/...`` the same in space (``(2, 4, 3)``; no axis
  of length 3, where LieConv's ``torch.cross`` without ``dim`` would pick the
  wrong one).
- ``lift/<group>/...`` for LieConv's ``T(2)``, ``SO(2)``, ``RxSO(2)``,
  ``Trivial(2)`` (deterministic lifts) and ``SE(2)`` (3 samples a point),
  ``SO(3)`` and ``SE(3)`` (2 samples a point) on those clouds, in float64
  (torch's default dtype set to float64, so that the sampled lifts draw
  float64 too): ``pairs``, ``values``, ``mask`` (``LieGroup.lift``'s output:
  the pair embeddings ``[log(v⁻¹u), q_u, q_v]`` for every pair of lifted
  points, ``(B, M, M, lie_dim + 2 q_dim)``), ``distance`` (``G.distance`` of
  those pairs, alpha 0.2). For all but ``T(2)`` and ``Trivial(2)`` also
  ``elems`` (``lifted_elems``: each lifted point's Lie algebra
  coordinates, ``(B, M, lie_dim)``, drawn with the same torch seed as the
  lift, and checked to give its pairs through ``elems2pairs``), ``exp`` (the
  group elements ``G.exp(elems)``, matrices).
- ``maps/<group>/...``: ``G.exp`` of fixed Lie algebra coordinates ``a``
  (``exp``, matrices) and ``G.log`` of those matrices (``log``), for
  ``SO(2)``, ``RxSO(2)``, ``SE(2)``, ``SO(3)`` and ``SE(3)``; every angle is
  below π, inside the logarithms' principal range.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.abc
import importlib.machinery
import json
import os
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "lieconv_reference.npz"
DRAW = 750
"""Systems in the recorded initial-condition draw (the file's largest part)."""
MOMENTS = (40, 5000)
"""Calls of ``sample_system`` and systems a call for the moments of a large
draw (LieConv's ``generate_trajectory_data`` draws 5,000 systems a call)."""
ALPHA = 0.2
"""LieConv's default weight of the group part of a distance."""


class _StandIn(types.ModuleType):
    """A module whose every attribute is an empty class: enough for the
    class statements and decorators of LieConv's image datasets."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {})


class _StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Puts a :class:`_StandIn` in place of ``torchvision`` and any of its
    submodules."""

    def find_spec(self, name, path, target=None):
        if name == "torchvision" or name.startswith("torchvision."):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StandIn(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def import_lieconv(checkout: Path):
    """LieConv's ``datasets``, ``hamiltonian`` and ``lieGroups`` modules from
    ``checkout``, with a stand-in for torchvision where it is missing."""
    sys.path.insert(0, str(checkout))
    try:
        import torchvision  # noqa: F401
    except (ImportError, OSError, RuntimeError):  # missing, or a build for another torch (CUDA's)
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]
        sys.meta_path.insert(0, _StandInFinder())
    from lie_conv import datasets, hamiltonian, lieGroups

    return datasets, hamiltonian, lieGroups


@contextlib.contextmanager
def default_dtype(dtype):
    import torch

    before = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def numpy(t):
    return t.detach().cpu().numpy()


# -- the spring systems ------------------------------------------------------------------------------------------------

def repeat_draw(n_systems: int, space_dim: int, seed: int):
    """The momenta ``sample_system`` draws before it subtracts their mean:
    its calls to the generators, one by one, in its order."""
    import torch

    np.random.seed(seed)
    torch.manual_seed(seed)
    n = np.random.choice([6])
    torch.rand(n_systems, n)
    torch.rand(n_systems, n)
    torch.randn(n_systems, n, space_dim)
    return 0.6 * torch.randn(n_systems, n, space_dim).double()


def moments(system) -> dict:
    """Moments of a large draw, ``MOMENTS`` calls of ``sample_system`` under
    numpy and torch seed 1: for each of ``masses``, ``k``, ``q0`` and ``p0``
    (after LieConv's subtraction, over each call's systems) the mean, the
    standard deviation, the least and the greatest value over all entries;
    for ``p0`` also the standard deviation of a system's total momentum (the
    sum over its bodies, each coordinate). ``entries``: how many values each
    moment is over."""
    import torch

    np.random.seed(1)
    torch.manual_seed(1)
    parts = {"masses": [], "k": [], "q0": [], "p0": []}
    for _ in range(MOMENTS[0]):
        z0, (masses, k) = system.sample_system(n_systems=MOMENTS[1], space_dim=2)
        N, n = masses.shape
        parts["masses"].append(numpy(masses))
        parts["k"].append(numpy(k))
        parts["q0"].append(numpy(z0[:, :n * 2]).reshape(N, n, 2))
        parts["p0"].append(numpy(z0[:, n * 2:]).reshape(N, n, 2))
    found = {"calls": MOMENTS[0], "systems_per_call": MOMENTS[1], "seed": dict(numpy=1, torch=1)}
    for name, chunks in parts.items():
        a = np.concatenate(chunks)
        found[name] = dict(mean=float(a.mean()), std=float(a.std()), min=float(a.min()), max=float(a.max()),
                           entries=int(a.size))
    total = np.concatenate(parts["p0"]).sum(1)
    found["p0"].update(total_std=float(total.std()), total_entries=int(total.size))
    return found


def springs(out: dict, meta: dict, datasets, hamiltonian) -> None:
    import torch

    system = object.__new__(datasets.SpringDynamics)
    system.space_dim = 2

    np.random.seed(0)
    torch.manual_seed(0)
    z0, (masses, k) = system.sample_system(n_systems=DRAW, space_dim=2)
    N, n = masses.shape
    q0 = z0[:, :n * 2].reshape(N, n, 2)
    p0 = z0[:, n * 2:].reshape(N, n, 2)
    raw = repeat_draw(DRAW, 2, seed=0)
    shift = raw.mean(0)
    assert torch.equal(raw - shift, p0), "the repeated draw is not sample_system's"
    out["springs/draw/masses"] = numpy(masses).astype(np.float32)
    out["springs/draw/k"] = numpy(k).astype(np.float32)
    out["springs/draw/q0"] = numpy(q0).astype(np.float32)
    out["springs/draw/p0"] = numpy(p0).astype(np.float32)
    out["springs/draw/p0_shift"] = numpy(shift)
    meta["springs"]["moments"] = moments(system)
    meta["springs"]["draw"] = dict(
        seed=dict(numpy=0, torch=0), n_systems=DRAW, n_bodies=int(n), space_dim=2,
        masses=dict(law="scale * U(0, 1) + offset", scale=3.0, offset=0.1),
        k=dict(law="scale * U(0, 1)", scale=5.0),
        q0=dict(law="std * N(0, 1)", std=0.4),
        p0=dict(law="std * N(0, 1) - mean over systems (axis 0, per body and coordinate)", std=0.6,
                mean_axis="systems"),
        batch_size=5000, note="generate_trajectory_data draws min(5000, n_systems) systems a call, so LieConv's "
                              "mean momentum is subtracted over those systems")

    sysp = torch.stack((masses, k), -1)
    far = torch.from_numpy(np.random.default_rng(3).normal(size=(8, 4 * n)) * 2.0)
    z = torch.cat([z0[:12], far])
    params = torch.cat([sysp[:12], sysp[12:20]])
    H = hamiltonian.SpringH(z, params[..., 0], params[..., 1])
    out["springs/energy/z"], out["springs/energy/sysp"], out["springs/energy/H"] = numpy(z), numpy(params), numpy(H)

    systems = slice(20, 24)
    dynamics = system._get_dynamics((masses[systems], k[systems]))
    ts, zs = system.sim_trajectories(z0[systems], dynamics, traj_len=201, delta_t=0.0005)
    every = slice(None, None, 40)
    out["springs/trajectory/z0"] = numpy(z0[systems])
    out["springs/trajectory/sysp"] = numpy(sysp[systems])
    out["springs/trajectory/ts"] = numpy(ts[0, every])
    out["springs/trajectory/zs"] = numpy(zs[:, every])
    meta["springs"]["trajectory"] = dict(traj_len=201, delta_t=0.0005, every=40, method="rk4 (odeint_adjoint)")

    sim_kwargs = dict(traj_len=500, delta_t=0.01)
    one = slice(0, 1)
    ts, _ = system.sim_trajectories(z0[one], system._get_dynamics((masses[one], k[one])), **sim_kwargs)
    out["springs/grid/ts"] = numpy(ts[0])
    meta["springs"]["grid"] = sim_kwargs


# -- the lifts and the maps --------------------------------------------------------------------------------------------

def clouds():
    coords = np.array([[[1.0, 0.5], [-0.3, 1.2], [-1.1, -0.4], [0.6, -0.9], [0.05, 0.02]],
                       [[2.0, -0.7], [0.4, 0.3], [-0.8, 0.9], [0.0, 0.0], [9.0, 9.0]]])
    values = np.random.default_rng(5).normal(size=(2, 5, 2))
    mask = np.array([[True] * 5, [True] * 4 + [False]])
    coords3 = np.array([[[1.0, 0.5, -0.2], [0.3, 1.2, 0.4], [0.8, -0.4, 1.1], [1.5, 0.2, 0.3]],
                        [[0.7, -0.9, 0.2], [1.1, 0.3, -0.6], [0.2, 0.1, 0.9], [7.0, 7.0, 7.0]]])
    values3 = np.random.default_rng(6).normal(size=(2, 4, 2))
    mask3 = np.array([[True] * 4, [True] * 3 + [False]])
    return (coords, values, mask), (coords3, values3, mask3)


MAPS = {
    "SO(2)": [[0.3], [-2.0], [3.0], [1e-4]],
    "RxSO(2)": [[0.2, 0.3], [-1.0, -2.5], [0.0, 3.0], [0.7, 1e-4]],
    "SE(2)": [[0.3, 1.0, -0.5], [-2.5, 0.2, 0.7], [1e-3, 2.0, 1.0], [0.0, -1.0, 0.3], [3.0, -0.4, 1.2]],
    "SO(3)": [[0.1, -0.2, 0.3], [1.0, 0.5, -1.2], [1e-3, 0.0, 2e-3], [0.0, 0.0, 2.5], [-1.5, 1.0, 1.0]],
    "SE(3)": [[0.1, -0.2, 0.3, 1.0, 2.0, -0.5], [1.0, 0.5, -1.2, -0.3, 0.4, 0.9],
              [1e-3, 0.0, 2e-3, 0.5, -1.0, 0.2], [0.0, 0.0, 2.5, 1.0, 1.0, 1.0], [-1.5, 1.0, 1.0, 0.0, -0.7, 0.3]],
}
"""Lie algebra coordinates in LieConv's bases: ``SO(2)`` θ; ``RxSO(2)`` (log
r, θ); ``SE(2)`` (θ, v₁, v₂); ``SO(3)`` ω; ``SE(3)`` (ω, v)."""


def lifts(out: dict, meta: dict, lieGroups) -> None:
    import torch

    planar, spatial = clouds()
    for name, (c, v, m) in (("cloud", planar), ("cloud3", spatial)):
        out[f"lift/{name}/coords"], out[f"lift/{name}/values"], out[f"lift/{name}/mask"] = c, v, m
    plane = tuple(torch.from_numpy(a) for a in planar)
    space = tuple(torch.from_numpy(a) for a in spatial)
    groups = {"T(2)": (lieGroups.T(2), plane, 1), "SO(2)": (lieGroups.SO2(), plane, 1),
              "RxSO(2)": (lieGroups.RxSO2(), plane, 1), "Trivial(2)": (lieGroups.Trivial(2), plane, 1),
              "SE(2)": (lieGroups.SE2(), plane, 3), "SO(3)": (lieGroups.SO3(), space, 2),
              "SE(3)": (lieGroups.SE3(), space, 2)}
    for seed, (name, (G, cloud, nsamples)) in enumerate(groups.items()):
        torch.manual_seed(seed)
        pairs, v, m = G.lift(cloud, nsamples)
        prefix = f"lift/{name}"
        out[f"{prefix}/pairs"], out[f"{prefix}/values"], out[f"{prefix}/mask"] = numpy(pairs), numpy(v), numpy(m)
        out[f"{prefix}/distance"] = numpy(G.distance(pairs))
        entry = dict(nsamples=nsamples, torch_seed=seed, lie_dim=int(G.lie_dim), q_dim=int(G.q_dim),
                     alpha=float(G.alpha), cloud="cloud" if cloud is plane else "cloud3")
        if name not in ("T(2)", "Trivial(2)"):
            torch.manual_seed(seed)
            elems, q = G.lifted_elems(cloud[0], nsamples)
            again = G.elems2pairs(elems)
            if q is not None:
                q_in = q.unsqueeze(-2).expand(*again.shape[:-1], 1)
                q_out = q.unsqueeze(-3).expand(*again.shape[:-1], 1)
                again = torch.cat([again, q_in, q_out], -1)
            assert torch.equal(again, pairs) or not torch.isfinite(pairs).all(), f"{name}: elems are not the lift's"
            out[f"{prefix}/elems"] = numpy(elems)
            out[f"{prefix}/exp"] = numpy(G.exp(elems))
        meta["lift"][name] = entry
    maps = {"SO(2)": lieGroups.SO2(), "RxSO(2)": lieGroups.RxSO2(), "SE(2)": lieGroups.SE2(),
            "SO(3)": lieGroups.SO3(), "SE(3)": lieGroups.SE3()}
    for name, G in maps.items():
        a = torch.tensor(MAPS[name])
        g = G.exp(a)
        out[f"maps/{name}/a"], out[f"maps/{name}/exp"], out[f"maps/{name}/log"] = numpy(a), numpy(g), numpy(G.log(g))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lieconv", required=True, type=Path, help="a checkout of LieConv's repository")
    args = parser.parse_args(argv)
    datasets, hamiltonian, lieGroups = import_lieconv(args.lieconv.resolve())
    import torch

    torch.set_num_threads(1)
    try:
        commit = subprocess.run(["git", "-C", str(args.lieconv), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    meta = {"lieconv": commit, "torch": torch.__version__, "alpha": ALPHA, "springs": {}, "lift": {}}
    out = {}
    springs(out, meta, datasets, hamiltonian)
    with default_dtype(torch.float64):
        lifts(out, meta, lieGroups)
    out["meta"] = np.array(json.dumps(meta))
    with tempfile.NamedTemporaryFile(dir=OUT.parent, suffix=".npz", delete=False) as file:
        np.savez_compressed(file, **out)
    os.chmod(file.name, 0o644)
    os.replace(file.name, OUT)
    print(f"{OUT}: {OUT.stat().st_size / 1e3:.0f} kB, {len(out)} arrays")
    return 0


if __name__ == "__main__":
    sys.exit(main())
