"""Independent routes to the same answer: every rung of the solver ladder
agrees with the dense null space on the cases both can take."""

import numpy as np
import pytest

from repalg import parse
from repalg.numeric import solve
from repalg.numeric.group_generators import generators, signed_permutation

from ..marks import default


def projector(q):
    q = q.toarray() if hasattr(q, "toarray") else np.asarray(q)
    return q @ q.conj().T


def atoms_of(text):
    rep = parse(text).canonical()
    (group,) = rep.groups()
    return group, tuple(solve._monomial_atoms(rep))


def dense(group, atoms):
    lie, disc = generators(group)
    size = int(np.prod([a.size() for a in atoms]))
    return solve._dense_null_space(group, atoms, lie, disc, size)[0]


LIE = ["T(3)(SO(3))", "T(4)(O(3))", "(V**2*V.T**2)(O(1,3))", "T(4)(Sp(1))", "(V*V.T)(SU(3))", "(V**2*V.T**2)(GL(2))",
       "T(4)(SL(2))", "T(3)(O(2)eR3)", "(V**2*V.T**2)(U(2))", "T(4)(SO(4))", "T(3)(SO+(1,1))", "(V*V.T)(Scaling(3))",
       "T(2)(SO(1,3))", "T(5)(SO(2))", "T(3)(SO(5))", "(V*V.T)(Sp(3))", "(V**2*V.T**2)(SU(3))", "(V**2*V.T)(U(3))",
       "(V*V.T)(SL(4))", "(V*V.T)(GL(3))", "T(3)(SO(2,3))", "T(4)(O(2,2))", "T(2,1)(SO+(2,2))",
       "T(4)(O(2)eR4)"]


NOT_CENTRAL = set()


@pytest.mark.parametrize("text", LIE)
def test_weight_rung_agrees_with_dense(text):
    group, atoms = atoms_of(text)
    lie, disc = generators(group)
    torus = solve._torus(lie)
    assert torus is not None
    size = int(np.prod([a.size() for a in atoms]))
    zero = solve._zero_weights(group, atoms, torus, size)
    q, gap = solve._weight_basis(group, atoms, lie, disc, torus, size, zero)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)
    assert gap > 1e6


@pytest.mark.parametrize("text", default(LIE, "T(3)(SO(3))", "(V*V.T)(SU(3))", "T(2)(SO(1,3))", "T(3)(O(2)eR3)"))
def test_filter_rung_agrees_with_dense(text):
    """A compact, a complex, a Lorentz and an embedded group by default
    (each compiles the filter: about 1.3 s)."""
    from repalg.numeric import filter

    group, atoms = atoms_of(text)
    lie, disc = generators(group)
    size = int(np.prod([a.size() for a in atoms]))
    dtype = np.complex128 if group.is_complex else np.float64
    found = filter.null_space([[solve.atom_drho(a, x, xp=np) for a in atoms] for x in filter.central_basis(lie)],
                              size, block=4, dtype=dtype)
    if found is None:  # M is not central for this group: the filter declines
        assert text in NOT_CENTRAL
        return
    q, gap = found
    q = solve._orthonormal(q, real=not group.is_complex, what=text) if q.shape[1] else q
    if len(disc) and q.shape[1]:
        q, _ = solve._discrete_cut(q, group, atoms, disc, text)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-8)
    assert text not in NOT_CENTRAL


@pytest.mark.parametrize("text", ["T(3)(S(4))", "T(2)(C(4))", "T(4)(D(4))", "T(3)(Cube)", "T(2)(ZksZnxZn(2,2))",
                                  "T(4)(Z(3))", "T(3)(S(3)eR5)", "T(2)(ZksZnxZn(4,2))", "T(3)(D(2)eR3)"])
def test_orbit_rung_agrees_with_dense(text):
    group, atoms = atoms_of(text)
    _, disc = generators(group)
    q = solve._orbit_basis(group.d, len(atoms), [signed_permutation(h) for h in disc])
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)


@pytest.mark.parametrize("text", ["T(2)(SO(2)*S(3))", "T(3)(Z(2)*S(3))", "(V*V.T)(O(1,1)*Z(2))", "T(2)(SO(3)*SO(2))"])
def test_direct_products_agree_with_the_whole_group(text):
    group, atoms = atoms_of(text)
    q, _, _ = solve._direct_product_basis(group, atoms)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)


def test_fewer_generators_give_the_same_orbits():
    from repalg.numeric.group_generators import orbit_permutations, permutations

    group = parse("V(S(5))").groups()[0]
    full = solve._orbit_basis(5, 3, [(p, np.ones(5)) for p in permutations(group)])
    few = solve._orbit_basis(5, 3, [(p, np.ones(5)) for p in orbit_permutations(group)])
    np.testing.assert_allclose(projector(full), projector(few), atol=1e-12)


ROTATIONS = ["T(3)(SO(3))", "T(4)(SO(3))", "T(4)(O(3))", "T(5)(O(3))", "T(6)(O(3))", "(V*Irrep(SO(3),2))(SO(3))",
             "(Irrep(SO(3),2)*Irrep(SO(3),1)*Irrep(SO(3),3))(SO(3))", "(V*Irrep(O(3),(2,1))*V)(O(3))",
             "(V*Irrep(O(3),(1,1)))(O(3))", "(Irrep(O(3),(1,-1))*V)(O(3))",
             "T(4)(SU(2))", "T(2,2)(SU(2))", "(V*V.T**3)(SU(2))", "T(3,3)(SU(2))"]


@pytest.mark.parametrize("text", ROTATIONS)
def test_isotypic_rung_agrees_with_dense(text):
    group, atoms = atoms_of(text)
    found = solve._rotation_degrees(group, atoms)
    assert found is not None
    q = solve._isotypic_basis(group, atoms, found)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)


QUADRATIC = ["T(4)(O(1,3))", "(V**2*V.T**2)(O(1,3))", "T(4)(SO(1,3))", "(V*V.T**3)(SO+(1,3))", "T(5)(SO(5))",
             "T(3)(SO(2,1))", "T(4)(O(2,2))", "T(4)(SO(4))", "(V**3*V.T)(SO(2,2))", "T(4)(O(4))"]


@pytest.mark.parametrize("text", default(QUADRATIC, *[q for q in QUADRATIC if q != "T(5)(SO(5))"]))
def test_invariant_theory_rung_agrees_with_dense(text):
    """T(5) of SO(5) in the slow run: its dense null space takes 10 s."""
    group, atoms = atoms_of(text)
    size = int(np.prod([a.size() for a in atoms]))
    q, gap = solve._brauer_basis(group, atoms, tuple(a.dual for a in atoms), size)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)
    assert gap > 1e6


def test_clebsch_gordan_matches_sympy_exactly():
    # Racah's formula in rationals against sympy's exact Wigner symbols, integer and half-integer spins
    from sympy import Rational
    from sympy.physics.wigner import clebsch_gordan as exact
    from repalg.numeric.isotypic import clebsch_gordan

    rng = np.random.default_rng(0)
    checked = 0
    for n1 in range(0, 11):
        for n2 in range(0, 11):
            for n in range(abs(n1 - n2), n1 + n2 + 1, 2):
                a1, a2 = rng.choice(np.arange(-n1, n1 + 1, 2)), rng.choice(np.arange(-n2, n2 + 1, 2))
                a = a1 + a2
                want = float(exact(*(Rational(int(x), 2) for x in (n1, n2, n, a1, a2, a)))) if abs(a) <= n else 0.0
                assert abs(clebsch_gordan(n1, n2, n, int(a1), int(a2), int(a)) - want) < 1e-15
                checked += 1
    assert checked > 300
    assert clebsch_gordan(2, 2, 3, 0, 0, 0) == 0.0  # j1 + j2 + j not an integer


@pytest.mark.parametrize("text", ["T(4)(O(3))", "T(5)(SO(3))", "(T(4)>>T(2))(O(3))", "(V*Irrep(SO(3),2)*V)(SO(3))",
                                  "T(6)(SU(2))", "(V*V.T**3)(SU(2))"])
def test_isotypic_bases_are_equivariant_in_float64(text):
    from repalg.numeric.operators import float64
    rep = parse(text)
    Q = rep.equivariant_basis()
    assert "isotypic" in Q.info.strategy and Q.shape[1] == rep.predicted_rank()
    q = Q.dense()
    for g in np.asarray(rep.groups()[0].samples(4, key=11)):
        with float64():
            r = np.asarray(rep.rho_dense(g))
        assert np.abs(r @ q - q).max() <= 1e-12 * max(1.0, np.abs(r).max())
