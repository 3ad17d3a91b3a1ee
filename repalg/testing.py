"""Assertions for users' own test suites.

>>> from repalg.testing import assert_equivalent
>>> assert_equivalent("5*V*(2+V)", "10*V+5*V**2")
"""

from __future__ import annotations

from .numeric.equivariance import as_rep as _rep
from .numeric.equivariance import equivariance_error, rel_err, scale_adjusted_error

__all__ = ["assert_equivalent", "assert_equivariant", "equivariance_error", "rel_err", "scale_adjusted_error"]


def assert_equivalent(a, b) -> None:
    """Raise ``AssertionError`` unless ``a`` and ``b`` (expressions or text)
    have the same canonical form; the message shows both canonical forms and
    the monomials whose multiplicities differ.

    >>> try:
    ...     assert_equivalent("V*(1+V)", "V+2*V**2")
    ... except AssertionError as e:
    ...     print(e)
    representations are not equivalent
      left:            V*(1+V)
      right:           V+2*V**2
      left canonical:  V+V**2
      right canonical: V+2*V**2
      differ at:       V**2 (1 on the left, 2 on the right)
    """
    left, right = _rep(a, "left"), _rep(b, "right")
    lt, rt = dict(left.canonical_terms()), dict(right.canonical_terms())
    if lt == rt:
        return
    order = list(lt) + [m for m in rt if m not in lt]
    diffs = [f"{m!r} ({lt.get(m, 0)} on the left, {rt.get(m, 0)} on the right)"
             for m in order if lt.get(m, 0) != rt.get(m, 0)]
    raise AssertionError("\n".join([
        "representations are not equivalent",
        f"  left:            {left!r}",
        f"  right:           {right!r}",
        f"  left canonical:  {left.canonical()!r}",
        f"  right canonical: {right.canonical()!r}",
        "  differ at:       " + "; ".join(diffs),
    ]))


def assert_equivariant(f, rep_in, rep_out, group=None, tolerance: float = 1e-6, samples: int = 5, key=0) -> None:
    """Raise ``AssertionError`` unless ``f`` commutes with the group's action:
    ``f(rho_in(g) x) = rho_out(g) f(x)`` within ``tolerance`` (emlp's
    scale-adjusted relative error) on sampled elements.

    >>> from repalg.reps import V
    >>> from repalg.groups import SO
    >>> assert_equivariant(lambda x: x, V(SO(3)), V(SO(3)))
    """
    error = equivariance_error(f, rep_in, rep_out, group, samples, key)
    if not error <= tolerance:
        raise AssertionError(f"not equivariant: relative error {error:.3g} > {tolerance:g} "
                             f"for {_rep(rep_in, 'input')!r} -> {_rep(rep_out, 'output')!r}")
