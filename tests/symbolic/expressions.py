"""Hypothesis strategies for expressions, and what fixes their coordinates:
shared by the tests of the constructors, the normal form and printing."""

import numpy as np
from hypothesis import strategies as st

from repalg.groups import GL, SO, SU, O, S, Z
from repalg.reps import Scalar, V
from repalg.symbolic.nodes import Atom, Sum

GROUPS = [SO(2), O(3), S(3), GL(2), SU(2), Z(2), O(1, 1), SO(2) * S(2)]


def leaves(bound: bool):
    base = [st.just(V), st.just(V.T), st.just(Scalar), st.integers(0, 3).map(lambda n: n * Scalar)]
    if bound:
        base.append(st.tuples(st.sampled_from([V, V.T]), st.sampled_from(GROUPS)).map(lambda t: t[0](t[1])))
    return st.one_of(*base)


def grow(children):
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda t: t[0] + t[1]),
        pairs.map(lambda t: t[0] * t[1]),
        pairs.map(lambda t: t[0] >> t[1]),
        pairs.map(lambda t: t[0] << t[1]),
        st.tuples(children, st.integers(0, 2)).map(lambda t: t[0] ** t[1]),
        st.tuples(st.integers(0, 3), children).map(lambda t: t[0] * t[1]),
        children.map(lambda r: r.T),
    )


def expressions(bound=False, leaves_max=5):
    return st.recursive(leaves(bound), grow, max_leaves=leaves_max)


reps = expressions()


mixed = expressions(bound=True)


small_groups = st.sampled_from([SO(2), S(2), GL(2), O(1, 1), Z(2), SU(2)])


def coordinates(rep, group):
    """What fixes the coordinates of a bound expression: its normal form and layout."""
    bound = rep(group)
    return bound.canonical(), tuple(bound.layout())


def small(rep, group, limit=400):
    return rep.size(group) <= limit


def explicit(rep, matrices):
    """The representation's matrix, built from the definitions: direct sums are
    block diagonal, products are Kronecker products, duals are inverse transposes."""
    if isinstance(rep, Atom):
        g = matrices[rep.group]
        return np.linalg.inv(g).T if rep.dual else g
    if isinstance(rep, Sum):
        blocks = [explicit(t, matrices) for t, m in rep.terms for _ in range(m)]
        size = sum(b.shape[0] for b in blocks)
        out = np.zeros((size, size), dtype=complex)
        at = 0
        for b in blocks:
            out[at:at + b.shape[0], at:at + b.shape[0]] = b
            at += b.shape[0]
        return out
    out = np.eye(1, dtype=complex)
    for factor, exponent in rep.factors:
        for _ in range(exponent):
            out = np.kron(out, explicit(factor, matrices))
    return out
