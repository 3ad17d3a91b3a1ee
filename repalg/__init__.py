"""repalg: exact equivariant bases for group representations written as text.

>>> import repalg
>>> repalg.parse("10*T(1)+5*T(2)").canonical()
10*V+5*V**2
>>> repalg.parse("(T(1,0)>>T(2,1))(O(1,3))").size()
256
>>> print(repalg.parse("(V**2)(SO(3))").decompose())
Irrep(SO(3),0)+Irrep(SO(3),1)+Irrep(SO(3),2)
>>> repalg.irrep(repalg.group("SO(3)"), 2).size()
5
"""

import importlib

from .version import __version__
from .symbolic import (
    ParseError,
    Rep,
    Scalar,
    T,
    V,
    Vector,
    group,
    parse,
    register_group,
    register_rep,
)
from .symbolic.decompose import Decomposition, irrep
from .numeric import Group, SolveError, TooLargeError, clear_cache, set_cache_dir

__all__ = [
    "Decomposition", "Group", "ParseError", "Rep", "Scalar", "SolveError", "T", "TooLargeError", "V", "Vector",
    "__version__", "clear_cache", "group", "irrep", "parse", "register_group", "register_rep", "set_cache_dir",
]


def __getattr__(name: str):
    """``repalg.nn``, ``repalg.models`` and ``repalg.datasets`` on first use,
    as ``emlp.nn`` is after ``import emlp`` (they import Haiku: not on every
    ``import repalg``)."""
    if name in ("nn", "models", "datasets"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'repalg' has no attribute {name!r}")
