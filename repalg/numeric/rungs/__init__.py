"""The rungs of the solver's ladder (``solve.py``), one file each, cheapest first:

- ``orbit``: groups of (signed) permutations, by orbits of index tuples;
- ``clebsch_gordan``: SO(3), O(3) and SU(2), by isotypic coupling (``isotypic.py``);
- ``invariant_theory``: the stable range and the Brauer pairings of O(p,q) (``brauer.py``);
- ``weights``: Lie groups, in the zero-weight space of a torus;
- ``matrix_free``: large Lie-group problems, by a polynomial filter in JAX;
- ``dense``: anything else, by a float64 eigendecomposition.
"""
