"""The numeric half of repalg: groups in numbers, representations as
structured operators, and the constraint solvers. It installs itself as the
implementation behind the numeric methods of expressions and groups.

>>> import repalg
>>> repalg.parse("V(SO(3))").equivariant_basis().shape
(3, 0)
"""

import sys

from ..symbolic import backend as _backend
from .basis import Basis, Projector, SolveInfo
from .cache import cache_dir, clear_cache, set_cache_dir
from .commutant import NumericIrrep, change_of_basis, trivial_irrep
from .finite import decompose
from .finite import rank as finite_rank
from .group_generators import Group, discrete_generators, generators, lie_algebra, signed_permutation
from .sampling import samples
from .rho import drho, rho
from .user import user_size
from .errors import SolveError, TooLargeError
from .rungs.dense import MAX_DENSE
from .solve import equivariant_basis, equivariant_projector

__all__ = [
    "Basis", "Group", "NumericIrrep", "change_of_basis", "decompose", "MAX_DENSE", "Projector", "SolveError", "SolveInfo", "TooLargeError", "cache_dir",
    "clear_cache", "discrete_generators", "drho", "equivariant_basis", "equivariant_projector", "finite_rank",
    "generators", "lie_algebra", "rho", "samples", "set_cache_dir", "signed_permutation", "trivial_irrep",
    "user_size",
]

_backend.install(sys.modules[__name__])
