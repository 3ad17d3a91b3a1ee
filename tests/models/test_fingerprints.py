"""A layer's fingerprint stays put while its basis does, and any change of
basis (a column's sign, two columns swapped, a rotation inside the span)
moves it; ``compare`` names the layer that changed."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg import parse
from repalg.models import EMLP
from repalg.models.fingerprints import basis_fingerprint, compare, layer_fingerprints, product_fingerprint
from repalg.models.layers import Linear


def basis():
    Q = parse("(2*V>>V)(O(3))").equivariant_basis()
    assert Q.shape == (18, 2)  # Hom(2V, V) of O(3): one multiple of the identity per input copy
    return Q.dense()


def rotated(Q, angle):
    c, s = np.cos(angle), np.sin(angle)
    return Q @ np.array([[c, -s], [s, c]])


@pytest.mark.parametrize("change", ["sign", "swap", "rotation"])
def test_a_change_of_basis_moves_the_fingerprint_and_is_named(change):
    Q = basis()
    other = {"sign": Q * np.array([1.0, -1.0]), "swap": Q[:, ::-1], "rotation": rotated(Q, 0.3)}[change]
    assert np.allclose(other @ other.T, Q @ Q.T)  # the same space, another basis of it
    path = "['emlp/linear']['w']"
    stored = {path: basis_fingerprint(Q, "2*V >> V")}
    compare(stored, {path: basis_fingerprint(Q.copy(), "2*V >> V")}, "ckpt")
    with pytest.raises(ValueError, match=r"^ckpt: the layer emlp/linear \(its w\) has the same space .* another basis"):
        compare(stored, {path: basis_fingerprint(other, "2*V >> V")}, "ckpt")


def test_another_space_or_rank_is_named_with_both():
    Q = basis()
    stored = {"['a']['w']": basis_fingerprint(Q, "2*V >> V")}
    with pytest.raises(ValueError, match=r"layer a \(its w\) was saved as 2 coefficients of 2\*V >> V, but the "
                                         r"model makes it 1 of V >> V"):
        compare(stored, {"['a']['w']": basis_fingerprint(Q[:3, :1], "V >> V")}, "ckpt")
    with pytest.raises(ValueError, match=r"layer b \(its w\) holds .* in the model but not in the checkpoint"):
        compare(stored, {**stored, "['b']['w']": stored["['a']['w']"]}, "ckpt")


def test_a_bilinear_product_is_probed_through_its_outputs():
    def product(w, x):
        return jnp.outer(w, x).ravel()[:4]

    same = product_fingerprint(product, 3, 2, 4, "bilinear")
    compare({"p": same}, {"p": product_fingerprint(product, 3, 2, 4, "bilinear")}, "ckpt")
    flipped = product_fingerprint(lambda w, x: -product(w, x), 3, 2, 4, "bilinear")
    with pytest.raises(ValueError, match="another basis"):
        compare({"p": same}, {"p": flipped}, "ckpt")


def test_every_basis_holding_parameter_of_an_emlp_is_fingerprinted():
    model = hk.transform(lambda x: EMLP("2*V", "V", "O(3)", ch=8, num_layers=1)(x))
    x = jnp.zeros((1, 6))
    params = jax.eval_shape(model.init, jax.random.PRNGKey(0), x)
    paths = {jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(params)[0]}
    found = layer_fingerprints(model, x)
    assert set(found) == paths  # Linear's w and b and BiLinear's w: every parameter of an EMLP
    assert all(found[p]["rank"] == int(np.prod(leaf.shape)) for p, leaf in
               ((jax.tree_util.keystr(k), v) for k, v in jax.tree_util.tree_flatten_with_path(params)[0]))
    assert layer_fingerprints(model, x) == found


def test_a_linear_layers_fingerprint_probes_its_weight_basis():
    model = hk.transform(lambda x: Linear("2*V", "V", "O(3)")(x))
    found = layer_fingerprints(model, jnp.zeros((1, 6)))["['linear']['w']"]
    assert found["rank"] == 2 and "O(3)" in found["space"]
    assert found["probes"] == pytest.approx(basis_fingerprint(basis(), found["space"])["probes"], rel=1e-9)
