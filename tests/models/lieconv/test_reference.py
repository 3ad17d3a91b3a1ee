"""repalg's LieConv groups and spring systems against LieConv's own numbers
(tests/data/lieconv_reference.npz, written by
tests/data/make_lieconv_reference.py in a LieConv virtualenv; neither LieConv
nor torch is needed here).

How LieConv's conventions map to repalg's, case by case:

- Group names: LieConv's ``T(2)`` is repalg's ``Translation(2)``; ``SO2``,
  ``RxSO2``, ``SE2``, ``SO3``, ``SE3`` and ``Trivial(2)`` are the groups of
  the same names.
- Lie algebra coordinates are in the same order in both: ``SO(2)`` θ;
  ``RxSO(2)`` (log r, θ); ``SE(2)`` (θ, v₁, v₂); ``SO(3)`` ω; ``SE(3)`` (ω,
  v); and ``exp`` is the same map, so ``log`` is too on the principal range.
- A pair embedding is ``[log(v⁻¹u), q_u, q_v]`` in both, with ``u`` the
  lifted point of the first axis and ``v`` of the second (LieConv's
  ``elems2pairs`` puts ``u`` on axis -3 and ``v`` on axis -2, as repalg's
  ``pairs[b, i, j]``), lifted points sample-minor (``M = n·n_samples``).
  LieConv lifts a group element in its log coordinates, repalg in the form
  its ``pairs`` reads (an angle and a point for ``SE(2)``, matrices for
  ``SO(3)`` and ``SE(3)``): the tests convert LieConv's elements to that form.
- Padding: LieConv lifts padded points where their coordinates are, repalg
  from the origin; neither lets them reach anything, so only pairs of valid
  points are compared.
- Angles are compared modulo 2π (both wrap into (−π, π], but a difference of
  exactly ±π may round to either end).
- The spring state is the same vector in both (the bodies' positions, then
  their momenta, ``x y`` per body); LieConv's system parameters are
  ``torch.stack((masses, k), -1)``, ``(systems, bodies, 2)``, which
  flattened is repalg's ``constants`` (mass and spring constant per body).

Where repalg departs from LieConv, the mapping test says so: repalg centres
each system's momenta over its bodies where LieConv subtracts the mean over
the systems of one draw, and it steps exactly ``dt`` where LieConv's time
grid is ``linspace(0, traj_len·dt, traj_len)`` (a step of 0.01002 for 500
steps of 0.01). Both are left for measuring LieConv as LieConv measures it.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg.models.datasets.points import SpringDynamics, spring_energy, spring_trajectories
from repalg.models.lieconv.lie_groups import as_lie_group
from repalg.numeric.precision import float64

from ...reference import fixture

FIXTURE = Path(__file__).resolve().parents[2] / "data" / "lieconv_reference.npz"

NAMES = {"T(2)": "Translation(2)", "SO(2)": "SO(2)", "RxSO(2)": "RxSO(2)", "Trivial(2)": "Trivial(2)",
         "SE(2)": "SE(2)", "SO(3)": "SO(3)", "SE(3)": "SE(3)"}
"""LieConv's name of each group, and repalg's."""

TOLERANCE = {"float64": 1e-12, "float32": 2e-6}
"""Agreement required, relative to the largest value compared: float64
round-off (a few hundred ulps: the two libraries compute the same maps by
different formulas), and float32 round-off for repalg's default precision."""


def reference():
    return fixture(FIXTURE)


def arrays(prefix: str) -> dict:
    found, _ = reference()
    return {k[len(prefix) + 1:]: v for k, v in found.items() if k.startswith(prefix + "/")}


def agree(ours, theirs, tol):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert ours.shape == theirs.shape
    scale = max(np.abs(theirs).max(initial=0.0), 1.0)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=tol * scale)


def angles_agree(ours, theirs, tol):
    """Angles equal modulo 2π."""
    gap = np.angle(np.exp(1j * (np.asarray(ours, np.float64) - np.asarray(theirs, np.float64))))
    np.testing.assert_allclose(gap, 0.0, rtol=0, atol=tol * np.pi)


def valid_pairs(mask):
    mask = np.asarray(mask, bool)
    return mask[:, :, None] & mask[:, None, :]


def precision(dtype: str):
    """repalg computing in ``dtype``: float64 inside a JAX float64 context."""
    return float64() if dtype == "float64" else contextlib.nullcontext()


def call(f, *args):
    """``f`` of ``args`` (numpy arrays, in the current precision), compiled
    as one function: much faster here than JAX's operations one by one."""
    return jax.device_get(jax.jit(f)(*(jnp.asarray(a) for a in args)))


@functools.lru_cache(maxsize=None)
def repalg_lift(group: str, cloud: str, dtype: str, n_samples: int = 1):
    """repalg's lift of one of the fixture's clouds (a fixed key for the
    sampled lifts), as numpy arrays."""
    G = as_lie_group(group)
    found = arrays(f"lift/{cloud}")
    with precision(dtype):
        return call(lambda c, v, m: G.lift(c, v, m, n_samples=n_samples, key=jax.random.PRNGKey(11)),
                    found["coords"].astype(dtype), found["values"].astype(dtype), found["mask"])


def lifted(name: str):
    """LieConv's lift of ``name`` and its entry in ``meta`` (samples a
    point, torch seed, which cloud)."""
    return arrays(f"lift/{name}"), reference()[1]["lift"][name]


def compare_embedding(ours, theirs, G, valid, tol):
    """repalg's pair embedding against LieConv's on ``valid`` pairs: the
    angle coordinates (``SO(2)``'s and ``SE(2)``'s first, ``RxSO(2)``'s
    second) modulo 2π, the rest as numbers."""
    ours, theirs = np.asarray(ours, np.float64)[valid], np.asarray(theirs, np.float64)[valid]
    angle = {"SO(2)": [0], "SE(2)": [0], "RxSO(2)": [1]}.get(G.name, [])
    other = [k for k in range(theirs.shape[-1]) if k not in angle]
    if angle:
        angles_agree(ours[:, angle], theirs[:, angle], tol)
    agree(ours[:, other], theirs[:, other], tol)


# -- the deterministic lifts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["T(2)", "SO(2)", "RxSO(2)", "Trivial(2)"])
def test_deterministic_lifts_are_lieconvs(name, dtype):
    """The lift of LieConv's planar cloud: pair embeddings on valid pairs,
    values and mask exactly. ``RxSO(2)`` at the origin: LieConv's log-radius
    is −∞ there (its pairs are not finite), repalg lifts the origin at radius
    ``ORIGIN_RADIUS``; pairs with that point are left out, after checking
    that LieConv's are indeed not finite."""
    theirs, entry = lifted(name)
    G = as_lie_group(NAMES[name])
    pairs, values, mask = repalg_lift(NAMES[name], entry["cloud"], dtype)
    assert pairs.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(mask, theirs["mask"])
    np.testing.assert_array_equal(values, theirs["values"].astype(dtype))
    valid = valid_pairs(theirs["mask"])
    if name == "RxSO(2)":
        coords = arrays(f"lift/{entry['cloud']}")["coords"]
        origin = np.all(coords == 0, -1)
        assert origin.any() and not np.isfinite(theirs["pairs"][origin[:, :, None] & valid]).all(-1).any()
        valid &= ~origin[:, :, None] & ~origin[:, None, :]
    compare_embedding(pairs, theirs["pairs"], G, valid, TOLERANCE[dtype])


@pytest.mark.parametrize("name", ["SO(2)", "RxSO(2)", "SE(2)", "SO(3)", "SE(3)"])
def test_distances_are_lieconvs(name):
    """``G.distance`` (alpha 0.2, LieConv's default) of LieConv's own pair
    embeddings: the same formula in both libraries for these groups."""
    theirs, entry = lifted(name)
    G = as_lie_group(NAMES[name])
    valid = valid_pairs(theirs["mask"]) & np.isfinite(theirs["pairs"]).all(-1)
    with float64():
        ours = call(lambda pairs: G.distance(pairs, entry["alpha"]), theirs["pairs"])
    agree(ours[valid], theirs["distance"][valid], TOLERANCE["float64"])


@pytest.mark.parametrize("name, factor", [("T(2)", "alpha"), ("Trivial(2)", "1 - alpha")])
def test_distances_of_one_part_are_lieconvs_up_to_its_weight(name, factor):
    """For a group with a single orbit (translations) or a trivial group,
    LieConv's generic ``distance`` still weighs its one part, by alpha or by
    1 − alpha (the other part is the norm of an empty vector, 0); repalg
    returns that part unweighted. A constant factor changes no ordering, and
    repalg uses distances only through their order (the ball holds the
    ``fill`` fraction of nearest points; farthest-point subsampling picks
    maxima of minima), so the law is: repalg's distance times LieConv's weight
    is LieConv's distance."""
    theirs, entry = lifted(name)
    G = as_lie_group(NAMES[name])
    weight = {"alpha": entry["alpha"], "1 - alpha": 1 - entry["alpha"]}[factor]
    valid = valid_pairs(theirs["mask"])
    with float64():
        ours = call(lambda pairs: G.distance(pairs, entry["alpha"]), theirs["pairs"])
    agree(weight * ours[valid], theirs["distance"][valid], TOLERANCE["float64"])


# -- the sampled lifts ------------------------------------------------------------------------------------------------

def lieconv_elements(name: str):
    """LieConv's lifted elements (log coordinates), its matrices ``exp`` of
    them, the lifted points (each point repeated for its samples) and the
    lifted mask."""
    theirs, entry = lifted(name)
    ns = entry["nsamples"]
    coords = np.repeat(arrays(f"lift/{entry['cloud']}")["coords"], ns, axis=1)
    return theirs, entry, coords, theirs["mask"]


@pytest.mark.parametrize("name", ["SE(2)", "SO(3)", "SE(3)"])
def test_lieconvs_lifted_elements_carry_the_orbit_origin_to_their_point(name):
    """repalg's ``exp`` of LieConv's lifted elements is LieConv's group
    element, and it carries the origin of the orbit to the lifted point, as
    both libraries lift: ``T(x)R`` maps 0 to ``x`` (``SE``), and the frame
    ``R`` maps ``e₁`` to ``x / |x|`` (``SO(3)``: both take ``e₁`` as the
    orbit's origin)."""
    theirs, _, coords, mask = lieconv_elements(name)
    G = as_lie_group(NAMES[name])
    with float64():
        g = call(G.exp, theirs["elems"])
    agree(g[mask], theirs["exp"][mask], TOLERANCE["float64"])
    if name == "SO(3)":
        moved, target = g[..., :, 0], coords / np.linalg.norm(coords, axis=-1, keepdims=True)
    else:
        d = G.d
        moved, target = g[..., :d, d], coords
    agree(moved[mask], target[mask], TOLERANCE["float64"])


@pytest.mark.parametrize("name", ["SE(2)", "SO(3)", "SE(3)"])
def test_pairs_of_lieconvs_lifted_elements_are_lieconvs(name):
    """repalg's ``pairs`` on LieConv's lifted elements is LieConv's
    embedding ``log(v⁻¹u)``. LieConv's elements in repalg's form: for
    ``SE(2)`` ``(θ, x)`` with θ LieConv's first log coordinate and ``x`` the
    lifted point (LieConv lifts ``x`` to ``T(x)R(θ)``); for ``SO(3)`` and
    ``SE(3)`` LieConv's matrices ``exp(a)``."""
    theirs, _, coords, mask = lieconv_elements(name)
    G = as_lie_group(NAMES[name])
    valid = valid_pairs(mask)
    u = np.concatenate([theirs["elems"][..., :1], coords], -1) if name == "SE(2)" else theirs["exp"]
    with float64():
        ours = call(G.pairs, u)
    # the logarithm is ill-conditioned near angle π (SE(3)'s pairs here reach 3.11): 1e-10
    compare_embedding(ours, theirs["pairs"][..., :G.lie_dim], G, valid, 1e-10)


def test_sampled_lift_is_laid_out_as_lieconvs():
    """repalg's own sampled lift of ``SE(2)`` (its random numbers, not
    LieConv's): the embedding's shape, values and mask repeated per sample
    exactly as LieConv's (sample-minor). The layout is the base class's,
    shared by every group (``SO(3)``'s and ``SE(3)``'s lifts, slow to
    compile, are left out)."""
    theirs, entry = lifted("SE(2)")
    pairs, values, mask = repalg_lift("SE(2)", entry["cloud"], "float64", entry["nsamples"])
    assert pairs.shape == theirs["pairs"].shape
    np.testing.assert_array_equal(values, theirs["values"])
    np.testing.assert_array_equal(mask, theirs["mask"])


def test_se2_lifts_of_one_point_are_lieconvs_whatever_the_draw():
    """The part of ``SE(2)``'s sampled lift that does not depend on the
    random offset: both libraries lift a point to ``n_samples`` rotations
    evenly spaced from a uniform random angle (LieConv:
    ``linspace(−π, π, ns + 1)[1:] + 2π·U``; repalg: ``2πk/ns + U(−π, π)``),
    so the embedding of two lifts of the same point is
    ``(2π(s − t)/ns, 0, 0)`` in both, whatever was drawn."""
    theirs, entry = lifted("SE(2)")
    ns = entry["nsamples"]
    pairs, _, _ = repalg_lift("SE(2)", entry["cloud"], "float64", ns)
    B, M = theirs["mask"].shape
    n = M // ns
    point = np.arange(n)
    # the pairs (point i, sample s; point i, sample t): indexed (i, b, s, t, component)
    mine = np.asarray(pairs).reshape(B, n, ns, n, ns, 3)[:, point, :, point]
    lieconv = theirs["pairs"].reshape(B, n, ns, n, ns, 3)[:, point, :, point]
    valid = arrays(f"lift/{entry['cloud']}")["mask"].T  # (i, b)
    angles_agree(mine[valid][..., 0], lieconv[valid][..., 0], TOLERANCE["float64"])
    agree(mine[valid][..., 1:], lieconv[valid][..., 1:], TOLERANCE["float64"])
    assert np.ptp(np.abs(lieconv[valid][..., 0])) > 1  # the test sees distinct angles


@pytest.mark.parametrize("name", ["SO(2)", "RxSO(2)", "SE(2)", "SO(3)", "SE(3)"])
def test_exp_and_log_are_lieconvs(name):
    """``exp`` of fixed Lie algebra coordinates (LieConv's basis order) is
    LieConv's matrix; repalg's ``log`` of LieConv's matrix is LieConv's
    ``log`` (all angles inside the principal range)."""
    theirs = arrays(f"maps/{name}")
    G = as_lie_group(name)
    with float64():
        g, a = call(lambda a, g: (G.exp(a), G.log(g)), theirs["a"], theirs["exp"])
    agree(g, theirs["exp"], TOLERANCE["float64"])
    agree(a, theirs["log"], TOLERANCE["float64"])


# -- the spring systems: energy and dynamics ---------------------------------------------------------------------------

def constants(sysp):
    """LieConv's ``(systems, bodies, 2)`` system parameters as repalg's
    ``(systems, 2·bodies)`` constants: (mass, spring constant) per body."""
    sysp = np.asarray(sysp)
    return sysp.reshape(len(sysp), -1)


def test_spring_energy_is_lieconvs():
    """``spring_energy`` is LieConv's ``SpringH`` (float64) on its initial
    conditions and on states far from them."""
    found = arrays("springs/energy")
    ours = spring_energy(found["z"], constants(found["sysp"]))
    np.testing.assert_allclose(ours, found["H"], rtol=1e-12, atol=1e-12)


def test_spring_trajectories_follow_lieconvs_integration():
    """repalg's exact trajectories at LieConv's times are LieConv's own
    integration of its Hamiltonian (RK4 on its grid, step h = 5.025e-4).
    These systems' frequencies are at most ω = 23, so ``hω ≤ 0.012``, and
    RK4's global error over t = 0.1 s is of order ``(hω)⁴·ωt/120``, 4e-10 of
    the state's scale: 1e-8 leaves a margin and is far below what a wrong
    force or layout gives."""
    found = arrays("springs/trajectory")
    ours = spring_trajectories(found["z0"], constants(found["sysp"]), found["ts"])
    agree(ours, found["zs"], 1e-8)
    assert np.abs(found["zs"][:, -1] - found["zs"][:, 0]).max() > 0.1  # the states do move


# -- the spring systems: the initial-condition draw --------------------------------------------------------------------

DRAWN = 20000
"""Systems in repalg's draw (120,000 masses, 240,000 coordinates)."""

SIGMAS = 5
"""Each moment of repalg's draw must lie within 5 standard errors of
LieConv's (both draws' errors combined; a Gaussian's error of a standard
deviation, larger than a uniform's): a false alarm has odds below 1e-6 per
check. With 20,000 systems here and 200,000 in LieConv's moments the bounds
come to about 1% of each mean and standard deviation (0.9% for the momenta;
4% where the momenta are compared with the 750 recorded systems), so a noise
scale or a range wrong by 2% fails, and so does a missing subtraction of the
mean momentum (its standard deviation 9.5% too large, and the total momentum
not zero)."""


@pytest.fixture(scope="module")
def repalg_draw(tmp_path_factory):
    """repalg's ``SpringDynamics`` initial conditions: with ``traj_len =
    chunk_len`` the one chunk starts at t = 0, so the rows' states are the
    drawn ones (to round-off). The disk cache goes to a temporary folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPALG_DATA_DIR", str(tmp_path_factory.mktemp("springs")))
        ds = SpringDynamics(N=DRAWN, seed=0, traj_len=5, chunk_len=5)
    n = ds.n_bodies
    X = np.asarray(ds.X, np.float64)
    q0, p0 = X[:, :2 * n].reshape(DRAWN, n, 2), X[:, 2 * n:4 * n].reshape(DRAWN, n, 2)
    c = X[:, 4 * n:].reshape(DRAWN, n, 2)
    return {"masses": c[..., 0], "k": c[..., 1], "q0": q0, "p0": p0, "n": n}


def lieconv_draw():
    found = arrays("springs/draw")
    return {name: found[name].astype(np.float64) for name in ("masses", "k", "q0", "p0")} | {
        "p0_raw": found["p0"].astype(np.float64) + found["p0_shift"]}


def standard_errors(std, entries):
    """Standard errors of a mean and of a standard deviation over ``entries``
    independent values: ``σ/√n`` and ``σ/√(2n)`` (the latter a Gaussian's; a
    uniform's is smaller)."""
    return std / np.sqrt(entries), std / np.sqrt(2 * entries)


def close(value, expected, *errors):
    bound = SIGMAS * np.sqrt(sum(e**2 for e in errors))
    assert abs(value - expected) <= bound, f"{value} vs LieConv's {expected} (within {bound})"


def test_lieconv_draws_what_the_fixture_says():
    """The fixture's own consistency: the moments of the large draw and the
    recorded draw follow the laws ``meta`` reads off LieConv's code, so the
    tests below compare with what LieConv draws."""
    meta = reference()[1]["springs"]
    law, moments, found = meta["draw"], meta["moments"], lieconv_draw()
    low, high = law["masses"]["offset"], law["masses"]["offset"] + law["masses"]["scale"]
    assert low <= found["masses"].min() and found["masses"].max() <= high
    assert 0 <= found["k"].min() and found["k"].max() <= law["k"]["scale"]
    close(moments["masses"]["std"], law["masses"]["scale"] / np.sqrt(12),
          *standard_errors(moments["masses"]["std"], moments["masses"]["entries"])[1:])
    close(moments["q0"]["std"], law["q0"]["std"], *standard_errors(law["q0"]["std"], moments["q0"]["entries"])[1:])
    # LieConv's mean momentum is subtracted over the systems of a call: zero for each body and coordinate
    np.testing.assert_allclose(found["p0"].mean(0), 0, atol=1e-7)
    assert abs(found["p0"].sum(1)).mean() > 0.5  # while a system's total momentum is not


@pytest.mark.parametrize("name", ["masses", "k", "q0"])
def test_initial_draw_has_lieconvs_distribution(repalg_draw, name):
    """Masses, spring constants and positions: the mean and standard
    deviation of repalg's draw against the moments of LieConv's large draw,
    the support against LieConv's law, and the shape against LieConv's
    recorded draw (a two-sample Kolmogorov–Smirnov distance below its
    critical value at level 1e-4)."""
    meta = reference()[1]["springs"]
    theirs, ours = meta["moments"][name], repalg_draw[name].ravel()
    mean_error, std_error = standard_errors(theirs["std"], theirs["entries"])
    ours_mean_error, ours_std_error = standard_errors(ours.std(), ours.size)
    close(ours.mean(), theirs["mean"], mean_error, ours_mean_error)
    close(ours.std(), theirs["std"], std_error, ours_std_error)
    law = meta["draw"][name]
    if name == "masses":
        assert law["offset"] <= ours.min() and ours.max() <= law["offset"] + law["scale"]
    elif name == "k":
        assert 0 <= ours.min() and ours.max() <= law["scale"]
    sample = lieconv_draw()[name].ravel()
    assert ks_distance(ours, sample) < ks_critical(ours.size, sample.size)


def ks_distance(a, b):
    """The two-sample Kolmogorov–Smirnov statistic: the largest gap between
    the empirical distribution functions of ``a`` and ``b``."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size
                         - np.searchsorted(b, grid, side="right") / b.size))


def ks_critical(n, m, level=1e-4):
    """The two-sample Kolmogorov–Smirnov statistic's critical value for
    independent samples of sizes ``n`` and ``m`` (asymptotic:
    ``√(−ln(level/2)/2)·√(1/n + 1/m)``)."""
    return np.sqrt(-np.log(level / 2) / 2) * np.sqrt(1 / n + 1 / m)


def test_initial_momenta_are_lieconvs_centred_on_each_system(repalg_draw):
    """Momenta. LieConv draws ``0.6·N(0, 1)`` and subtracts the mean over
    the systems of a call (each body and coordinate); repalg draws the same
    noise and subtracts the mean over each system's bodies (so its centre of
    mass rests; its docstring says so). The mapping applies repalg's
    subtraction to LieConv's noise: LieConv's momenta before its subtraction
    (``p0 + p0_shift``), less their mean over bodies, must have the
    distribution of repalg's. With independent bodies of variance σ²,
    centring over n bodies leaves variance σ²(1 − 1/n) on n − 1 degrees of
    freedom per system and coordinate; σ² is also read, more precisely, from
    LieConv's large draw (its variance after subtracting a mean over 5,000
    systems is σ²(1 − 1/5000)). A system's total momentum is zero in repalg."""
    n, ours = repalg_draw["n"], repalg_draw["p0"]
    np.testing.assert_allclose(ours.sum(1), 0, atol=1e-12)
    dof_ours = DRAWN * (n - 1) * 2
    raw = lieconv_draw()["p0_raw"]
    mapped = raw - raw.mean(1, keepdims=True)
    dof_mapped = len(raw) * (n - 1) * 2
    spread = np.sqrt(np.sum(ours**2) / dof_ours)
    close(spread, np.sqrt(np.sum(mapped**2) / dof_mapped), spread / np.sqrt(2 * dof_ours),
          spread / np.sqrt(2 * dof_mapped))
    moments = reference()[1]["springs"]["moments"]
    per_call = moments["systems_per_call"]
    sigma = moments["p0"]["std"] / np.sqrt(1 - 1 / per_call)
    close(np.sqrt(np.sum(ours**2) / (DRAWN * n * 2)), sigma * np.sqrt(1 - 1 / n),
          sigma / np.sqrt(2 * dof_ours), sigma / np.sqrt(2 * moments["p0"]["entries"]))
    body = ours[:, 0, 0]
    assert ks_distance(body, mapped[:, 0, 0]) < ks_critical(body.size, len(mapped))
