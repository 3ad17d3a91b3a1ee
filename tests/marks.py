"""Which cases of a parametrized test the default run keeps: a few fast
ones of each kind, the others with ``-m slow`` (the README's test command
finishes in 6 minutes on 2 cores; ``python -m pytest -m slow`` runs the
rest)."""

import pytest

SLOW = pytest.mark.slow


def default(cases, *fast):
    """``cases`` for ``pytest.mark.parametrize`` with every case but the
    ``fast`` ones marked slow (a tuple case is the values of several
    arguments).

    >>> [getattr(c, "marks", ()) != () for c in default(["a", "b", "c"], "b")]
    [True, False, True]
    """
    unknown = [c for c in fast if c not in cases]
    if unknown:
        raise ValueError(f"not among the cases: {unknown}")
    return [c if c in fast else pytest.param(*(c if isinstance(c, tuple) else (c,)), marks=SLOW) for c in cases]
