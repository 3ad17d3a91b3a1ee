"""emlp's helpers for looking at and checking equivariant bases, at emlp's
module path (``emlp.reps.utilities``); they live in ``repalg.numeric.basis_utilities``.

>>> from repalg.reps import V
>>> from repalg.groups import SO
>>> W = V(SO(3))
>>> sparsify_basis((W**2 >> W).equivariant_basis()).reshape(3, 3, 3)[0].tolist()
[[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]]
"""

from ..numeric.basis_utilities import equivariance_error, sparsify_basis, vis

__all__ = ["equivariance_error", "sparsify_basis", "vis"]
