"""The layers' initialization is emlp's objax one (the layers the EMLP
paper's scripts train): ``Linear``'s weights the projection ``P w`` of a
matrix ``w`` with orthonormal rows (or columns), its bias the projection of
a vector uniform in ``[0, 1/√n_out)``, ``BiLinear``'s parameters standard
normal (objax's ``orthogonal``, ``objax.random.uniform(...)/√n_out`` and
``objax.random.normal`` in ``emlp/nn/objax.py``).

A layer's weight matrix and bias are read from its outputs (``f(0)`` and
``f(eᵢ) − f(0)``), not from its parameters."""

from __future__ import annotations

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from repalg.models import MLP, BiLinear, Linear
from repalg.models.binding import as_rep


def weights_and_bias(rep_in, rep_out, group, seed):
    f = hk.transform(lambda x: Linear(rep_in, rep_out, group)(x))
    n_in = as_rep(rep_in, group).size()
    points = jnp.concatenate([jnp.zeros((1, n_in)), jnp.eye(n_in)])
    params = f.init(jax.random.PRNGKey(seed), points)
    y = np.asarray(f.apply(params, None, points), np.float64)
    return (y[1:] - y[0]).T, y[0], params


@pytest.mark.parametrize("n_in, n_out", [(40, 12), (12, 40)], ids=["rows", "columns"])
def test_an_unconstrained_linear_starts_orthogonal_with_a_small_positive_bias(n_in, n_out):
    """Scalars to scalars: the basis is the whole space, so W = w."""
    W, b, _ = weights_and_bias(f"{n_in}*Scalar", f"{n_out}*Scalar", "O(3)", seed=0)
    small = min(n_in, n_out)
    gram = W @ W.T if n_out <= n_in else W.T @ W
    np.testing.assert_allclose(gram, np.eye(small), atol=2e-6)
    assert b.min() >= 0 and b.max() < 1 / np.sqrt(n_out)
    assert stats.kstest(b * np.sqrt(n_out), "uniform").pvalue > 1e-3


def test_the_bias_is_uniform_below_one_over_root_n_out():
    _, b, _ = weights_and_bias("2*Scalar", "900*Scalar", "O(3)", seed=1)
    assert b.min() >= 0 and b.max() < 1 / 30 and b.max() > 0.95 / 30
    assert stats.kstest(b * 30, "uniform").pvalue > 1e-3


def test_equivariant_coefficients_have_the_projected_variance():
    """E‖c‖² = E‖P w‖² = rank / max(n_in, n_out) for w with orthonormal rows
    or columns (each entry has variance 1/max(n_in, n_out))."""
    rep_in, rep_out = "10*Scalar+3*V+V**2", "14*Scalar+3*V+V**2"  # 28 -> 32, ranks 260 and 14
    norms, rank = [], None
    for seed in range(40):
        W, _, params = weights_and_bias(rep_in, rep_out, "O(3)", seed)
        norms.append(float((W**2).sum()))
        rank = params["linear"]["w"].shape[0]
    expected = rank / 32
    assert abs(np.mean(norms) - expected) < 0.06 * expected  # about 5 standard errors
    _, _, params = weights_and_bias(rep_in, rep_out, "O(3)", 0)
    assert abs(float(jnp.mean(params["linear"]["w"]))) < 4 / np.sqrt(rank) * np.sqrt(1 / 32)


def test_bilinear_parameters_are_standard_normal():
    rep = as_rep("20*Scalar+6*V+2*V**2+8", "O(3)")
    f = hk.transform(lambda x: BiLinear(rep, rep)(x))
    w = np.asarray(f.init(jax.random.PRNGKey(0), jnp.ones((1, rep.size())))["bi_linear"]["w"], np.float64)
    assert len(w) > 1000
    assert stats.kstest(w, "norm").pvalue > 1e-3
    assert np.abs(w).max() > 2.5  # a normal, not truncated at two standard deviations


def test_the_mlp_starts_as_emlps_objax_mlp():
    """emlp's MLP is objax ``Linear`` layers: weights Xavier normal (normal,
    not truncated, of variance 2/(fan_in + fan_out)), biases zero. Haiku's
    default would be a truncated normal of variance about 0.77/fan_in."""
    f = hk.transform(lambda x: MLP("20*Scalar", "9*Scalar", "O(3)", ch=384)(x))
    params = f.init(jax.random.PRNGKey(0), jnp.ones((1, 20)))
    layers = [params[name] for name in sorted(params, key=lambda n: int(n.split("_")[-1]) if n[-1].isdigit() else 0)]
    assert [layer["w"].shape for layer in layers] == [(20, 384), (384, 384), (384, 384), (384, 9)]
    for layer in layers:
        w = np.asarray(layer["w"], np.float64)
        fan_in, fan_out = w.shape
        assert stats.kstest(w.ravel() / np.sqrt(2 / (fan_in + fan_out)), "norm").pvalue > 1e-3
        assert not np.any(np.asarray(layer["b"]))
