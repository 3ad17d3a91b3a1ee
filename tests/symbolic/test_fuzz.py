"""Random and mutated text: it parses, or it raises ParseError. Never another
exception, never a hang; and what parses prints back to itself."""

import gc
import random
import time
from contextlib import contextmanager

import pytest
from hypothesis import given, strategies as st

from repalg import V, ParseError, group, parse
from tests.reference import case_text, reference_cases

from .test_parser import BINDINGS, DUAL_STARS, EMLP_PRINTED, ERRORS, GROUPS, OPERATORS

CORPUS = sorted({
    *(text for text, _ in OPERATORS + DUAL_STARS + EMLP_PRINTED + BINDINGS),
    *(f"V({text})" for text, _ in GROUPS), *(e[0] for e in ERRORS),
    *(case_text(c) for c in reference_cases()),
})

TOKENS = [
    "V", "T", "Scalar", "Vector", "(", ")", "+", "*", "**", ">>", "<<", ".T", "0", "1", "2", "10",
    "999", "SO", "O", "S", "Z", "SU", "Lorentz", "Cube", "SO+", "x", "eR3", "_R3", "_", "{", "}",
    "⊗", "⊕", "²", "⁰", "¹⁰", "-", "1.5", ",", " ", "\n", "@", "é", "'", "\\", "**9", "(1,3)",
]

# CPU seconds of this process, not wall time: a quadratic parse or a hang fails either way,
# but a machine busy with other work does not.
SECONDS_PER_TEXT = 2.0


@contextmanager
def heap_frozen():
    """Keep the objects that exist now out of the garbage collector's passes.
    After the models' tests this process holds ~2.8 million objects (JAX's), and
    a full collection of them takes 2.5 s: one that fell due while a 0.3 s parse
    allocated its 40,000 tokens was charged to the parse."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def check(text):
    """Parse ``text``; on success the result round-trips, on failure it's a ParseError."""
    with heap_frozen():
        start = time.process_time()
        try:
            rep = parse(text)
        except ParseError as error:
            assert error.line >= 1 and error.column >= 1
            assert "^" in str(error)
        else:
            assert parse(repr(rep)) == rep
            assert parse(str(rep)).equivalent(rep)
        assert time.process_time() - start < SECONDS_PER_TEXT, text


def mutate(text, rng):
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(5)
        at = rng.randint(0, len(chars))
        if kind == 0 and chars:
            del chars[min(at, len(chars) - 1)]
        elif kind == 1:
            chars[at:at] = list(rng.choice(TOKENS))
        elif kind == 2 and len(chars) > 1:
            i = rng.randrange(len(chars) - 1)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == 3:
            j = rng.randint(at, len(chars))
            chars[at:at] = chars[at:j]
        else:
            chars = chars[:at]
    return "".join(chars)


def test_mutated_corpus():
    rng = random.Random(20261127)
    for _ in range(3000):
        check(mutate(rng.choice(CORPUS), rng))


def test_random_token_strings():
    rng = random.Random(7)
    for _ in range(3000):
        check("".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 14))))


@given(st.text(max_size=30))
def test_arbitrary_text(text):
    check(text)


@given(st.text(alphabet="V()+*T.>< 0123SO,x_{}⊗²", max_size=40))
def test_text_over_the_grammar_alphabet(text):
    check(text)


@pytest.mark.parametrize("text", ["(" * 5000 + "V" + ")" * 5000, "V" + "+V" * 20000,
                                  "V*(V+" * 2000 + "V" + ")" * 2000, "(2+V)**999",
                                  "(10**100*Scalar+V)**2", "((V**1000)**1000)**1000", "9" * 5000 + "*V"])
def test_pathological_text_is_quick(text):
    check(text)


def test_group_text():
    # mutated group names: a group that prints back to itself, or a ParseError
    # that points into the text
    rng = random.Random(3)
    parsed = failed = 0
    for _ in range(1000):
        text = mutate(rng.choice([g for g, _ in GROUPS]), rng)
        start = time.process_time()
        try:
            g = group(text)
        except ParseError as error:
            failed += 1
            assert error.line >= 1 and error.column >= 1 and "^" in str(error), text
        else:
            parsed += 1
            assert group(repr(g)) == g and group(str(g)) == g, text
            assert (V ** 2)(g).size() == g.d ** 2
        assert time.process_time() - start < SECONDS_PER_TEXT, text
    assert parsed >= 50 and failed >= 50  # both outcomes are exercised
