"""Representations and groups named by text or given as objects, bound
together for a model: the one place models, datasets, configs and the CLI
turn ``("5*T(0)+5*T(1)", "T(2)", "O(3)")`` into bound representations.

>>> rep_in, rep_out, G = bind("5*T(0)+5*T(1)", "T(2)", "O(3)")
>>> rep_in.size(), rep_out.size(), str(G)
(20, 9, 'O(3)')
"""

from __future__ import annotations

from ..symbolic import parse
from ..symbolic.group_descriptors import GroupBase
from ..symbolic.nodes import Rep
from ..symbolic.user_reps import as_node
from ..symbolic.parser import group as parse_group


def as_group(group) -> GroupBase:
    """``group`` as a group object: itself, or parsed from text."""
    if isinstance(group, str):
        return parse_group(group)
    if isinstance(group, GroupBase):
        return group
    raise TypeError(f"a group is a group object or its text, such as 'O(3)'; got {group!r}")


def as_rep(rep, group) -> Rep:
    """``rep`` bound to ``group``: text is parsed, an unbound representation is
    bound, one already bound keeps its groups (a mixed-group one included)."""
    if isinstance(rep, str):
        rep = parse(rep)
    node = as_node(rep)
    if not isinstance(node, Rep):
        raise TypeError(f"a representation is a Rep or its text, such as '5*T(0)+5*T(1)'; got {rep!r}")
    if any(a.group is None for a in node.atoms()):
        node = node(as_group(group))
    return node


def bind(rep_in, rep_out, group):
    """``(rep_in, rep_out, group)`` with both representations bound.

    >>> bind("V", "Scalar", "SO(2)")[0].size()
    2
    """
    group = as_group(group)
    return as_rep(rep_in, group), as_rep(rep_out, group), group
