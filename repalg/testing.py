"""Assertions for users' own test suites.

>>> from repalg.testing import assert_equivalent
>>> assert_equivalent("5*V*(2+V)", "10*V+5*V**2")
"""

from __future__ import annotations

from .symbolic import Rep, parse

__all__ = ["assert_equivalent"]


def _rep(value, side: str) -> Rep:
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, Rep):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return parse(str(value))
    raise TypeError(f"assert_equivalent: the {side} side must be a representation or its text, got {value!r}")


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
