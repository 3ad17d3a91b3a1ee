"""Orthonormal bases of a span (``repalg/numeric/span.py``)."""

import numpy as np
import pytest

from repalg.numeric.span import orthonormal


@pytest.mark.parametrize("spread", [1.0, 1e-4], ids=["well-conditioned", "ill-conditioned"])
def test_real_orthonormal_bases_from_the_gram_matrix_or_the_svd(spread):
    # the weights rung makes a complex basis of a real span real: by the small Gram matrix
    # when it is well conditioned (SO(2)eR3's T(4,4): 37 s → 10 s), else by the SVD
    rng = np.random.default_rng(3)
    w = rng.normal(size=(60, 7)) * np.geomspace(1, spread, 7)
    v = w @ (rng.normal(size=(7, 7)) + 1j * rng.normal(size=(7, 7)))
    q = orthonormal(v, real=True, what="test")
    assert q.shape == (60, 7) and np.isrealobj(q)
    np.testing.assert_allclose(q.T @ q, np.eye(7), atol=1e-10)
    np.testing.assert_allclose(q @ (q.T @ w), w, atol=1e-8)
