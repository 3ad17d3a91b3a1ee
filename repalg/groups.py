"""emlp's group names, so that ``from emlp.groups import SO, O13, S`` becomes
``from repalg.groups import SO, O13, S``. ``G1 * G2`` is the direct product;
``rel_err`` is emlp's relative error (from ``repalg.testing``).

>>> from repalg.groups import SO, S, Lorentz, O
>>> (SO(3) * S(4)).d, Lorentz() == O(1, 3)
(12, True)
"""

from .numeric.group_generators import Group
from .symbolic.group_descriptors import (
    C,
    D,
    DirectProduct,
    DkeR3,
    Embedded,
    GL,
    GroupBase,
    Lorentz,
    O,
    O2eR3,
    O11,
    O13,
    RubiksCube,
    S,
    SL,
    SO,
    SO2eR3,
    SO11p,
    SO13,
    SO13p,
    SOplus,
    SU,
    Cube,
    Scaling,
    Sp,
    Trivial,
    U,
    Z,
    ZksZnxZn,
    direct_product,
    embed,
)
from .numeric.equivariance import rel_err

__all__ = [
    "C", "Cube", "D", "DirectProduct", "DkeR3", "Embedded", "GL", "Group", "GroupBase",
    "Lorentz", "O", "O11", "O13", "O2eR3", "RubiksCube", "S", "SL", "SO", "SO11p", "SO13",
    "SO13p", "SO2eR3", "SOplus", "SU", "Scaling", "Sp", "Trivial", "U", "Z", "ZksZnxZn",
    "direct_product", "embed", "rel_err",
]
