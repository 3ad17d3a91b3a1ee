"""The datasets: shapes, seeds, targets recomputed from the physics, the
symmetry of the data, the cube test sets, and group augmentation."""

import functools
import itertools
import json
from pathlib import Path

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg.groups import SO, SO13p, Z, Cube, Lorentz, O
from repalg.models.datasets import (
    DATASETS,
    BrokenRubiksCube,
    DoubleSpringPendulum,
    Inertia,
    InvertedCube,
    O5Synthetic,
    ParticleInteraction,
    RotatedDigits,
    SpringDynamics,
    group_augmentation,
    sampler,
)
from repalg.models.datasets.cubes import FACE_EXCHANGE, template_accuracy

ETA = np.diag([1.0, -1.0, -1.0, -1.0])

REGRESSION = {
    "Inertia": lambda seed: Inertia(N=6, k=3, seed=seed),
    "O5Synthetic": lambda seed: O5Synthetic(N=6, seed=seed),
    "ParticleInteraction": lambda seed: ParticleInteraction(N=6, seed=seed),
}


# the targets, one example at a time, from the physics ------------------------

def inertia(x, k):
    masses, positions = x[:k], x[k:].reshape(k, 3)
    return sum(m * (r @ r * np.eye(3) - np.outer(r, r)) for m, r in zip(masses, positions)).ravel()


def o5(x):
    x1, x2 = x[:5], x[5:]
    n1, n2 = np.sqrt(x1 @ x1), np.sqrt(x2 @ x2)
    return np.array([np.sin(n1) - n2**3 / 2 + (x1 @ x2) / (n1 * n2)])


def minkowski(a, b):
    return a[0] * b[0] - a[1:] @ b[1:]


def amplitude(x):
    """emlp's ParticleInteraction: 4 L_e^{μν} L_μ,μν with the metric's indices written out."""
    p1, p2, p3, p4 = x.reshape(4, 4)
    total = 0.0
    for mu, nu in itertools.product(range(4), repeat=2):
        L_e = p1[mu] * p3[nu] - (minkowski(p1, p3) - minkowski(p1, p1)) * ETA[mu, nu]
        L_mu = ETA[mu, mu] * p2[mu] * ETA[nu, nu] * p4[nu] - (minkowski(p2, p4) - minkowski(p2, p2)) * ETA[mu, nu]
        total += L_e * L_mu
    return np.array([4 * total])


TARGETS = {"Inertia": lambda x: inertia(x, 3), "O5Synthetic": o5, "ParticleInteraction": amplitude}


@functools.lru_cache(maxsize=None)
def rubiks_test_set(seed):
    """BrokenRubiksCube's test set, built once a seed (G.samples on 48×48 takes a while)."""
    return BrokenRubiksCube(train=False, seed=seed)


# shapes, seeds, indexing -------------------------------------------------------

def test_registry_names_the_classes():
    assert DATASETS == {"Inertia": Inertia, "O5Synthetic": O5Synthetic, "ParticleInteraction": ParticleInteraction,
                        "InvertedCube": InvertedCube, "BrokenRubiksCube": BrokenRubiksCube,
                        "DoubleSpringPendulum": DoubleSpringPendulum, "RotatedDigits": RotatedDigits,
                        "SpringDynamics": SpringDynamics}


@pytest.mark.parametrize("make, x_shape, y_shape", [
    (lambda: Inertia(N=7, k=3), (7, 12), (7, 9)),
    (lambda: Inertia(N=2), (2, 20), (2, 9)),
    (lambda: O5Synthetic(N=7), (7, 10), (7, 1)),
    (lambda: ParticleInteraction(N=7), (7, 16), (7, 1)),
    (lambda: InvertedCube(), (2, 36), (2,)),
    (lambda: InvertedCube(train=False), (100, 36), (100,)),
    (lambda: BrokenRubiksCube(), (22, 288), (22,)),
    (lambda: rubiks_test_set(0), (440, 288), (440,)),
], ids=["Inertia-k3", "Inertia", "O5Synthetic", "ParticleInteraction", "InvertedCube-train", "InvertedCube-test",
        "BrokenRubiksCube-train", "BrokenRubiksCube-test"])
def test_shapes_and_representations(make, x_shape, y_shape):
    ds = make()
    assert ds.X.shape == x_shape and ds.Y.shape == y_shape
    assert ds.rep_in(ds.symmetry).size() == x_shape[1]
    out = ds.rep_out(ds.symmetry).size()
    assert out == (y_shape[1] if len(y_shape) == 2 else ds.num_classes)
    assert len(ds) == x_shape[0]
    x, y = ds[len(ds) - 1]
    np.testing.assert_array_equal(x, ds.X[-1])
    np.testing.assert_array_equal(y, ds.Y[-1])


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_is_fixed_by_the_seed(name):
    a, b, c = REGRESSION[name](0), REGRESSION[name](0), REGRESSION[name](1)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.Y, b.Y)
    assert not np.allclose(a.X, c.X)
    assert a.X.dtype == a.Y.dtype == np.float64


def test_regression_leaves_numpy_global_state_alone():
    state = np.random.get_state()[1].copy()
    Inertia(N=3)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("cls", [InvertedCube, BrokenRubiksCube], ids=lambda c: c.__name__)
def test_cube_test_sets_are_fixed_by_the_seed(cls):
    seeded = rubiks_test_set if cls is BrokenRubiksCube else lambda seed: cls(train=False, seed=seed)
    a, b, c = cls(train=False, seed=0), seeded(0), seeded(1)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.Y, b.Y)
    assert not np.array_equal(a.X, c.X)
    assert a.Y.dtype.kind == "i" and a.stats == (0, 1) and a.num_classes == 2


# the targets and their symmetry -----------------------------------------------

@pytest.mark.parametrize("name", REGRESSION)
def test_targets_follow_the_formula(name):
    ds = REGRESSION[name](2)
    expected = np.array([TARGETS[name](x) for x in ds.X])
    np.testing.assert_allclose(ds.Y, expected, rtol=1e-10, atol=1e-12)


def test_inertia_masses_are_positive():
    assert (Inertia(N=50, k=5).X[:, :5] > 0).all()


@pytest.mark.parametrize("name", REGRESSION)
def test_targets_transform_with_the_group(name):
    """f(rho_in(g) x) == rho_out(g) f(x): the data obey the symmetry."""
    ds = REGRESSION[name](3)
    rep_in, rep_out = ds.rep_in(ds.symmetry), ds.rep_out(ds.symmetry)
    for g in ds.symmetry.samples(3, key=7):
        moved = ds.X @ np.asarray(rep_in.rho_dense(g), dtype=np.float64).T
        expected = ds.Y @ np.asarray(rep_out.rho_dense(g), dtype=np.float64).T
        got = np.array([TARGETS[name](x) for x in moved])
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(ds.Y).max())


def test_symmetries():
    assert Inertia(N=1).symmetry == O(3)
    assert O5Synthetic(N=1).symmetry == O(5)
    assert ParticleInteraction(N=1).symmetry == Lorentz()
    assert str(Inertia(N=1, k=2).rep_in) == "2+2V"


# the cubes ---------------------------------------------------------------------

def closure(generators):
    """Every element of the finite group the permutation matrices generate."""
    elements = {np.eye(len(generators[0])).tobytes(): np.eye(len(generators[0]))}
    frontier = list(elements.values())
    while frontier:
        new = []
        for g, h in itertools.product(frontier, generators):
            gh = g @ h
            if gh.tobytes() not in elements:
                elements[gh.tobytes()] = gh
                new.append(gh)
        frontier = new
    return list(elements.values())


def test_inverted_cube_is_no_rotation_of_the_solved_cube():
    rotations = closure(list(Cube().discrete_generators))
    assert len(rotations) == 24
    solved, inverted = InvertedCube().X.reshape(2, 6, 6)
    assert not any(np.array_equal(solved @ g.T, inverted) for g in rotations)


def test_inverted_cube_test_set_is_rotated_training_set():
    train, test = InvertedCube(), InvertedCube(train=False, seed=2)
    rotations = closure(list(Cube().discrete_generators))
    orbits = {(state @ g.T).tobytes(): label
              for state, label in zip(train.X.reshape(-1, 6, 6), train.Y) for g in rotations}
    labels = [orbits[x.reshape(6, 6).tobytes()] for x in test.X]  # KeyError: not a rotated training state
    np.testing.assert_array_equal(labels, test.Y)
    assert (test.Y == 1).sum() == (test.Y == 0).sum() == 50


def emlp_permutation_group(name):
    """The group emlp's generators for ``name`` generate (tests/data/emlp_generators.json),
    as sympy's permutation group: membership by Schreier–Sims, not by repalg."""
    from sympy.combinatorics import Permutation, PermutationGroup

    found = json.loads((Path(__file__).resolve().parents[1] / "data" / "emlp_generators.json").read_text())[name]
    matrices = np.array(found["discrete_generators"]["re"])
    return PermutationGroup([Permutation(m.argmax(-1).tolist()) for m in matrices])


@pytest.mark.parametrize("cls, name", [(InvertedCube, "Cube"), (BrokenRubiksCube, "RubiksCube")],
                         ids=["InvertedCube", "BrokenRubiksCube"])
def test_cube_test_sets_are_training_states_moved_by_group_elements(cls, name):
    """Every test state is a training state of its label with its positions
    permuted by an element of the puzzle's group, as emlp's generators make
    it. (emlp's RubiksCube has about 1.9e47 elements, not the Rubik's cube
    group's 4.3e19: it makes each face's turn from the top face's by whole
    rotations of the cube that move the faces without turning their grids
    of facets, so that every turn moves the first row of its side faces.)"""
    from sympy.combinatorics import Permutation

    train, test = cls(), (rubiks_test_set(1) if cls is BrokenRubiksCube else cls(train=False, seed=1))
    group = emlp_permutation_group(name)
    by_label = {int(y): x.reshape(6, -1) for x, y in zip(train.X, train.Y)}
    assert test.scrambles.shape == (len(test), train.X.shape[1] // 6)
    for x, y, p in zip(test.X, test.Y, test.scrambles):
        np.testing.assert_array_equal(x.reshape(6, -1), by_label[int(y)][:, p])
        assert group.contains(Permutation(p.tolist()))
    assert len({p.tobytes() for p in test.scrambles}) > 0.9 * min(len(test), group.order())  # drawn, not repeated
    assert (test.Y == 1).sum() == (test.Y == 0).sum() == len(test) // 2
    assert not np.array_equal(test.Y[:len(test) // 2], np.ones(len(test) // 2))  # shuffled


@pytest.mark.slow
def test_emlps_rubiks_group_takes_the_solved_cube_to_the_inverted_one():
    """Why no invariant model tells the two classes of BrokenRubiksCube apart:
    the permutation that moves each face onto the opposite face is in the
    group emlp's generators generate (sympy's Schreier–Sims, on emlp's own
    recorded generators), and moves the solved cube to the inverted one. In
    the slow run (sympy's membership test takes 6 s)."""
    from sympy.combinatorics import Permutation

    group = emlp_permutation_group("RubiksCube")
    assert group.order() == 192478109606665638469868501076483558604800000000  # not the cube's 43252003274489856000
    assert group.contains(Permutation(FACE_EXCHANGE.tolist()))
    solved, inverted = BrokenRubiksCube().X.reshape(-1, 6, 48)[[0, -1]]
    np.testing.assert_array_equal(solved[:, FACE_EXCHANGE], inverted)


def test_an_emlp_gives_the_solved_and_the_inverted_rubiks_cube_the_same_output():
    """FACE_EXCHANGE is in the group and takes one class to the other
    (above): an EMLP, at any weights, scores both alike, so that its training
    loss on BrokenRubiksCube cannot leave ln 2."""
    from repalg.models import EMLP

    train = BrokenRubiksCube()
    np.testing.assert_array_equal(train.X.reshape(-1, 6, 48)[0][:, FACE_EXCHANGE], train.X.reshape(-1, 6, 48)[-1])
    model = hk.transform(lambda x: EMLP("6*V", "2*Scalar", "RubiksCube()", ch="4*Scalar+V", num_layers=1)(x))
    x = jnp.asarray(train.X[[0, -1]], jnp.float32)
    init, apply = jax.jit(model.init), jax.jit(model.apply)
    for seed in range(3):
        out = apply(init(jax.random.PRNGKey(seed), x), None, x)
        assert np.ptp(np.asarray(out[0])) > 1e-3  # the two class scores differ ...
        np.testing.assert_allclose(out[0], out[1], rtol=1e-5, atol=1e-6)  # ... but not between the classes


@pytest.mark.parametrize("rounds, overlap, template", [(3, (0.30, 0.45), (0.95, 1.0)), (30, (1 / 6 - 0.015, 1 / 6 + 0.015),
                                                                                     (0.35, 0.65))])
def test_the_harder_rubiks_cube_is_scrambled_to_chance(rounds, overlap, template):
    """emlp's test set keeps about 37% of each state's facets, and a template
    classifier, blind to the group, scores ~98% on it; with 30 rounds of
    generator powers a test state shares 1 facet in 6 with its source
    (chance: 8 facets of each of 6 colours), and the template is at chance."""
    train, test = BrokenRubiksCube(), BrokenRubiksCube(train=False, seed=4, scramble_rounds=rounds)
    sources = np.where(test.Y[:, None] == 1, train.X[0], train.X[-1]).reshape(-1, 6, 48)
    shared = np.mean(np.sum(test.X.reshape(-1, 6, 48) * sources, axis=1))
    assert overlap[0] < shared < overlap[1]
    assert template[0] < template_accuracy(train, test) < template[1]


def test_cube_states_are_colourings():
    ds = rubiks_test_set(0)
    states = ds.X.reshape(-1, 6, 48)
    assert set(np.unique(states)) == {0.0, 1.0}
    np.testing.assert_array_equal(states.sum(1), 1)  # each facet has one colour
    np.testing.assert_array_equal(states.sum(2), 8)  # each colour on eight facets


# arguments ---------------------------------------------------------------------

@pytest.mark.parametrize("make, word", [
    (lambda: Inertia(N=0), "N"),
    (lambda: Inertia(N=2.5), "N"),
    (lambda: Inertia(N="3"), "N"),
    (lambda: Inertia(N=True), "N"),
    (lambda: Inertia(k=0), "k"),
    (lambda: Inertia(k=1.0), "k"),
    (lambda: O5Synthetic(N=-1), "N"),
    (lambda: ParticleInteraction(N=None), "N"),
    (lambda: ParticleInteraction(seed=-1), "seed"),
    (lambda: O5Synthetic(seed=0.5), "seed"),
    (lambda: InvertedCube(train="no"), "train"),
    (lambda: BrokenRubiksCube(train=False, seed="x"), "seed"),
], ids=["N0", "N-float", "N-str", "N-bool", "k0", "k-float", "N-negative", "N-None", "seed-negative",
        "seed-float", "train-str", "cube-seed-str"])
def test_bad_arguments_name_themselves(make, word):
    with pytest.raises(ValueError, match=rf"\b{word}\b"):
        make()


def test_numpy_integers_are_accepted():
    assert Inertia(N=np.int64(3), k=np.int32(2), seed=np.uint8(1)).X.shape == (3, 8)


# group augmentation ------------------------------------------------------------

def test_sampler_draws_lorentz_transformations_as_group_samples():
    """Elements preserving the metric, whose boosts have emlp's smaller spread
    (the one ``G.samples`` gives them in numpy)."""
    G = Lorentz()
    sample = sampler(G)
    ours = np.asarray(sample(jax.random.PRNGKey(2), 500), dtype=np.float64)
    np.testing.assert_array_equal(sample(jax.random.PRNGKey(2), 500), ours.astype(np.float32))  # a pure function
    assert not np.allclose(sample(jax.random.PRNGKey(3), 500), ours)
    np.testing.assert_allclose(ours.transpose(0, 2, 1) @ ETA @ ours, np.broadcast_to(ETA, ours.shape), atol=1e-3)
    theirs = G.samples(500, key=2)
    gamma, reference = np.median(np.abs(ours[:, 0, 0])), np.median(np.abs(theirs[:, 0, 0]))
    assert abs(gamma - reference) < 0.02  # about 1.09; boosts of spread 1 would give about 2.4


def test_sampler_draws_rotations_of_emlps_spread():
    """``G.samples`` draws ``exp(z·A)`` with z ~ N(0, 1) on each of so(3)'s
    generators: a rotation by |z| (chi with 3 degrees of freedom) about a
    uniform axis, so E[tr R] = 1 + 2 E[cos |z|] = 1 + 2 (1 - s²) e^(-s²/2)
    = 1 at spread s = 1 (Lorentz's boosts' s = 0.3 would give 2.74); the
    mean of 4,000 draws is within 4 standard errors (sd of tr R about 1.1)."""
    traces = np.trace(np.asarray(sampler(SO(3))(jax.random.PRNGKey(0), 4000), np.float64), axis1=1, axis2=2)
    assert abs(traces.mean() - 1.0) < 4 * traces.std() / np.sqrt(4000)


def test_sampler_draws_lorentz_boosts_and_rotations_of_emlps_spreads():
    """emlp's z_scale: spread 0.3 on each of the three boosts, 1 on each of
    the three rotations of so(1,3). The mean trace of exp(z·A) under those
    spreads, from 200,000 draws of z through numpy's eigenvalues (tr exp X
    = Σ exp λ), is the sampler's to 4 standard errors (a rotation at 0.3
    moves it from 2.21 to 2.71)."""
    G = SO13p()
    A = np.asarray(G.lie_algebra, np.float64)
    z = np.random.default_rng(0).normal(size=(200_000, 6)) * [0.3, 0.3, 0.3, 1, 1, 1]
    exact = np.exp(np.linalg.eigvals(np.einsum("nk,kij->nij", z, A))).sum(1).real
    traces = np.trace(np.asarray(sampler(G)(jax.random.PRNGKey(0), 4000), np.float64), axis1=1, axis2=2)
    error = traces.std() / np.sqrt(4000) + exact.std() / np.sqrt(len(exact))
    assert abs(traces.mean() - exact.mean()) < 4 * error


def test_sampler_draws_discrete_powers_as_emlp():
    """emlp's ``G.samples`` applies each discrete generator in 3 rounds, to
    powers ``np.random.randint(-5, 5)`` (-5 to 4): on Z(40) the total power
    lies in [-15, 12], with mean -1.5 and mean square 3·8.25 + 1.5² = 27
    (within 4 standard errors of 3,000 draws)."""
    G = Z(40)
    h = np.asarray(G.discrete_generators[0], np.float64)
    step = int(h[:, 0].argmax())  # where one generator step sends coordinate 0
    moved = np.asarray(sampler(G)(jax.random.PRNGKey(0), 3000), np.float64)[:, :, 0].argmax(1)
    power = (moved * pow(step, -1, 40)) % 40
    power = np.where(power >= 20, power - 40, power)
    assert power.min() >= -15 and power.max() <= 12
    assert abs(power.mean() + 1.5) < 4 * power.std() / np.sqrt(3000)
    assert abs(np.mean(power**2) - 27.0) < 4 * np.std(power**2) / np.sqrt(3000)


def test_augmenting_the_true_function_changes_nothing():
    """Inertia's tensor is equivariant: rho_out(g)⁻¹ I(rho_in(g) x) == I(x)."""
    ds = REGRESSION["Inertia"](5)

    def model(x):
        return jnp.asarray(np.array([inertia(r, 3) for r in np.asarray(x, dtype=np.float64)]))

    out = ds.default_aug(model)(jnp.asarray(ds.X), jax.random.PRNGKey(0))
    np.testing.assert_allclose(out, ds.Y, rtol=2e-3, atol=2e-3 * np.abs(ds.Y).max())


def test_augmentation_moves_a_model_that_is_not_equivariant():
    def first_coordinate(x):
        return x[:, :1]

    aug = jax.jit(group_augmentation(first_coordinate, "V", "Scalar", O(3)), static_argnames="training")
    x = jnp.tile(jnp.array([[1.0, 0.0, 0.0]]), (16, 1))
    moved = aug(x, jax.random.PRNGKey(0))
    assert moved.shape == (16, 1) and not np.allclose(moved, 1.0)
    assert (np.abs(moved) <= 1 + 1e-6).all()  # the first coordinate of a unit vector
    np.testing.assert_array_equal(aug(x, training=False), first_coordinate(x))


def test_augmentation_maps_back_by_the_inverse():
    """The identity model is equivariant: rho_out(g)⁻¹ rho_in(g) x == x, Lorentz boosts included."""
    ds = ParticleInteraction(N=8)
    aug = group_augmentation(lambda x: x, ds.rep_in, ds.rep_in, ds.symmetry)
    np.testing.assert_allclose(aug(jnp.asarray(ds.X), jax.random.PRNGKey(6)), ds.X, rtol=1e-4, atol=1e-4)


def test_augmentation_needs_a_key_while_training():
    aug = Inertia(N=2).default_aug(lambda x: x[:, :9])
    with pytest.raises(ValueError, match="^group augmentation draws group elements while training: give it a JAX key"):
        aug(jnp.ones((2, 20)))


@pytest.mark.parametrize("cls, spread, first", [(Inertia, 1.0, 5), (O5Synthetic, 1.0, 0),
                                                (ParticleInteraction, 0.25, 0)])
def test_inputs_are_emlps_normals(cls, spread, first):
    """emlp draws the inputs as ``np.random.randn(N, dim)``, divided by 4 for
    ParticleInteraction (Inertia's first 5, the masses, then go through a
    softplus): mean 0 and the spread to 2% over 10,000 rows."""
    X = cls(N=10_000).X[:, first:]
    assert abs(X.mean()) < 0.01 * spread and abs(X.std() / spread - 1) < 0.02


# the facade for emlp's users ---------------------------------------------------

def test_facade_names_the_same_classes():
    import repalg.datasets
    from repalg.datasets import BrokenRubiksCube as B, Inertia as I, InvertedCube as C, O5Synthetic as F
    from repalg.datasets import ParticleInteraction as P

    assert (I, F, P, C, B) == (Inertia, O5Synthetic, ParticleInteraction, InvertedCube, BrokenRubiksCube)
    assert sorted(repalg.datasets.__all__) == sorted(DATASETS)
