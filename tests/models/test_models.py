"""The Haiku models: equivariant at initialization and after training steps
over every kind of group, bases that act inside JAX transformations, the
bilinear layer against its explicit weights, and the gates."""

import re

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings, strategies as st

import repalg
from repalg import parse
from repalg.models import EMLP, MLP, BiLinear, Linear, bind, gate_indices, gated, uniform_rep
from repalg.reps import bilinear_weights
from repalg.models.bilinear import bilinear_product
from repalg.testing import assert_equivariant, equivariance_error

SLOW = pytest.mark.slow
CASES = [  # (rep_in, rep_out, group, ch); 5-10 s each to build, compile and train: one by default
    ("5*Scalar+5*V", "T(2)", "O(3)", 48),
    pytest.param("V+V**2", "V", "SO(3)", 48, marks=SLOW),
    pytest.param("2*V", "Scalar", "O(5)", 48, marks=SLOW),
    pytest.param("4*V", "Scalar", "O(1,3)", 48, marks=SLOW),
    pytest.param("V+V.T", "V", "SO+(1,3)", 32, marks=SLOW),
    pytest.param("V+V.T", "V*V.T", "SL(3)", 24, marks=SLOW),
    pytest.param("2*V", "V", "Sp(2)", 32, marks=SLOW),
    pytest.param("2*V+Scalar", "V", "S(5)", 32, marks=SLOW),
    pytest.param("V(SO(2))*V(S(3))+V(S(3))", "V(SO(2))+Scalar", "SO(2)*S(3)", 32, marks=SLOW),
]


def transformed(model, rep_in, rep_out, group, **options):
    f = hk.without_apply_rng(hk.transform(lambda x: model(rep_in, rep_out, group, **options)(x)))
    return f._replace(init=jax.jit(f.init), apply=jax.jit(f.apply))


def train(f, params, rin, rout, steps=3):
    optimizer = optax.adam(1e-2)
    state = optimizer.init(params)
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(16, rin.size())), jnp.float32)
    y = jnp.asarray(rng.normal(size=(16, rout.size())), jnp.float32)

    @jax.jit
    def step(params, state):
        loss, grads = jax.value_and_grad(lambda p: jnp.mean((f.apply(p, x) - y) ** 2))(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    losses = []
    for _ in range(steps):
        params, state, loss = step(params, state)
        losses.append(float(loss))
    return params, losses


@pytest.mark.parametrize("rep_in,rep_out,group,ch", CASES,
                         ids=["O(3)", "SO(3)", "O(5)", "O(1,3)", "SO+(1,3)", "SL(3)", "Sp(2)", "S(5)", "SO(2)*S(3)"])
def test_emlp_is_equivariant_at_init_and_after_training(rep_in, rep_out, group, ch):
    rin, rout, G = bind(rep_in, rep_out, group)
    f = transformed(EMLP, rin, rout, G, ch=ch, num_layers=2)
    params = f.init(jax.random.PRNGKey(0), jnp.ones((2, rin.size()), jnp.float32))

    def model(p):
        return lambda x: f.apply(p, jnp.asarray(x, jnp.float32)[None])[0]

    assert_equivariant(model(params), rin, rout, tolerance=1e-4)
    trained, losses = train(f, params, rin, rout)
    assert losses[-1] < losses[0]
    assert_equivariant(model(trained), rin, rout, tolerance=1e-4)


def test_the_mlp_is_not_equivariant():
    rin, rout, G = bind("2*V", "V", "O(3)")
    f = transformed(MLP, rin, rout, G, ch=32)
    params = f.init(jax.random.PRNGKey(0), jnp.ones((1, 6)))
    assert equivariance_error(lambda x: f.apply(params, jnp.asarray(x, jnp.float32)[None])[0], rin, rout) > 1e-2


def test_an_emlp_without_hidden_layers_is_one_linear_layer():
    """emlp's EMLP takes num_layers = 0: the equivariant Linear from rep_in
    to rep_out alone; a negative number of layers is refused."""
    f = transformed(EMLP, "2*V", "V", "O(3)", num_layers=0)
    params = f.init(jax.random.PRNGKey(0), jnp.ones((1, 6)))
    assert {name: {k: v.shape for k, v in p.items()} for name, p in params.items()} == \
        {"emlp/linear": {"w": (2,), "b": (0,)}}  # Hom(2V, V) has rank 2 for O(3), and no bias
    with pytest.raises(ValueError, match=r"^num_layers is a number of hidden layers, got -1"):
        transformed(EMLP, "2*V", "V", "O(3)", num_layers=-1).init(jax.random.PRNGKey(0), jnp.ones((1, 6)))


def test_the_mlp_has_emlps_defaults_and_any_positive_width():
    """emlp's ``MLP(rep_in, rep_out, group, ch=384, num_layers=3)``: three
    hidden layers of 384 with biases, so on Inertia's shapes (20 in, 9
    out) 20·384+384 + 2·(384·384+384) + 384·9+9 parameters; one hidden unit
    is a width, none is not."""
    f = transformed(MLP, "5*Scalar+5*V", "T(2)", "O(3)")
    params = jax.eval_shape(f.init, jax.random.PRNGKey(0), jnp.ones((1, 20)))
    assert sum(int(np.prod(a.shape)) for a in jax.tree_util.tree_leaves(params)) == \
        20 * 384 + 384 + 2 * (384 * 384 + 384) + 384 * 9 + 9
    narrow = transformed(MLP, "2*V", "V", "O(3)", ch=1, num_layers=2)
    assert narrow.apply(narrow.init(jax.random.PRNGKey(0), jnp.ones((1, 6))), jnp.ones((2, 6))).shape == (2, 3)
    with pytest.raises(ValueError, match=r"^the MLP's ch is a positive number of hidden units, got 0(\n|$)"):
        transformed(MLP, "2*V", "V", "O(3)", ch=0).init(jax.random.PRNGKey(0), jnp.ones((1, 6)))


@pytest.mark.parametrize("layer", [Linear, BiLinear])
def test_layers_are_equivariant(layer):
    rep = parse("2*Scalar+V+V**2")(repalg.group("O(1,3)"))
    f = hk.without_apply_rng(hk.transform(lambda x: layer(rep, rep)(x)))
    params = f.init(jax.random.PRNGKey(1), jnp.ones((1, rep.size())))
    params = jax.tree_util.tree_map(lambda p: p + 0.3, params)  # nonzero everywhere
    assert_equivariant(lambda x: f.apply(params, jnp.asarray(x, jnp.float32)[None])[0], rep, rep, tolerance=1e-4)


def test_linear_keeps_one_coefficient_per_basis_vector():
    # (V + 1) >> V of SO(3): Hom(V, V) and Hom(1, V) have dimensions 1 and 0
    f = hk.without_apply_rng(hk.transform(lambda x: Linear("V+Scalar", "V", "SO(3)")(x)))
    params = f.init(jax.random.PRNGKey(0), jnp.ones((1, 4)))
    assert params["linear"]["w"].shape == (1,) and params["linear"]["b"].shape == (0,)
    y = f.apply(params, jnp.array([[1.0, 2.0, 3.0, 5.0]]))
    # the basis of Hom(V, V) is ±I/√3 (its sign is the solver's choice)
    np.testing.assert_allclose(np.abs(y / params["linear"]["w"][0]), [[1, 2, 3]] / np.sqrt(3), rtol=1e-5)


# the bases inside JAX ----------------------------------------------------------------


def test_bases_and_projectors_act_on_tracers():
    Q = parse("T(2)(O(3))").equivariant_basis()
    P = parse("T(2)(O(3))").equivariant_projector()
    w = jnp.arange(9.0)
    expected = np.eye(3).reshape(-1) * 4.0  # the trace 0+4+8 = 12, spread back over δ: (12/3) δ
    np.testing.assert_allclose(jax.jit(lambda w: P @ w)(w), expected, rtol=1e-6)
    np.testing.assert_allclose(jax.grad(lambda w: (P @ w).sum())(w), np.eye(3).reshape(-1), rtol=1e-6)
    assert jax.vmap(lambda w: P @ w)(jnp.ones((4, 9))).shape == (4, 9)
    np.testing.assert_allclose(jax.jit(lambda c: Q @ c)(jnp.ones(1)), Q.dense()[:, 0], rtol=1e-6)
    np.testing.assert_allclose(jnp.ones((2, 9)) @ Q, np.ones((2, 9)) @ Q.dense(), rtol=1e-6)
    assert isinstance(jnp.ones((2, 9)) @ Q, jax.Array)


# the bilinear layer against its explicit weights --------------------------------------


REP_TEXTS = ["Scalar+2*V", "3*Scalar+V+V**2", "V+V.T+V*V.T", "2*V+V**2+V**3", "Scalar+V"]


@SLOW
@settings(max_examples=8, deadline=None)
@given(st.sampled_from(REP_TEXTS), st.sampled_from(REP_TEXTS), st.sampled_from(["O(3)", "SO(2)", "O(1,3)", "S(4)"]),
       st.integers(0, 2**31 - 1))
def test_the_bilinear_product_is_the_weights_times_x(a, b, group, seed):
    """Over more groups than emlp's fixtures (which check both functions,
    tests/models/test_emlp_reference.py): in the slow run (18 s)."""
    G = repalg.group(group)
    rep_in, rep_out = parse(a)(G), parse(b)(G)
    size, weights = bilinear_weights(rep_out, rep_in)
    size2, product = bilinear_product(rep_out, rep_in)
    assert size == size2
    rng = np.random.default_rng(seed)
    p, x = rng.normal(size=size), rng.normal(size=(3, rep_in.size()))
    W = np.asarray(weights(jnp.asarray(p), jnp.asarray(x)))
    assert W.shape == (3, rep_out.size(), rep_in.size())
    np.testing.assert_allclose(product(jnp.asarray(p), jnp.asarray(x)), np.einsum("boi,bi->bo", W, x),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("text", [pytest.param("Scalar+2*V", marks=SLOW), "2*Scalar+V**4"])
def test_the_bilinear_products_gradients_are_the_weights_times_xs(text):
    """The product's own gradients (a custom VJP), first and second order, on
    short contractions (sums of broadcast products: 2*Scalar+V**4's one-term
    ones, all of Scalar+2*V's in the slow run) and on long ones (V**4's 81
    terms, a batched dot), against autodiff of the explicit weights' product."""
    rep = parse(text)(repalg.group("O(3)"))
    size, weights = bilinear_weights(rep, rep)
    _, product = bilinear_product(rep, rep)
    rng = np.random.default_rng(1)
    p, x = jnp.asarray(rng.normal(size=size)), jnp.asarray(rng.normal(size=(3, rep.size())))
    target = jnp.asarray(rng.normal(size=(3, rep.size())))

    def explicit(p, x):
        return jnp.sum(jnp.einsum("boi,bi->bo", weights(p, x), x) * target)

    def implicit(p, x):
        return jnp.sum(product(p, x) * target)

    def second(f):  # a Hamiltonian model's loss differentiates the input gradient once more
        return jax.grad(lambda p, x: jnp.sum(jnp.sin(jax.grad(f, argnums=1)(p, x))), argnums=(0, 1))(p, x)

    got = jax.grad(implicit, argnums=(0, 1))(p, x) + second(implicit)
    for g, e in zip(got, jax.grad(explicit, argnums=(0, 1))(p, x) + second(explicit)):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4)
        assert np.abs(e).max() > 0.1


def test_bilinear_weights_are_equivariant_in_x():
    G = repalg.group("O(3)")
    rep = parse("Scalar+2*V+V**2")(G)
    size, weights = bilinear_weights(rep, rep)
    rng = np.random.default_rng(0)
    p, x = rng.normal(size=size), rng.normal(size=rep.size())
    g = G.samples(1, key=3)[0]
    rho = rep.rho_dense(g)
    W = np.asarray(weights(p, x), np.float64)
    Wg = np.asarray(weights(p, rho @ x), np.float64)
    np.testing.assert_allclose(Wg, rho @ W @ np.linalg.inv(rho), atol=1e-4)
    assert np.abs(W).max() > 0.1


# gates and hidden representations -----------------------------------------------------


def test_gates_follow_emlp():
    G = repalg.group("O(3)")
    rep = parse("2*Scalar+V+V**2")(G)
    assert gated(rep).size() == rep.size() + 2  # one gate for V and one for V²
    assert gate_indices(rep).tolist() == [0, 1, 14, 14, 14] + [15] * 9
    S = repalg.group("S(4)")
    assert gated(parse("V+V**2")(S)) == parse("V+V**2")(S)  # permutation reps: a swish, no gate
    assert gate_indices(parse("V+Scalar")(S)).tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("ch,message", [(0, "positive"), (-3, "positive"), (2.5, "positive")])
def test_bad_channels_are_refused(ch, message):
    with pytest.raises(ValueError, match=message):
        uniform_rep(ch, repalg.group("O(3)"))


# the scalar-invariant model ---------------------------------------------------------


@pytest.mark.parametrize("rep_in,rep_out,group", [
    ("5*Scalar+5*V", "T(2)", "O(3)"), ("2*V", "Scalar", "O(5)"), ("4*V", "Scalar", "O(1,3)"),
    ("4*V", "V+V.T+Scalar", "SO+(1,3)"), ("3*V+Scalar", "V", "SO(3)"), ("V+V.T", "V**2", "O(1,3)"),
])
def test_the_scalar_model_is_equivariant(rep_in, rep_out, group):
    from repalg.models import ScalarMLP
    rin, rout, G = bind(rep_in, rep_out, group)
    f = transformed(ScalarMLP, rin, rout, G, ch=32)
    params = f.init(jax.random.PRNGKey(0), jnp.ones((1, rin.size())))
    assert_equivariant(lambda x: f.apply(params, jnp.asarray(x, jnp.float32)[None])[0], rin, rout, tolerance=1e-4)


@pytest.mark.parametrize("group, eta_inv", [("O(3)", np.eye(3)), ("O(1,3)", np.diag([1.0, -1.0, -1.0, -1.0]))])
def test_the_scalar_models_matrix_output_holds_the_metric(group, eta_inv):
    """From one vector v, an equivariant V⊗V output is a(v) v vᵀ + b(v) η⁻¹
    (invariant theory). Inertia's target m(|r|² 𝟙 − r rᵀ) needs the second
    term: the model's outputs have that form, with b not zero (b is a
    random function at initialization, so it is small at times)."""
    from repalg.models import ScalarMLP
    d = len(eta_inv)
    f = transformed(ScalarMLP, "Scalar+V", "V**2", group, ch=16)
    x = np.random.default_rng(0).normal(size=(4, 1 + d)).astype(np.float32)
    params = f.init(jax.random.PRNGKey(0), x)
    M = np.asarray(f.apply(params, x), np.float64).reshape(4, d, d)
    for out, v in zip(M, x[:, 1:].astype(np.float64)):
        basis = np.stack([np.outer(v, v).ravel(), eta_inv.ravel()], axis=1)
        (a, b), *_ = np.linalg.lstsq(basis, out.ravel(), rcond=None)
        np.testing.assert_allclose(basis @ [a, b], out.ravel(), atol=1e-5 * np.abs(out).max())
        assert abs(b) > 1e-4 * np.linalg.norm(out)  # far above float32 round-off, which is all that is left without it


def test_a_scalar_model_without_input_vectors_gives_no_vector():
    """Scalars alone map to no vector equivariantly (Hom(3·Scalar, V) = 0
    for O(3)): the vector part of the output is exactly zero, the scalar
    part a function of the inputs."""
    from repalg.models import ScalarMLP
    f = transformed(ScalarMLP, "3*Scalar", "Scalar+V", "O(3)", ch=16)
    x = jnp.asarray(np.random.default_rng(0).normal(size=(5, 3)), jnp.float32)
    params = f.init(jax.random.PRNGKey(0), x)
    y = np.asarray(f.apply(params, x))
    assert np.all(y[:, 1:] == 0) and np.ptp(y[:, 0]) > 1e-3
    first = min(params, key=lambda name: (len(name), name))  # the first layer sees the 3 scalars, nothing more
    assert params[first]["w"].shape[0] == 3, list(params)


def test_the_scalar_model_maps_any_leading_shape():
    """Inputs of shape (..., rep_in.size()): a (2, 3) grid of inputs gives
    the outputs of the 6 rows."""
    from repalg.models import ScalarMLP
    f = transformed(ScalarMLP, "Scalar+2*V", "Scalar+V+V**2", "O(3)", ch=16)
    x = jnp.asarray(np.random.default_rng(0).normal(size=(6, 7)), jnp.float32)
    params = f.init(jax.random.PRNGKey(0), x)
    np.testing.assert_allclose(f.apply(params, x.reshape(2, 3, 7)).reshape(6, 13), f.apply(params, x), atol=1e-6)


def test_the_scalar_model_sees_determinants_only_for_special_groups():
    # SO(3) tells a right-handed triple from its mirror image, O(3) cannot
    from repalg.models import ScalarMLP
    x = jnp.asarray(np.random.default_rng(0).normal(size=(1, 9)), jnp.float32)
    mirror = x * jnp.asarray([1, 1, -1] * 3, jnp.float32)
    for group, differs in [("SO(3)", True), ("O(3)", False)]:
        f = transformed(ScalarMLP, "3*V", "Scalar", group, ch=16)
        params = f.init(jax.random.PRNGKey(1), x)
        assert bool(jnp.abs(f.apply(params, x) - f.apply(params, mirror)).max() > 1e-4) == differs


FORM = "the scalar model needs a group that preserves one symmetric bilinear form, as O(n) and the Lorentz groups do; "
KINDS = "the scalar model takes scalars and vectors as input and gives scalars, vectors and V⊗V as output; "


@pytest.mark.parametrize("rep_in,rep_out,group,message", [
    ("V", "V", "S(4)", FORM + "the bilinear forms S(4) preserves: 2; use EMLP"),
    ("V", "V", "Sp(2)", FORM + "the bilinear forms Sp(2) preserves: one, and it is not symmetric; use EMLP"),
    ("V**2", "V", "O(3)", KINDS + "the input (V**2)(O(3)) has a component (V**2)(O(3)): use EMLP"),
    ("V", "V**3", "O(3)", KINDS + "the output (V**3)(O(3)) has a component (V**3)(O(3)): use EMLP"),
])
def test_the_scalar_model_refuses_what_it_cannot_do(rep_in, rep_out, group, message):
    """Each message says what the model needs, what it was given, and what to use instead, whole."""
    from repalg.models import ScalarMLP
    with pytest.raises(ValueError, match=f"^{re.escape(message)}(\n|$)"):
        transformed(ScalarMLP, rep_in, rep_out, group).init(jax.random.PRNGKey(0), jnp.ones((1, 4)))
