"""The orbit rung agrees with the dense null space on the cases both can take."""

import numpy as np
import pytest

from repalg import parse
from repalg.numeric.group_generators import (
    generators,
    orbit_permutations,
    permutations,
    signed_permutation,
)
from repalg.numeric.rungs.orbit import orbit_basis

from .agreement import atoms_of, dense, projector


@pytest.mark.parametrize("text", ["T(3)(S(4))", "T(2)(C(4))", "T(4)(D(4))", "T(3)(Cube)", "T(2)(ZksZnxZn(2,2))",
                                  "T(4)(Z(3))", "T(3)(S(3)eR5)", "T(2)(ZksZnxZn(4,2))", "T(3)(D(2)eR3)"])
def test_orbit_rung_agrees_with_dense(text):
    group, atoms = atoms_of(text)
    _, disc = generators(group)
    q = orbit_basis(group.d, len(atoms), [signed_permutation(h) for h in disc])
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)


def test_fewer_generators_give_the_same_orbits():
    group = parse("V(S(5))").groups()[0]
    full = orbit_basis(5, 3, [(p, np.ones(5)) for p in permutations(group)])
    few = orbit_basis(5, 3, [(p, np.ones(5)) for p in orbit_permutations(group)])
    np.testing.assert_allclose(projector(full), projector(few), atol=1e-12)
