"""repalg's layers, EMLP, uniform_rep, Standardize, datasets and pendulum
against emlp 1.0.3's own numbers (tests/data/emlp_reference.npz, written by
tests/data/make_emlp_reference.py in emlp's virtualenv; emlp is not needed
here).

emlp's parameters are mapped into repalg's, and the outputs must agree to
float32 round-off:

- ``Linear``: emlp trains a full matrix ``w`` and uses ``W = P w`` with the
  projector ``P = Q Qᵀ``; repalg trains coefficients ``c`` with ``W = Q c``,
  so ``c = Qᵀ vec(w)`` (and the same for the bias) is the same layer;
- ``BiLinear``: emlp's parameters fill, block by block, copies of W from
  copies of x; the fixture records the W and x coordinates of every
  parameter, and each is moved to repalg's parameter for the same pair of
  coordinates, in the order repalg documents (W's canonical copies, then x's
  copies), with emlp's choice of x's copies fixed to repalg's (the first).
"""

from __future__ import annotations

import re
from pathlib import Path

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg.models import EMLP, BiLinear, GatedNonlinearity, Linear, Standardize, gate_indices, uniform_rep
from repalg.models.binding import as_group, as_rep
from repalg.reps import bilinear_weights
from repalg.models.datasets import Inertia, O5Synthetic, ParticleInteraction, pendulum
from repalg.symbolic.constructors import T

from ..reference import fixture

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "emlp_reference.npz"


def reference():
    return fixture(FIXTURE)


def arrays(prefix: str) -> dict:
    found, _ = reference()
    return {k[len(prefix) + 1:]: v for k, v in found.items() if k.startswith(prefix + "/")}


LAYER_CASES = ["O(3)", "O(5)", "O(1,3)", "S(5)"]


def case(name: str):
    entry = reference()[1]["layers"][name]
    if entry["group"] is None:
        return as_rep(entry["rep_in"], None), [as_rep(entry["rep_out"], None)], None, entry
    G = as_group(entry["group"])
    return as_rep(entry["rep_in"], G), [as_rep(h, G) for h in entry["hidden"]], G, entry


def gated_rep(rep):
    from repalg.models import gated
    return gated(rep)


def agree(ours, theirs, rtol=2e-5):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert ours.shape == theirs.shape
    scale = max(np.abs(theirs).max(), 1e-3)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=rtol * scale)


# -- mapping emlp's parameters -----------------------------------------------------------------------------------------

def linear_coefficients(rep_in, rep_out, w, b) -> dict:
    """emlp's full ``w`` (out, in) and ``b`` (out,) as repalg's coefficients."""
    Qw = (rep_in >> rep_out).equivariant_basis().dense()
    Qb = rep_out.equivariant_basis().dense()
    return {"w": (Qw.T @ np.asarray(w, np.float64).reshape(-1)).astype(np.float32),
            "b": (Qb.T @ np.asarray(b, np.float64)).astype(np.float32)}


def pairing(w_coords, x_coords) -> frozenset:
    """A bilinear parameter as what it does: which coordinate of W (flattened
    ``out x in``) it fills from which coordinate of x. (A copy's coordinates
    may be listed in another order by emlp and by repalg, as emlp keeps the
    factors of ``V(SO(2))*V(S(3))`` in the user's order and repalg sorts them;
    the pairs are the same.)"""
    return frozenset(zip(np.asarray(w_coords).tolist(), np.asarray(x_coords).tolist()))


def repalg_bilinear_slots(rep_out, rep_in) -> list:
    """repalg's BiLinear parameters in their documented order: for each copy
    of a canonical monomial of ``rep_in >> rep_out`` that x also holds (not a
    scalar), one parameter per copy of x used (the first ``min(copies,
    size)``), each as the pairs of coordinates it joins (``pairing``)."""
    w_rep = rep_in >> rep_out
    w_layout, x_layout = w_rep.layout(), rep_in.layout()
    x_copies, start = {}, 0
    for monomial, count in rep_in.canonical_terms():
        width = monomial.size()
        if monomial.atoms():
            x_copies[monomial] = x_layout[start:start + count * width].reshape(count, width)
        start += count * width
    slots, start = [], 0
    for monomial, count in w_rep.canonical_terms():
        width = monomial.size()
        for _ in range(count):
            if monomial in x_copies:
                for copy in x_copies[monomial][:min(len(x_copies[monomial]), width)]:
                    slots.append(pairing(w_layout[start:start + width], copy))
            start += width
    return slots


def bilinear_parameters(prefix: str, w, rep_out, rep_in) -> np.ndarray:
    """emlp's BiLinear parameters ``w``, laid out by the blocks recorded
    under ``prefix``, moved to repalg's slots."""
    blocks = arrays(prefix)
    theirs, at = {}, 0
    for k in range(sum(name.endswith("/w_coords") for name in blocks)):
        w_coords, x_coords = blocks[f"block{k:03d}/w_coords"], blocks[f"block{k:03d}/x_coords"]
        for row in w_coords:
            for copy in x_coords:
                theirs[pairing(row, copy)] = w[at]
                at += 1
    assert at == len(w), "the fixture's blocks do not cover emlp's parameters"
    slots = repalg_bilinear_slots(rep_out, rep_in)
    missing = [s for s in slots if s not in theirs]
    assert not missing and len(slots) == len(theirs), (
        f"{len(missing)} of repalg's {len(slots)} bilinear parameters pair coordinates emlp's "
        f"{len(theirs)} do not")
    return np.array([theirs[s] for s in slots], np.float32)


def apply(module, params, x):
    f = hk.without_apply_rng(hk.transform(lambda x: module()(x)))
    return np.asarray(jax.jit(f.apply)(params, jnp.asarray(x)))


# -- the layers --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LAYER_CASES + ["mixed"])
def test_linear_is_emlps(name):
    rep_in, hidden, G, _ = case(name)
    rep_out = hidden[0] if G is None else gated_rep(hidden[0])
    found = arrays(f"layers/{name}/linear")
    params = {"linear": linear_coefficients(rep_in, rep_out, found["params/hk_linear/w"], found["params/hk_linear/b"])}
    agree(apply(lambda: Linear(rep_in, rep_out), params, found["x"]), found["y"])


@pytest.mark.parametrize("name", LAYER_CASES + ["mixed"])
def test_bilinear_is_emlps(name):
    _, hidden, G, _ = case(name)
    rep = hidden[0] if G is None else gated_rep(hidden[0])
    found = arrays(f"layers/{name}/bilinear")
    w = bilinear_parameters(f"layers/{name}/bilinear", found["params/hk_bi_linear/w"], rep, rep)
    agree(apply(lambda: BiLinear(rep, rep), {"bi_linear": {"w": w}}, found["x"]), found["y"])


@pytest.mark.parametrize("name", LAYER_CASES + ["mixed"])
def test_bilinear_weights_are_emlps(name):
    """``bilinear_weights`` (emlp's public function): the matrix W(x)."""
    _, hidden, G, _ = case(name)
    rep = hidden[0] if G is None else gated_rep(hidden[0])
    found = arrays(f"layers/{name}/bilinear")
    w = bilinear_parameters(f"layers/{name}/bilinear", found["params/hk_bi_linear/w"], rep, rep)
    size, weights = bilinear_weights(rep, rep)
    assert size == len(w)
    agree(weights(jnp.asarray(w), jnp.asarray(found["x"])), found["weights"])


@pytest.mark.parametrize("name", LAYER_CASES)
def test_gates_are_emlps(name):
    _, hidden, _, _ = case(name)
    found = arrays(f"layers/{name}/gates")
    np.testing.assert_array_equal(gate_indices(hidden[0]), found["indices"])
    agree(apply(lambda: GatedNonlinearity(hidden[0]), {}, found["x"]), found["y"], rtol=1e-6)


def emlp_parameters(name: str, rep_in, hidden, rep_out) -> dict:
    """emlp's EMLP parameters (``sequential/hk_linear``, ``_1``, … and
    ``hk_bi_linear``, …, in the order the blocks make them) as repalg's."""
    found = arrays(f"layers/{name}/emlp")

    def module(kind, i):
        return f"params/sequential/{kind}" + (f"_{i}" if i else "")

    reps = [rep_in] + hidden
    params = {}
    for i, (a, b) in enumerate(zip(reps, reps[1:])):
        block = "emlp/emlp_block" + (f"_{i}" if i else "")
        g = gated_rep(b)
        params[f"{block}/linear"] = linear_coefficients(a, g, found[module("hk_linear", i) + "/w"],
                                                        found[module("hk_linear", i) + "/b"])
        params[f"{block}/bi_linear"] = {"w": bilinear_parameters(f"layers/{name}/emlp/bilinear{i}",
                                                                 found[module("hk_bi_linear", i) + "/w"], g, g)}
    last = len(hidden)
    params["emlp/linear"] = linear_coefficients(reps[-1], rep_out, found[module("hk_linear", last) + "/w"],
                                                found[module("hk_linear", last) + "/b"])
    return params


@pytest.mark.parametrize("name", LAYER_CASES)
def test_emlp_is_emlps(name):
    rep_in, hidden, G, entry = case(name)
    rep_out = as_rep(entry["rep_out"], G)
    found = arrays(f"layers/{name}/emlp")
    params = emlp_parameters(name, rep_in, hidden, rep_out)
    agree(apply(lambda: EMLP(rep_in, rep_out, G, ch=hidden), params, found["x"]), found["y"])


def test_the_fixture_moves_every_parameter():
    """The mapping is a bijection: emlp's parameters are all used, once."""
    rep_in, hidden, G, entry = case("O(3)")
    found = arrays("layers/O(3)/emlp")
    theirs = sum(v.size for k, v in found.items() if k.startswith("params/") and "bi_linear" in k)
    ours = sum(v["w"].size for k, v in emlp_parameters("O(3)", rep_in, hidden, as_rep(entry["rep_out"], G)).items()
               if "bi_linear" in k)
    assert ours == theirs == 289 + 94


# -- uniform_rep -------------------------------------------------------------------------------------------------------

def monomial(rep):
    """The canonical monomial of ``rep``, a single tensor type."""
    (term, count), = rep.canonical_terms()
    assert count == 1
    return term


@pytest.mark.parametrize("group", ["O(3)", "SO(3)", "O(5)", "O(1,3)", "SO+(1,3)", "Sp(2)", "SL(3)", "S(5)", "Z(4)",
                                   "SO(2)"])
def test_uniform_rep_allocates_as_emlp(group):
    """Where emlp's allocation is deterministic (every orthogonal group: its
    T(p, q) are all T(p + q)), repalg's is the same; elsewhere the tensors
    per rank and the even binomial split are emlp's, and the remainder of a
    rank goes to the types nearest the middle (emlp draws it at random)."""
    G = as_group(group)
    found, meta = arrays(f"uniform_rep/{group}"), reference()[1]["uniform_rep"][group]
    ours = dict(uniform_rep(meta["ch"], G).canonical_terms())
    kinds = [monomial(T(int(p), int(q))(G)) for p, q in found["types"]]
    if meta["deterministic"]:
        theirs = {}
        for kind, count in zip(kinds, found["draws"][0]):
            theirs[kind] = theirs.get(kind, 0) + int(count)
        assert {k: v for k, v in ours.items()} == {k: v for k, v in theirs.items() if v}
        return
    assert len(set(kinds)) == len(kinds), "a group with a random remainder tells T(p, q) from T(p + q, 0)"
    counts = np.array([ours.get(kind, 0) for kind in kinds])
    assert sum(ours.values()) == counts.sum()  # nothing outside the T(p, q) of emlp's ranks
    ranks = found["types"].sum(1)
    for r, n in enumerate(found["ranks"]):
        here = ranks == r
        assert counts[here].sum() == n
        left = counts[here] - found["even"][here]
        assert (left >= 0).all() and left.sum() == n % 2**r and left.max(initial=0) <= 1
        middle = np.abs(2 * found["types"][here][:, 0] - r)
        if left.sum():
            assert middle[left == 1].max() <= np.sort(middle)[left.sum() - 1]


def test_uniform_reps_remainder_goes_to_the_types_nearest_the_middle():
    """Where emlp draws a rank's remainder at random, repalg gives it to the
    types T(k, r - k) nearest k = r/2 (the smaller k first): at ch 216 for
    SL(3), d = 3, the rank-3 tensors are 2 (two passes of (r + 1) d^r = 108
    channels), none from the even split of 2^3 = 8, so one each of T(1, 2)
    and T(2, 1), not T(0, 3) or T(3, 0)."""
    G = as_group("SL(3)")
    ours = dict(uniform_rep(216, G).canonical_terms())
    rank3 = {k: ours.get(monomial(T(k, 3 - k)(G)), 0) for k in range(4)}
    assert rank3 == {0: 0, 1: 1, 2: 1, 3: 0}


@pytest.mark.parametrize("group", ["SO(2)", "O(3)"])
def test_uniform_rep_fills_every_channel(group):
    """emlp's allocation takes (r + 1) d^r channels per pass down to zero, so
    its uniform_rep(ch) has exactly ch channels, for every ch: also where a
    rank's remainder outnumbers its types (5 tensors of rank 3 from SO(2)'s
    ch = 226, which once lost one)."""
    G = as_group(group)
    assert [ch for ch in range(1, 700) if uniform_rep(ch, G).size() != ch] == []


# -- Standardize, the datasets, the pendulum ---------------------------------------------------------------------------

@pytest.mark.parametrize("count", [2, 4])
def test_standardize_is_emlps(count):
    found = arrays("standardize")
    stats = tuple(found[f"stats{i}"] for i in range(count))
    wrapped = Standardize(lambda x: x @ found["A"], stats)
    np.testing.assert_allclose(np.asarray(wrapped(found["x"].astype(np.float32))), found[f"y{count}"], rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("model, stats, error, message", [
    (abs, (1.0,), ValueError,
     "Standardize's stats are (mu_x, sigma_x) or (mu_x, sigma_x, mu_y, sigma_y); got a tuple of 1"),
    (abs, 3.0, ValueError, "Standardize's stats are (mu_x, sigma_x) or (mu_x, sigma_x, mu_y, sigma_y); got 3.0"),
    (abs, (0.0, 0.0), ValueError, "Standardize's sigma_x must be finite and nonzero, got 0.0"),
    (abs, (0.0, 1.0, 0.0, np.inf), ValueError, "Standardize's sigma_y must be finite and nonzero, got inf"),
    (3, (0.0, 1.0), TypeError, "Standardize wraps a callable model, got 3"),
])
def test_standardize_refuses_what_emlp_would_divide_by(model, stats, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        Standardize(model, stats)


TARGETS = {"Inertia": (Inertia, dict(k=5)), "O5Synthetic": (O5Synthetic, {}),
           "ParticleInteraction": (ParticleInteraction, {})}


@pytest.mark.parametrize("name", TARGETS)
def test_targets_and_statistics_are_emlps_on_emlps_inputs(name):
    cls, options = TARGETS[name]
    found = arrays(f"datasets/{name}")
    np.testing.assert_allclose(cls.target(found["X"], **options), found["Y"], rtol=1e-12, atol=1e-12)
    for ours, theirs in zip(cls.statistics(found["X"], found["Y"]), [found[f"stats{i}"] for i in range(4)]):
        np.testing.assert_allclose(np.broadcast_to(ours, np.shape(theirs)), theirs, rtol=1e-12)


def test_the_pendulum_is_emlps():
    found = arrays("pendulum")
    np.testing.assert_allclose(pendulum.energy(found["z"]), found["H"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pendulum.vector_field(found["z"]), found["field"], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("model", ["EMLP", "MLP"])
def test_the_models_take_emlps_defaults(model):
    """``EMLP(rep_in, rep_out, group, ch=384, num_layers=3)`` and the same
    for ``MLP``, in ``emlp/nn/haiku.py`` and ``emlp/nn/objax.py``."""
    import inspect

    import repalg.models
    parameters = inspect.signature(getattr(repalg.models, model)).parameters
    assert list(parameters)[:3] == ["rep_in", "rep_out", "group"]
    assert (parameters["ch"].default, parameters["num_layers"].default) == (384, 3)
