"""Printing round-trips through the parser: repr exactly, str (emlp's
Unicode) up to equivalence."""

from hypothesis import given
from hypothesis import strategies as st

from repalg import parse

from .expressions import GROUPS, mixed, reps


@given(mixed)
def test_repr_round_trips_exactly(a):
    assert parse(repr(a)) == a


@given(mixed)
def test_str_round_trips_up_to_equivalence(a):
    assert parse(str(a)).equivalent(a)


@given(reps, st.sampled_from(GROUPS))
def test_round_trips_when_bound(a, group):
    bound = a(group)
    assert parse(repr(bound)) == bound
    assert parse(str(bound)).equivalent(bound)
