"""The one place where names are resolved: group names and representation
names, built-ins and user registrations alike.

>>> from repalg.symbolic.registry import register_rep, lookup_rep
>>> from repalg.symbolic.nodes import V
>>> register_rep("Vec", V)
>>> lookup_rep("Vec") == V
True
"""

from __future__ import annotations

import re
from typing import Callable, Union

from . import group_descriptors as g
from .decompose import irrep
from .constructors import T
from .nodes import Rep, Scalar, V
from .group_descriptors import GroupBase

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\+?\Z")

GroupFactory = Union[GroupBase, Callable[..., GroupBase]]
RepFactory = Union[Rep, Callable[..., Rep]]

_groups: dict[str, GroupFactory] = {}
_reps: dict[str, RepFactory] = {}


def _check_name(name: str, plus_allowed: bool) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or (name.endswith("+") and not plus_allowed):
        raise ValueError(f"a name is a letter followed by letters and digits"
                         f"{' (a group name may end in +)' if plus_allowed else ''}, got {name!r}")
    return name


def register_group(name: str, factory: GroupFactory) -> None:
    """Make ``name`` a group in the expression language. ``factory`` is a
    group (for a name without arguments, like ``Cube``) or a callable that
    takes the integer arguments written after the name and returns a group;
    it raises ``ValueError`` for bad arguments.

    >>> from repalg.symbolic.group_descriptors import NamedGroup
    >>> register_group("Klein", NamedGroup("Klein", (), d=4, is_orthogonal=True, is_discrete=True))
    >>> lookup_group("Klein").d
    4
    """
    _groups[_check_name(name, plus_allowed=True)] = factory


def register_rep(name: str, factory: RepFactory) -> None:
    """Make ``name`` a representation in the expression language: a fixed
    expression (like ``V``), or a callable taking the arguments written after
    the name (integers and groups) and returning one (like ``T``).

    >>> from repalg.symbolic.nodes import V
    >>> register_rep("Sym2", lambda: V * V)
    >>> lookup_rep("Sym2") == V**2
    True
    """
    _reps[_check_name(name, plus_allowed=False)] = factory


LIECONV_ONLY_GROUPS = ("SE", "RxSO", "Translation")
"""Group names that only LieConv's point-cloud models know
(``repalg.models.lieconv``): the parser names them as such instead of
calling them unknown."""


def lookup_group(name: str, *args) -> GroupBase:
    """The group called ``name`` with ``args``; KeyError for an unknown name,
    ValueError for bad arguments.

    >>> lookup_group("SO", 3)
    SO(3)
    """
    return _lookup(_groups, GroupBase, "group", name, args)


def lookup_rep(name: str, *args) -> Rep:
    """The representation called ``name`` with ``args``.

    >>> lookup_rep("T", 2, 1) == V**2 * V.T
    True
    """
    return _lookup(_reps, Rep, "representation", name, args)


def _lookup(table: dict, constant: type, kind: str, name: str, args: tuple):
    if name not in table:
        raise KeyError(name)
    factory = table[name]
    if isinstance(factory, constant):
        if args:
            raise ValueError(f"the {kind} {name} takes no arguments, got {len(args)}")
        return factory
    try:
        return factory(*args)
    except TypeError as error:
        raise ValueError(f"{name}{_signature(args)}: {error}") from None


def is_rep_constant(name: str) -> bool:
    """Whether ``name`` is a representation without arguments (so ``name(G)`` binds G)."""
    return isinstance(_reps.get(name), Rep)


def group_names() -> list[str]:
    """The registered group names, sorted."""
    return sorted(_groups)


def rep_names() -> list[str]:
    """The registered representation names, sorted."""
    return sorted(_reps)


def _signature(args: tuple) -> str:
    return "(" + ",".join(str(a) for a in args) + ")"


for _name, _factory in {
    "SO": g.SO, "O": g.O, "SO+": g.SOplus, "Sp": g.Sp, "SU": g.SU, "U": g.U,
    "SL": g.SL, "GL": g.GL, "C": g.C, "D": g.D, "Z": g.Z, "S": g.S,
    "Cube": g.Cube(), "RubiksCube": g.RubiksCube(), "ZksZnxZn": g.ZksZnxZn,
    "Trivial": g.Trivial, "Scaling": g.Scaling,
    "Lorentz": g.Lorentz(), "O13": g.O13(), "SO13": g.SO13(), "SO13p": g.SO13p(),
    "O11": g.O11(), "SO11p": g.SO11p(),
    "SO2eR3": g.SO2eR3(), "O2eR3": g.O2eR3(), "DkeR3": g.DkeR3,
}.items():
    register_group(_name, _factory)

def _tensor_type(*args) -> Rep:
    if len(args) not in (1, 2) or not all(isinstance(a, int) for a in args):
        raise ValueError(f"T takes one or two integers, T(p) or T(p,q), got {_signature(args)}")
    return T(*args)


def _irrep(*args) -> Rep:
    if not args or not isinstance(args[0], GroupBase):
        raise ValueError("Irrep takes a group and a label, as in Irrep(SO(3), 2)")
    return irrep(*args)


for _name, _factory in {"V": V, "Vector": V, "Scalar": Scalar, "T": _tensor_type, "Irrep": _irrep}.items():
    register_rep(_name, _factory)
