"""Expressions as text: ``repr`` in ASCII that parses back to an equal
expression, ``str`` in emlp's Unicode (``V⁰``, ``⊗``, ``V²``), and LaTeX.

>>> from repalg.symbolic.nodes import V
>>> show(2 * V + V**2, ASCII), show(2 * V + V**2, UNICODE)
('2*V+V**2', '2V+V²')
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from .decompose import irrep_latex
from .group_descriptors import DirectProduct, Embedded, GroupBase
from .nodes import Atom, Rep, Scalar, Sum, iter_atoms

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class _Style(NamedTuple):
    plus: str
    times: str
    scalar: str
    count: Callable[[int, str], str]
    exponent: Callable[[str, int], str]
    dual: Callable[[str], str]
    bound: Callable[[str, GroupBase], str]


def _subscript(text: str, group: GroupBase) -> str:
    simple = not isinstance(group, (DirectProduct, Embedded))
    return f"{text}_{group}" if simple else f"{text}_{{{group}}}"


ASCII = _Style(plus="+", times="*", scalar="Scalar", count=lambda n, t: f"{n}*{t}",
                exponent=lambda t, k: f"{t}**{k}", dual=lambda t: f"{t}.T", bound=lambda t, g: f"{t}({g})")


UNICODE = _Style(plus="+", times="⊗", scalar="V⁰", count=lambda n, t: f"{n}{t}",
                  exponent=lambda t, k: t + str(k).translate(_SUPERSCRIPTS), dual=lambda t: f"{t}*",
                  bound=_subscript)


def _argument_text(arg) -> str:
    if isinstance(arg, tuple):
        return "(" + ",".join(_argument_text(a) for a in arg) + ("," if len(arg) == 1 else "") + ")"
    return str(arg)


def show(rep: Rep, style: _Style) -> str:
    """The expression as text in ``style`` (``ASCII`` for repr, ``UNICODE`` for str)."""
    groups = rep.groups()
    atoms = list(iter_atoms(rep))
    if all(a.name == "Irrep" and a.dim is not None for a in atoms):
        return _text(rep, style, omit=None)
    if len(groups) == 1 and all(a.group is not None for a in atoms):
        inner = _text(rep, style, omit=groups[0])
        if isinstance(rep, Atom) and not rep.dual and not rep.args:
            return f"{inner}({groups[0]})"
        return f"({inner})({groups[0]})"
    return _text(rep, style, omit=None)


def _text(rep: Rep, style: _Style, omit) -> str:
    if isinstance(rep, Atom):
        text = rep.name
        if rep.args:
            text += "(" + ",".join(_argument_text(a) for a in rep.args) + ")"
        if rep.group is not None and rep.group != omit and not (rep.name == "Irrep" and rep.dim is not None):
            text = style.bound(text, rep.group)
        return style.dual(text) if rep.dual else text
    if isinstance(rep, Sum):
        if not rep.terms:
            return "0"
        if len(rep.terms) == 1 and rep.terms[0][0] == Scalar:
            # n scalars print as n*Scalar: a bare (n) in a product would read
            # as the integer n, a multiplicity, not a tensor factor.
            return style.count(rep.terms[0][1], style.scalar)
        parts = []
        for start, period, repeats in _runs(rep.terms):
            if repeats > 1:  # n*(A+B) reads back as the same n·2 terms
                block = _text(Sum(rep.terms[start:start + period]), style, omit)
                parts.append(style.count(repeats, f"({block})"))
                continue
            term, count = rep.terms[start]
            if term == Scalar:
                parts.append(str(count))
            else:
                text = _text(term, style, omit)
                parts.append(text if count == 1 else style.count(count, text))
        return style.plus.join(parts)
    if not rep.factors:
        return style.scalar
    parts = []
    for factor, exponent in rep.factors:
        text = _text(factor, style, omit)
        if isinstance(factor, Sum):
            text = f"({text})"
        parts.append(text if exponent == 1 else style.exponent(text, exponent))
    return style.times.join(parts)


_LONGEST_BLOCK = 16


def _runs(terms: tuple) -> list:
    """The terms of a sum as ``(start, period, repeats)``: a block of terms
    repeated back to back (as ``n*(A+B)`` spells it) is one run."""
    out, i, n = [], 0, len(terms)
    while i < n:
        best = (1, 1)
        for p in range(2, min(_LONGEST_BLOCK, (n - i) // 2) + 1):
            block, r = terms[i:i + p], 1
            while terms[i + r * p:i + (r + 1) * p] == block:
                r += 1
            if r > 1 and p * r > best[0] * best[1]:
                best = (p, r)
        out.append((i, *best))
        i += best[0] * best[1]
    return out


def show_latex(rep: Rep) -> str:
    """The expression in LaTeX."""
    if isinstance(rep, Atom):
        if rep.name == "Irrep" and rep.dim is not None:
            text = irrep_latex(rep)
        else:
            text = rep.name if not rep.args else f"{rep.name}({','.join(_argument_text(a) for a in rep.args)})"
        return text + "^{*}" if rep.dual else text
    if isinstance(rep, Sum):
        if not rep.terms:
            return "0"
        parts = []
        for term, count in rep.terms:
            text = show_latex(term)
            if term == Scalar:
                parts.append(str(count))
            else:
                parts.append(text if count == 1 else f"{count}{text}" if isinstance(term, Atom) else f"{count}({text})")
        return r" \oplus ".join(parts)
    if not rep.factors:
        return r"\mathbb{R}"
    parts = []
    for factor, exponent in rep.factors:
        text = show_latex(factor)
        if isinstance(factor, Sum):
            text = f"({text})"
        parts.append(text if exponent == 1 else f"{text}^{{\\otimes {exponent}}}")
    return r" \otimes ".join(parts)
