"""Character theories: exact decompositions of the built-in groups.

A ``Theory`` knows the irreducible representations of one group, over ℂ:
their labels, dimensions, duals and complex conjugates, and how to split a
monomial in ``V``, ``V*`` and irreducibles into irreducibles. Labels are
integers or tuples of integers (highest weights, partitions, signs).

How each group is handled (one module each; ``dispatch.theory`` picks one):

- connected groups by weights (``weights.py``): ``SO(n)`` (types B and D;
  ``SO(2)`` a torus), ``SU(n)`` and ``U(n)`` (type A, acting on ℂⁿ), and the
  non-compact real forms through their complexification, whose finite
  dimensional representations are the same: ``SO+(p,q)`` as ``SO(p+q)``,
  ``Sp(m)`` (emlp's real symplectic group Sp(2m,ℝ)) as type C, ``SL(n)`` and
  ``GL(n)`` as type A, ``Scaling(n)`` as a one-dimensional torus;
- ``O(n)`` and ``O(p,q)`` (and ``SO(p,q)`` with odd ``p+q``, which holds
  ``-I``) by a second slice of the torus: ``-T`` for odd ``n``, and for even
  ``n = 2m`` a reflection times the torus of ``SO(2m-2)``, on which the
  characters of ``O(2m)`` are those of ``Sp(2m-2)`` (twining characters);
- ``C(k)``, ``Z(n)`` and ``D(k)`` as a torus mod k (and reflections);
- ``S(n)`` by partitions: ``λ ⊗ V`` by the branching rule (remove a box, add
  a box), other products by Murnaghan–Nakayama characters;
- direct products and several groups factor by factor (``decompose.py``).

The real structure: for a real group, complex conjugation permutes the
labels (``conj``); a self-conjugate irreducible is a real irreducible of the
same dimension (all of them are of real type here), a pair ``{λ, conj λ}`` is
one real irreducible of twice the dimension (complex type). ``SU(n)`` and
``U(n)`` act on ℂⁿ: ``conj`` is None and irreducibles stay complex.

>>> from repalg.symbolic.group_descriptors import SO
>>> from repalg.symbolic.characters.dispatch import theory
>>> t = theory(SO(3))
>>> t.decompose_monomial([(("V", False), 2)])
{0: 1, 1: 1, 2: 1}
"""
