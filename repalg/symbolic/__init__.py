"""The symbolic half of repalg: text to immutable expressions, canonical
forms, layouts and group descriptors. Imports no JAX.

>>> from repalg.symbolic import parse
>>> parse("V*(2+V)").canonical()
2*V+V**2
"""

from . import expr  # noqa: F401 (first: it gives Rep its operators and methods)
from .constructors import MAX_DEPTH, MAX_EXPONENT, MAX_TERMS, T
from .nodes import Atom, Product, Rep, Scalar, Sum, V, Vector, ZERO
from .group_descriptors import DirectProduct, Embedded, GroupBase, NamedGroup, direct_product, embed
from .parser import ParseError, group, parse
from .registry import group_names, register_group, register_rep, rep_names

__all__ = [
    "Atom", "DirectProduct", "MAX_DEPTH", "Embedded", "GroupBase", "NamedGroup", "MAX_EXPONENT", "MAX_TERMS",
    "ParseError", "Product", "Rep", "Scalar", "Sum", "T", "V", "Vector", "ZERO",
    "direct_product", "embed", "group", "group_names", "parse", "register_group",
    "register_rep", "rep_names",
]
