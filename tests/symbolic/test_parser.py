"""The expression language: every spelling of DESIGN.md, emlp's printed forms,
the reference cases, and the errors."""

import pytest

import repalg
from repalg import ParseError, group, parse
from repalg.groups import (
    C, Cube, D, DkeR3, GL, Lorentz, O, O2eR3, O11, O13, RubiksCube, S, SL, SO, SO2eR3,
    SO11p, SO13, SO13p, SU, Scaling, Sp, Trivial, U, Z, ZksZnxZn,
)
from repalg.reps import Scalar, T, V

from tests.reference import case_text, reference_cases


def test_readme_examples():
    assert repr(parse("10*T(1)+5*T(2)").canonical()) == "10*V+5*V**2"
    assert parse("5*V*(2+V)").canonical() == parse("10*V+5*V**2").canonical()
    assert parse("10*T(1)+5*T(2)")(S(5)).size() == 175
    assert parse("T(1,0)>>T(2,1)")(O(1, 3)).size() == 256
    assert parse("(T(1,0)>>T(2,1))(O(1,3))").size() == 256


@pytest.mark.parametrize("case", reference_cases(), ids=case_text)
def test_reference_case_parses_with_its_size(case):
    rep = parse(case_text(case))
    assert rep.size() == case["N"]
    if case["group"] is not None:
        assert parse(case["rep"])(group(case["group"])) == rep


ATOMS = [
    ("V", V), ("Vector", V), ("Scalar", Scalar), ("T(0)", Scalar), ("T(2)", V**2),
    ("T(1,1)", V * V.T), ("T(0,2)", V.T**2), ("3", 3 * Scalar), ("0", 0 * V), ("1", Scalar),
]


@pytest.mark.parametrize("text,expected", ATOMS, ids=[a for a, _ in ATOMS])
def test_atoms(text, expected):
    assert parse(text) == expected


OPERATORS = [
    ("V+V", V + V), ("V⊕V", V + V), ("V*V", V * V), ("V⊗V", V * V), ("V**3", V**3),
    ("V³", V**3), ("V⁰", Scalar), ("V¹⁰", V**10), ("V.T", V.T), ("V>>V", V >> V),
    ("V<<2*V", V << 2 * V), ("(V+1)*V", (V + 1) * V), ("2+V", 2 + V), ("V*2", 2 * V),
    ("2V", 2 * V), ("5V⁰+5V", 5 * Scalar + 5 * V), ("2*V>>V+1", (2 * V) >> (V + 1)),
    ("2*V**2", 2 * V**2), ("V**2**2", V**4), ("V.T.T", V), ("(V.T)**2", V.T**2),
    ("2**3*V", 8 * V), ("(1+1)*V", 2 * V), ("V>>V>>V", (V >> V) >> V), ("2+3+V", 5 + V),
    ("V+2+3", V + 5), ("1+2+3", 6 * Scalar), ("(V*V.T)**2", V * V.T * V * V.T), ("(V+V.T)**2", (V + V.T)**2),
]


@pytest.mark.parametrize("text,expected", OPERATORS, ids=[a for a, _ in OPERATORS])
def test_operators_mean_what_python_means(text, expected):
    assert parse(text) == expected


DUAL_STARS = [
    # emlp prints a dual as a postfix star
    ("V*V", V * V), ("V * V", V * V), ("V*(V)", V * V), ("V*+V", V.T + V), ("V* + V", V.T + V),
    ("V⊗V*", V * V.T), ("V*", V.T), ("(V*)*", V), ("V**", None), ("V*²", V.T**2),
    ("V*⊗V*", V.T * V.T), ("(V+V*)", V + V.T), ("V*>>V", V.T >> V), ("V**2", V**2),
    ("V*.T", V), ("2V*", 2 * V.T), ("V*2", 2 * V),
]


@pytest.mark.parametrize("text,expected", DUAL_STARS, ids=[a for a, _ in DUAL_STARS])
def test_postfix_star_is_a_dual_only_when_no_operand_follows(text, expected):
    if expected is None:
        with pytest.raises(ParseError):
            parse(text)
    else:
        assert parse(text) == expected


# Strings printed by emlp 1.0.3 itself (str() of its representations).
EMLP_PRINTED = [
    ("(V+V+V+V+V+V+V+V+V+V+V⊗V+V⊗V+V⊗V+V⊗V+V⊗V)", 10 * T(1) + 5 * T(2)),
    ("(V+V+V+V+V)⊗(2V⁰+V)", 5 * V * (2 + V)),
    ("V⊗V⊗V*⊗V*", T(1, 0) >> T(2, 1)),
    ("V⊗V*", V >> V),
    ("(V+V⊗V)⊗(V*+V*⊗V*)", (V + V**2) >> (V + V**2)),
    ("(5V⁰+V+V+V+V+V)", 5 * Scalar + 5 * V),
    ("V*⊗V*", V.T**2),
    ("V²⊗V*²", T(2, 2)),
    ("30V+15V²+10V³+5V⁴", 30 * V + 15 * V**2 + 10 * V**3 + 5 * V**4),
    ("(V+V⊗V⊗V)⊗(V*+V*+V*+V*⊗V*+V*⊗V*)", (3 * V + 2 * V**2) >> (V + V**3)),
]


@pytest.mark.parametrize("text,expected", EMLP_PRINTED, ids=[a for a, _ in EMLP_PRINTED])
def test_text_copied_from_emlp_parses(text, expected):
    assert parse(text).equivalent(expected)


def test_emlp_mixed_group_printing_parses():
    # emlp prints 2*V(Z(3))*V(S(4))+V(O(3))**2 as 'V²+2V_Z(3)⊗V_S(4)' with the
    # group of V² left out; with it written, repalg reads the subscripts.
    rep = parse("V_O(3)²+2V_Z(3)⊗V_S(4)")
    assert rep.equivalent(2 * V(Z(3)) * V(S(4)) + V(O(3))**2)
    assert rep.size() == 33


BINDINGS = [
    ("V(SO(3))", V(SO(3))), ("T(2)(O(3))", T(2)(O(3))), ("(5*V*(2+V))(S(5))", (5 * V * (2 + V))(S(5))),
    ("2*V(Z(3))*V(S(4))+V(O(3))**2", 2 * V(Z(3)) * V(S(4)) + V(O(3))**2),
    ("V_SO(3)", V(SO(3))), ("V_{SO(3)*S(4)}", V(SO(3) * S(4))), ("V_SO(3)xS(4)", V(SO(3) * S(4))),
    ("V(SO(3))(SO(3))", V(SO(3))), ("(V(SO(3))+V)(SO(3))", 2 * V(SO(3))), ("V.T(O(1,3))", V.T(O(1, 3))),
    ("Scalar(SO(3))", Scalar), ("T(1,1)(SU(2))", T(1, 1)(SU(2))),
]


@pytest.mark.parametrize("text,expected", BINDINGS, ids=[a for a, _ in BINDINGS])
def test_binding_groups(text, expected):
    assert parse(text) == expected


GROUPS = [
    ("SO(3)", SO(3)), ("O(3)", O(3)), ("O(1,3)", O13()), ("Lorentz", Lorentz()), ("SO(1,3)", SO13()),
    ("SO+(1,3)", SO13p()), ("SO13p", SO13p()), ("O(1,1)", O11()), ("SO+(1,1)", SO11p()),
    ("Sp(2)", Sp(2)), ("SU(3)", SU(3)), ("U(2)", U(2)), ("SL(3)", SL(3)), ("GL(2)", GL(2)),
    ("C(4)", C(4)), ("D(6)", D(6)), ("Z(5)", Z(5)), ("S(5)", S(5)), ("Cube", Cube()),
    ("RubiksCube", RubiksCube()), ("Trivial(3)", Trivial(3)), ("Scaling(3)", Scaling(3)),
    ("ZksZnxZn(4,4)", ZksZnxZn(4, 4)), ("O(2)eR3", O2eR3()), ("SO(2)eR3", SO2eR3()),
    ("D(6)eR3", DkeR3(6)), ("SO(3)*S(4)", SO(3) * S(4)), ("SO(3) x S(4)", SO(3) * S(4)),
    ("SO(3)xS(4)", SO(3) * S(4)), ("Z(3)*Z(4)*S(2)", Z(3) * Z(4) * S(2)), ("(SO(3)*S(4))", SO(3) * S(4)),
    ("O(2)_R3", O2eR3()), ("Cube()", Cube()),
]


@pytest.mark.parametrize("text,expected", GROUPS, ids=[a for a, _ in GROUPS])
def test_group_spellings(text, expected):
    assert group(text) == expected
    assert group(str(expected)) == expected
    assert parse(f"V({text})") == V(expected)


def test_group_dimensions_follow_emlp():
    dims = {"SO(3)": 3, "O(1,3)": 4, "Sp(2)": 4, "SU(3)": 3, "C(4)": 2, "D(6)": 2, "Cube": 6,
            "RubiksCube": 48, "ZksZnxZn(2,2)": 8, "ZksZnxZn(4,4)": 64, "O(2)eR3": 3,
            "SO(3)*S(4)": 12, "Trivial(3)": 3, "SO+(1,1)": 2}
    assert {text: group(text).d for text in dims} == dims


def test_lorentz_is_o13():
    assert Lorentz() == O13() == O(1, 3) == group("Lorentz") == group("O13")
    assert hash(Lorentz()) == hash(O(1, 3))


def test_group_properties():
    assert SO(3).is_orthogonal and not SO(3).is_permutation and SO(3).is_compact
    assert S(5).is_permutation and S(5).is_orthogonal
    assert not O(1, 3).is_orthogonal and not O(1, 3).is_compact
    assert SU(2).is_complex and not SU(2).is_orthogonal
    assert (SO(3) * S(4)).is_orthogonal and not (SO(3) * S(4)).is_permutation
    assert (Z(3) * S(4)).is_permutation


ERRORS = [
    ("2*V>>*V", 1, 6, "expected"), ("SO(0)", 1, 1, "group"), ("V(SO(0))", 1, 3, "at least 1"),
    ("T(-1)", 1, 1, "non-negative"), ("V(S(2.5))", 1, 3, "integer"), ("T(1,2,3)", 1, 1, "T(p)"),
    ("V(Foo(3))", 1, 3, "unknown group 'Foo'"), ("Bar", 1, 1, "unknown representation 'Bar'"),
    ("V(SO(3))(O(3))", 1, 10, "already bound"), ("V**V", 1, 2, "integer"), ("", 1, 1, "end of text"),
    ("V+\n(V", 2, 3, "')'"), ("V @ V", 1, 3, "'@'"), ("V(3)", 1, 1, "no arguments"),
    ("9**9**9**9", 1, 5, "too large"), ("V(O(3)eR2)", 1, 7, "embed"), ("V(Cube(2))", 1, 3, "no arguments"),
    ("(2)(SO(3))", 1, 5, "integer"), ("V(SO(3), 2)", 1, 1, "no arguments"), ("V**1001", 1, 2, "1000"),
    ("(V)(3)", 1, 5, "only a group"), ("T(2)(3, SO(3))", 1, 6, "only a group"),
    ("V(ZksZnxZn(3,3))", 1, 3, "2 or 4"), ("V(O(1,3,5))", 1, 3, "two"), ("V(SO+(3))", 1, 3, "O+"),
]


@pytest.mark.parametrize("text,line,column,words", ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_errors_say_where_and_what(text, line, column, words):
    with pytest.raises(ParseError) as info:
        parse(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.line, error.column) == (line, column), str(error)
    assert words in str(error)
    caret_line = str(error).splitlines()[-1]
    assert caret_line.index("^") == 2 + column - 1


def test_group_errors():
    for text in ["SO(0)", "S(2.5)", "Foo", "SO(3) +", "V", "SO(3)*"]:
        with pytest.raises(ParseError):
            group(text)


def test_parse_rejects_non_text():
    with pytest.raises(TypeError):
        parse(3)


def test_errors_in_python_constructors():
    with pytest.raises(ValueError, match="at least 1"):
        SO(0)
    with pytest.raises(ValueError, match="integer"):
        S(2.5)
    with pytest.raises(ValueError, match="non-negative"):
        T(-1)
    with pytest.raises(ValueError, match="already bound"):
        V(SO(3))(O(3))
    with pytest.raises(ValueError, match="none is bound"):
        V.size()


def test_registered_names_parse_like_builtins():
    from repalg.symbolic.nodes import Atom
    from repalg.symbolic.group_descriptors import NamedGroup as Group

    repalg.register_group("Klein4", Group("Klein4", (), d=4, is_orthogonal=True, is_permutation=True,
                                          is_compact=True, is_discrete=True))
    repalg.register_group("Cyc", lambda n: Group("Cyc", (n,), d=n, is_orthogonal=True, is_discrete=True))
    repalg.register_rep("W", Atom("W", dim=7))
    repalg.register_rep("Sym", lambda k: V**k)
    assert parse("V(Klein4)").size() == 4
    assert parse("T(2)(Cyc(5))").size() == 25
    assert parse("W+V").size(SO(2)) == 9
    assert parse("Sym(3)") == V**3
    assert parse(repr(parse("(W*V)(Klein4)"))) == parse("(W*V)(Klein4)")
    with pytest.raises(ValueError):
        repalg.register_rep("bad name", V)
