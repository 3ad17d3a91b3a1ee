"""repalg.testing, the assertions users put in their own test suites."""

import pytest

from repalg.reps import V
from repalg.groups import SO
from repalg.testing import assert_equivalent


def test_equivalent_expressions_pass():
    assert_equivalent("5*V*(2+V)", "10*V+5*V**2")
    assert_equivalent(5 * V * (2 + V), "10*V+5*V**2")
    assert_equivalent("(V*V.T)(O(3))", "T(2)(O(3))")
    assert_equivalent("2+V", 2 + V)


def test_the_message_shows_both_canonical_forms_and_the_difference():
    with pytest.raises(AssertionError) as info:
        assert_equivalent("V*(1+V)", "V+2*V**2")
    message = str(info.value)
    assert "left canonical:  V+V**2" in message
    assert "right canonical: V+2*V**2" in message
    assert "V**2 (1 on the left, 2 on the right)" in message


def test_missing_terms_are_named():
    with pytest.raises(AssertionError, match=r"V\.T \(0 on the left, 1 on the right\)"):
        assert_equivalent("V", "V+V.T")


def test_groups_matter():
    with pytest.raises(AssertionError):
        assert_equivalent(V(SO(3)), V)
    with pytest.raises(AssertionError):
        assert_equivalent("(V*V.T)(O(1,3))", "T(2)(O(1,3))")


def test_bad_input_is_reported():
    with pytest.raises(ValueError):
        assert_equivalent("V+", "V")
    with pytest.raises(TypeError):
        assert_equivalent(3.5, "V")
