"""Text to expressions: ``parse("10*T(1)+5*T(2)")`` and ``group("O(1,3)")``.

The grammar lives in ``repalg/grammar.lark``; Lark's LALR parser calls the
``_Build`` transformer as it reduces, so no parse tree is kept and nesting
depth costs no recursion. Every failure, syntactic or semantic, is a
``ParseError`` that names the line, the column and what was expected, with a
caret under the spot. Nothing here evaluates user text.

>>> parse("5*V*(2+V)").equivalent(parse("10*V+5*V**2"))
True
>>> group("SO(3) x S(4)").d
12
"""

from __future__ import annotations

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import constructors
from .group_descriptors import GroupBase, direct_product, embed
from .nodes import Rep, Scalar
from .registry import LIECONV_ONLY_GROUPS, group_names, is_rep_constant, lookup_group, lookup_rep

MAX_INTEGER_BITS = 4096
"""Integer arithmetic in text (``2**10*V``) stops past numbers of this many bits."""

MAX_TEXT = 100_000
"""The longest text parsed, in characters."""


class ParseError(ValueError):
    """Text that is not a valid expression: ``line`` and ``column`` (1-based)
    say where, the message says what was expected, with a caret under the spot.

    >>> try:
    ...     parse("2*V>>*V")
    ... except ParseError as e:
    ...     (e.line, e.column)
    (1, 6)
    """

    def __init__(self, text: str, position: int, problem: str):
        self.text, self.position, self.problem = text, position, problem
        self.line = text.count("\n", 0, position) + 1
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        self.column = position - start + 1
        source = text[start:end if end >= 0 else len(text)]
        super().__init__(f"{problem} at line {self.line}, column {self.column}:\n"
                         f"  {source}\n  {' ' * (self.column - 1)}^")


ParseError.__module__ = "repalg"


class _SemanticError(Exception):
    """Raised inside the transformer; carries the offending token's position."""

    def __init__(self, where, problem: str):
        super().__init__(problem)
        self.position = where.start_pos if isinstance(where, Token) else where
        self.problem = problem


class _Name(str):
    """A representation name not yet resolved (it may be called, or stand alone)."""

    token: Token


class _Located:
    """A group with the token where its text starts, for error messages."""

    __slots__ = ("group", "token")

    def __init__(self, group: GroupBase, token: Token):
        self.group, self.token = group, token


class _Number:
    """A numeric argument with its token."""

    __slots__ = ("value", "token")

    def __init__(self, value, token: Token):
        self.value, self.token = value, token


def _argument(value):
    return value.group if isinstance(value, _Located) else value.value


_DESCRIPTIONS = {
    "NAME": "a name", "PLUS_NAME": "a group name", "INT": "an integer", "NUMBER": "a number",
    "LPAR": "'('", "RPAR": "')'", "LBRACE": "'{'", "RBRACE": "'}'", "COMMA": "','",
    "PLUS": "'+'", "TIMES": "'*'", "POW": "'**'", "SHIFT": "'>>' or '<<'", "DOT_T": "'.T'",
    "DUAL_STAR": "a dual '*'", "SUPERSCRIPT": "a superscript", "EMBED": "an embedding like eR3",
    "X": "'x'", "UNDERSCORE": "'_'", "$END": "the end of the text",
}


def _describe(expected) -> str:
    names = sorted({_DESCRIPTIONS.get(t, repr(t)) for t in expected})
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _as_rep(value, where) -> Rep:
    if isinstance(value, _Name):
        return _resolve_rep(value, ())
    if isinstance(value, int):
        return constructors.multiplicity(Scalar, value)
    if isinstance(value, Rep):
        return value
    raise _SemanticError(where, f"expected a representation, got the group {value.group}")


def _as_int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_bits(value: int, where) -> int:
    if value.bit_length() > MAX_INTEGER_BITS:
        raise _SemanticError(where, f"integer too large (more than {MAX_INTEGER_BITS} bits)")
    return value


def _integer(token: Token) -> int:
    if len(token) > MAX_INTEGER_BITS // 3:
        raise _SemanticError(token, f"integer too large (more than {MAX_INTEGER_BITS} bits)")
    return _check_bits(int(token), token)


def _resolve_rep(name: _Name, args: tuple) -> Rep:
    try:
        return lookup_rep(str(name), *args)
    except KeyError:
        if str(name) in group_names():
            raise _SemanticError(name.token, f"{str(name)!r} is a group, not a representation; "
                                             f"bind a representation to it, as in V({name}(...))") from None
        raise _SemanticError(name.token, f"unknown representation {str(name)!r}") from None
    except ValueError as error:
        raise _SemanticError(name.token, str(error)) from None


def _bind(rep: Rep, group: GroupBase, where) -> Rep:
    try:
        return constructors.bind(rep, group)
    except ValueError as error:
        raise _SemanticError(where, str(error)) from None


class _Build(Transformer):
    """One method per grammar alias; each calls a smart constructor."""

    # representations -----------------------------------------------------

    def hom(self, children):
        left, op, right = children
        if _as_int(left) is not None and _as_int(right) is not None:
            raise _SemanticError(op, f"'{op}' takes representations; both sides are integers")
        a, b = _as_rep(left, op), _as_rep(right, op)
        return constructors.hom(a, b) if op == ">>" else constructors.hom(b, a)

    def add(self, children):
        # n-ary, so that a long sum is built once, in linear time
        operands, ops = children[::2], children[1::2]
        if all(_as_int(x) is not None for x in operands):
            return _check_bits(sum(operands), ops[-1])
        return _guard(ops[0], constructors.direct_sum, *(_as_rep(x, op) for x, op in zip(operands, ops[:1] + ops)))

    def mul(self, children):
        left, op, right = children
        return self._times(left, right, op)

    def juxtapose(self, children):
        count, value = children
        return self._times(_integer(count), value, count)

    def _times(self, left, right, where):
        li, ri = _as_int(left), _as_int(right)
        if li is not None and ri is not None:
            return _check_bits(li * ri, where)
        if li is not None:
            return _guard(where, constructors.multiplicity, _as_rep(right, where), li)
        if ri is not None:
            return _guard(where, constructors.multiplicity, _as_rep(left, where), ri)
        return _guard(where, constructors.tensor, _as_rep(left, where), _as_rep(right, where))

    def pow(self, children):
        base, op, exponent = children
        k = _as_int(exponent)
        if k is None:
            raise _SemanticError(op, "the exponent of '**' must be an integer")
        b = _as_int(base)
        if b is not None:
            if k and b not in (0, 1) and k * abs(b).bit_length() > MAX_INTEGER_BITS + 64:
                raise _SemanticError(op, f"integer too large (more than {MAX_INTEGER_BITS} bits)")
            return _check_bits(b**k, op)
        return _guard(op, constructors.power, _as_rep(base, op), k)

    def superscript(self, children):
        base, digits = children
        k = int(str(digits).translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))
        return self.pow([base, digits, k])

    def dual(self, children):
        value, op = children
        if _as_int(value) is not None:
            return value
        return constructors.dual(_as_rep(value, op))

    def apply(self, children):
        value, (values, where) = children
        if len(values) != 1 or not isinstance(values[0], _Located):
            raise _SemanticError(where, "only a group can be applied to a representation, as in (2*V)(SO(3))")
        if _as_int(value) is not None:
            raise _SemanticError(where, "a group is bound to a representation, not to an integer")
        return _bind(_as_rep(value, where), values[0].group, where)

    def bind(self, children):
        value, located = children
        return _bind(_as_rep(value, located.token), located.group, located.token)

    def name(self, children):
        (token,) = children
        name = _Name(token)
        name.token = token
        return name

    def call(self, children):
        name = self.name(children[:1])
        values = tuple(map(_argument, children[1][0])) if children[1] is not None else ()
        if is_rep_constant(str(name)) and len(values) == 1 and isinstance(values[0], GroupBase):
            return _bind(_resolve_rep(name, ()), values[0], name.token)
        return _resolve_rep(name, values)

    def integer(self, children):
        return _integer(children[0])

    def args(self, children):
        return children, children[0].token

    def label_tuple(self, children):
        values = [c for c in children if isinstance(c, _Number)]
        return _Number(tuple(v.value for v in values), values[0].token)

    def number(self, children):
        (token,) = children
        return _Number(_integer(token) if token.lstrip("-").isdigit() else float(token), token)

    # groups --------------------------------------------------------------

    def group_call(self, children):
        token = children[0].children[0]
        values = tuple(children[1]) if len(children) > 1 and children[1] is not None else ()
        try:
            return _Located(lookup_group(str(token), *values), token)
        except KeyError:
            hint = (f": {token}(d) is a LieConv group, for point-cloud models (a LieResNet's group), with no "
                    "representations here" if str(token) in LIECONV_ONLY_GROUPS else "")
            raise _SemanticError(token, f"unknown group {str(token)!r}{hint}") from None
        except ValueError as error:
            raise _SemanticError(token, str(error)) from None

    def group_args(self, children):
        return [self.number([c]).value for c in children]

    def group_product(self, children):
        first, last = children[0], children[-1]
        return _Located(direct_product(first.group, last.group), first.token)

    def embed(self, children):
        located, token = children
        try:
            return _Located(embed(located.group, int(str(token)[2:])), located.token)
        except ValueError as error:
            raise _SemanticError(token, str(error)) from None


def _guard(where, constructor, *args):
    try:
        return constructor(*args)
    except ValueError as error:
        raise _SemanticError(where, str(error)) from None


_PARSERS = {start: Lark.open("../grammar.lark", rel_to=__file__, parser="lalr", start=start,
                            maybe_placeholders=True, transformer=_Build())
            for start in ("rep", "group")}


def _run(text: str, start: str, finish):
    """Parse ``text`` from the grammar rule ``start`` and ``finish`` the value;
    every failure becomes a ParseError."""
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise ParseError(text, MAX_TEXT, f"text longer than {MAX_TEXT} characters")
    try:
        return finish(_PARSERS[start].parse(text))
    except _SemanticError as e:
        raise ParseError(text, e.position or 0, e.problem) from None
    except UnexpectedCharacters as e:
        raise ParseError(text, e.pos_in_stream, f"unexpected character {text[e.pos_in_stream]!r}"
                         + (f" (expected {_describe(e.allowed)})" if e.allowed else "")) from None
    except UnexpectedToken as e:
        at_end = e.token.type == "$END"
        where = len(text) if at_end else e.token.start_pos
        found = "end of text" if at_end else repr(str(e.token))
        expected = _describe(e.expected) or "the end of the text"
        raise ParseError(text, where, f"unexpected {found} (expected {expected})") from None
    except UnexpectedEOF as e:
        raise ParseError(text, len(text), f"unexpected end of text (expected {_describe(e.expected)})") from None
    except UnexpectedInput as e:
        raise ParseError(text, getattr(e, "pos_in_stream", 0) or 0, "invalid text") from None
    except RecursionError:
        raise ParseError(text, 0, "expression nested too deeply") from None


def parse(text: str) -> Rep:
    """The representation written in ``text`` (see ``repalg/grammar.lark``).
    Integers stand for that many scalars.

    >>> parse("10*T(1)+5*T(2)").canonical()
    10*V+5*V**2
    >>> parse("T(1,0)>>T(2,1)")(group("O(1,3)")).size()
    256
    """
    return _run(text, "rep", lambda value: _as_rep(value, getattr(value, "token", 0)))


def group(text: str) -> GroupBase:
    """The group written in ``text``: ``SO(3)``, ``O(1,3)``, ``SO+(1,3)``,
    ``O(2)eR3``, ``SO(3)*S(4)`` or ``SO(3) x S(4)``.

    >>> group("Lorentz") == group("O(1,3)")
    True
    """
    return _run(text, "group", lambda located: located.group)
