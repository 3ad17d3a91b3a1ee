"""LieConv's groups and lifts: the exponential and logarithm of every
group invert each other; elements are closed under products and inverses;
deterministic lifts embed pairs invariantly; group names are read clearly."""


import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg import parse
from repalg.models import as_group
from repalg.models.lieconv import as_lie_group
from repalg.symbolic.parser import ParseError

from .clouds import EXACT, GROUPS, cloud


@pytest.mark.parametrize("name", [g for g in GROUPS if not g.startswith("Trivial")])
def test_exp_inverts_log_on_sampled_elements(name):
    G = as_lie_group(name)
    g = jax.jit(G.sample, static_argnums=1)(jax.random.PRNGKey(3), (50,))
    log = jax.jit(G.log)(g)
    assert np.allclose(jax.jit(G.exp)(log), g, atol=2e-5)
    assert log.shape == (50, G.lie_dim)


@pytest.mark.parametrize("name", [g for g in GROUPS if not g.startswith("Trivial")])
def test_log_inverts_exp_inside_the_cut_locus(name):
    G = as_lie_group(name)
    a = jax.random.uniform(jax.random.PRNGKey(1), (50, G.lie_dim), minval=-1.0, maxval=1.0)
    assert np.allclose(jax.jit(lambda a: G.log(G.exp(a)))(a), a, atol=2e-5)


@pytest.mark.parametrize("name", [g for g in GROUPS if not g.startswith("Trivial")])
def test_elements_are_closed_under_products_and_inverses(name):
    G = as_lie_group(name)
    g, h = jax.jit(G.sample, static_argnums=1)(jax.random.PRNGKey(5), (2, 20))
    x = jax.random.normal(jax.random.PRNGKey(6), (20, G.d))

    @jax.jit
    def gaps(g, h, x):
        return (jnp.abs(G.act(g @ h, x) - G.act(g, G.act(h, x))).max(),
                jnp.abs(G.act(G.inverse(g), G.act(g, x)) - x).max())

    assert max(float(gap) for gap in gaps(g, h, x)) < 1e-5
    inverse = np.asarray(G.inverse(g))
    assert inverse.shape == g.shape
    np.testing.assert_allclose(inverse @ np.asarray(g), np.broadcast_to(np.eye(g.shape[-1]), g.shape), atol=1e-5)


@pytest.mark.parametrize("name", [g for g in GROUPS if not g.startswith("Trivial")])
def test_a_lift_carries_the_orbit_origin_to_the_point(name):
    """u·o = x for each lifted element u (o the origin of x's orbit: the
    origin for groups with translations, r·e₁ for rotations, e₁ for RxSO(2)):
    the lift is a section of the action."""
    G = as_lie_group(name)
    x, _, _ = cloud(0, B=2, n=5, d=G.d)
    u, q = jax.jit(G.elements, static_argnums=1)(x, 3 if G.stochastic else 1, jax.random.PRNGKey(0))
    if name.startswith("Translation"):
        moved = u[..., 0, :]
    elif name == "SE(2)":
        moved = u[..., 0, 1:]
    elif name == "SO(2)":
        moved = G.act(G.exp(u[:, :, 0]), jnp.stack([q[:, :, 0, 0], jnp.zeros_like(q[:, :, 0, 0])], -1))
    elif name == "RxSO(2)":
        moved = G.act(G.exp(u[:, :, 0]), jnp.array([1.0, 0.0]))
    elif name == "SO(3)":
        e1 = jnp.array([1.0, 0.0, 0.0])
        moved = q[..., 0, :] * G.act(u, e1)[..., 0, :]
    else:
        moved = G.act(u, jnp.zeros(G.d))[..., 0, :]
    assert np.allclose(moved, x, atol=1e-5)


@pytest.mark.parametrize("name", EXACT)
def test_deterministic_lifts_embed_pairs_invariantly(name):
    G = as_lie_group(name)
    x, v, m = cloud(1, d=G.d)
    g = G.sample(jax.random.PRNGKey(2))
    lift = jax.jit(lambda x: G.lift(x, v, m)[0])
    assert np.allclose(lift(G.act(g, x)), lift(x), atol=1e-4)


LIECONV_DIMENSIONS = {  # (lie_dim, q_dim) in LieConv's lie_conv/lieGroups.py; Trivial(d) and T(d) by its rule
    "Trivial(2)": (0, 2), "Translation(2)": (2, 0), "SO(2)": (1, 1), "RxSO(2)": (2, 0), "SE(2)": (3, 0),
    "Trivial(3)": (0, 3), "Translation(3)": (3, 0), "SO(3)": (3, 1), "SE(3)": (6, 0),
}


@pytest.mark.parametrize("name", GROUPS)
def test_a_pair_embedding_is_lieconvs_width(name):
    """A pair is [log(v⁻¹u), q_u, q_v]: lie_dim + 2 q_dim numbers, LieConv's
    dimensions, and the lift gives exactly that many."""
    G = as_lie_group(name)
    lie_dim, q_dim = LIECONV_DIMENSIONS[name]
    assert (G.lie_dim, G.q_dim) == (lie_dim, q_dim)
    assert type(G.embed_dim) is int and G.embed_dim == lie_dim + 2 * q_dim
    x, v, m = cloud(1, B=1, n=4, d=G.d)
    pairs = jax.eval_shape(lambda x: G.lift(x, v, m, key=jax.random.PRNGKey(0))[0], x)
    assert pairs.shape[-1] == lie_dim + 2 * q_dim


@pytest.mark.parametrize("d", [2, 3])
def test_trivial_groups_exponentiate_nothing_to_the_identity(d):
    """Trivial(d) has an empty Lie algebra: exp of its (…, 0) coordinates is
    the identity, log of the identity is empty."""
    G = as_lie_group(f"Trivial({d})")
    g = np.asarray(G.exp(jnp.zeros((5, 0))))
    assert g.shape == (5, d, d) and np.array_equal(g, np.broadcast_to(np.eye(d), (5, d, d)))
    assert np.asarray(G.log(jnp.asarray(g))).shape == (5, 0)


def test_group_names_are_read_once_and_refused_clearly():
    assert as_lie_group("SO(2)").matrix_group == as_group("SO(2)")
    assert as_lie_group("Trivial(3)").matrix_group == as_group("Trivial(3)")
    assert as_lie_group(" SE( 2 ) ") == as_lie_group("SE(2)") and as_lie_group("SE(2)").matrix_group is None
    assert as_lie_group(as_group("SO(3)")).name == "SO(3)"
    for text, words in [("O(2)", "no LieConv lift"), ("SE(4)", "no LieConv lift"), ("T(2)", "Translation(2)"),
                        ("SO(2)xSO(2)", "not a LieConv group"), ("RxSO(3)", "no LieConv lift")]:
        with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
            as_lie_group(text)


@pytest.mark.parametrize("text", ["V(SE(2))", "2*V(RxSO(2))", "T(1)(Translation(3))"])
def test_the_parser_names_lieconv_only_groups_as_such(text):
    with pytest.raises(ParseError, match="LieConv group"):
        parse(text)


def test_deterministic_groups_take_one_lift_sample():
    x, v, m = cloud(0)
    with pytest.raises(ValueError, match="deterministic"):
        as_lie_group("SO(2)").lift(x, v, m, n_samples=2)
    with pytest.raises(ValueError, match=r"ℝ\^3"):
        as_lie_group("SO(3)").lift(x, v, m)
