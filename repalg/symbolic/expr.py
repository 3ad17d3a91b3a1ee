"""Representation expressions: the operators and methods of every ``Rep``.

The pieces each have a file: the node types (``nodes.py``), the smart
constructors (``constructors.py``), users' own representations
(``user_reps.py``), the normal form and layout (``normal_form.py``), printing
(``printing.py``) and the isotypic decomposition (``decompose.py``). This
module sees them all and gives ``Rep`` its methods once (``RepMethods``), so
that none of them imports another upwards; ``repalg.symbolic`` imports it
first.

Three node types build every expression:

- ``Atom``: the base representation ``V`` of a group (or a user-defined
  representation), possibly dualised (``V.T``), possibly bound to a group;
- ``Sum``: a direct sum, a tuple of ``(term, multiplicity)`` pairs;
- ``Product``: a Kronecker (tensor) product, a tuple of ``(factor, exponent)``.

``Scalar`` is the empty product and ``0`` the empty sum. The smart
constructors (``direct_sum``, ``tensor``, ``dual``, ``bind``) keep the order the
user wrote, because that order defines the coordinates (sums concatenate,
products are row-major Kronecker products); they only make rewrites that leave
every coordinate where it was: nested sums and products are flattened, equal
neighbours merged, duals pushed onto atoms, and a sum in the *leading* factor of
a product distributed (``(A+B)⊗C`` is ``A⊗C + B⊗C``, coordinate for coordinate;
a power of a sum alone, ``(A+B)**k``, stays as written).

Only ``canonical()`` reorders: it returns the normal form (a sum of monomials
sorted by content), and ``layout()`` the permutation between the two
coordinate systems.

>>> from repalg.symbolic.nodes import V, Scalar
>>> r = 5 * V * (2 + V)
>>> r.canonical() == (10 * V + 5 * V**2).canonical()
True
>>> repr((10 * V + 5 * V**2).canonical())
'10*V+5*V**2'
"""

from __future__ import annotations

import numpy as np

from .backend import numeric
from .constructors import (
    bind,
    coerce,
    direct_sum,
    dual,
    hom,
    multiplicity,
    power,
    tensor,
)
from .decompose import decompose, isomorphic, predicted_rank
from .group_descriptors import GroupBase
from .nodes import Atom, Product, Rep, Sum, is_int, iter_atoms, orthogonal, size_of
from .normal_form import canonical, layout
from .printing import ASCII, UNICODE, show, show_latex
from .user_reps import as_node, user_eq, user_hash


def is_node(rep) -> bool:
    """Whether ``rep`` is one of repalg's nodes (not a user's own ``Rep``)."""
    return isinstance(rep, (Atom, Sum, Product))


class RepMethods:
    """The operators and methods of every representation expression, given to
    ``Rep`` below (see ``nodes.Rep``)."""

    # operators -----------------------------------------------------------

    def __add__(self, other):
        other = coerce(other)
        return NotImplemented if other is None else direct_sum(self, other)

    def __radd__(self, other):
        other = coerce(other)
        return NotImplemented if other is None else direct_sum(other, self)

    def __mul__(self, other):
        if is_int(other):
            return multiplicity(self, other)
        other = coerce(other)
        return NotImplemented if other is None else tensor(self, other)

    def __rmul__(self, other):
        if is_int(other):
            return multiplicity(self, other)
        other = coerce(other)
        return NotImplemented if other is None else tensor(other, self)

    def __pow__(self, k):
        return power(self, k)

    def __rshift__(self, other):
        """``A >> B``: the linear maps from A to B, that is ``B ⊗ A*``."""
        other = coerce(other)
        return NotImplemented if other is None else hom(self, other)

    def __rrshift__(self, other):
        other = coerce(other)
        return NotImplemented if other is None else hom(other, self)

    def __lshift__(self, other):
        """``A << B``: the linear maps from B to A, that is ``A ⊗ B*``."""
        other = coerce(other)
        return NotImplemented if other is None else hom(other, self)

    def __rlshift__(self, other):
        other = coerce(other)
        return NotImplemented if other is None else hom(self, other)

    @property
    def T(self) -> "Rep":
        """The dual representation (``V.T`` is ``V*``); a user's representation
        of an orthogonal group is its own dual, as in emlp."""
        if not is_node(self) and orthogonal(getattr(self, "G", None)):
            return self
        return dual(self)

    def __call__(self, group: GroupBase) -> "Rep":
        """Bind every unbound atom to ``group``: ``V(SO(3))``, ``T(2)(O(3))``."""
        return bind(self, group)

    # facts -----------------------------------------------------------------

    def size(self, group: GroupBase | None = None) -> int:
        """The dimension, computed from the expression without building anything.

        >>> from repalg.symbolic.nodes import V
        >>> from repalg.symbolic.group_descriptors import S
        >>> (10 * V + 5 * V**2).size(S(5))
        175
        """
        rep = as_node(self) if group is None else bind(self, group)
        return size_of(rep)

    def atoms(self) -> tuple:
        """The distinct atoms of this expression, in order of first appearance."""
        return tuple(dict.fromkeys(iter_atoms(as_node(self))))

    def groups(self) -> tuple:
        """The groups bound in this expression, in order of first appearance."""
        seen: dict = {}
        for atom in iter_atoms(as_node(self)):
            if atom.group is not None:
                seen.setdefault(atom.group, None)
        return tuple(seen)

    # normal form -------------------------------------------------------------

    def canonical(self) -> "Rep":
        """The normal form: a sum of monomials with multiplicities, products
        distributed over sums, scalars merged, ``(V*)* = V``, ``V* = V`` for the
        base representation of a (real) orthogonal group, everything sorted by
        content. Idempotent, and the same in every process.

        >>> from repalg.symbolic.nodes import V
        >>> (V.T * (V + 1)).canonical()
        V.T+V*V.T
        """
        return canonical(as_node(self))

    def canonical_terms(self) -> tuple:
        """The normal form as ``(monomial, multiplicity)`` pairs, in canonical order.

        >>> from repalg.symbolic.nodes import V
        >>> [(repr(m), n) for m, n in (V * (2 + V)).canonical_terms()]
        [('V', 2), ('V**2', 1)]
        """
        normal = canonical(as_node(self))
        return normal.terms if isinstance(normal, Sum) else ((normal, 1),)

    def equivalent(self, other) -> bool:
        """Whether both expressions have the same normal form.

        >>> from repalg.symbolic.nodes import V
        >>> (5 * V * (2 + V)).equivalent(10 * V + 5 * V**2)
        True
        """
        coerced = coerce(other)
        if coerced is None:
            raise TypeError(f"cannot compare a representation with {other!r}")
        return canonical(as_node(self)) == canonical(coerced)

    def layout(self) -> np.ndarray:
        """The permutation from the user's coordinates to the canonical ones:
        ``x_user[perm]`` is the same vector in the coordinates of ``canonical()``.
        Computed only when asked (it has one entry per coordinate).

        >>> from repalg.symbolic.nodes import V
        >>> from repalg.symbolic.group_descriptors import SO
        >>> (V * (1 + V))(SO(2)).layout().tolist()
        [0, 3, 1, 2, 4, 5]
        """
        rep = as_node(self)
        known = rep.__dict__.get("_known_layout")
        if known is None:  # kept on the node (read-only): layers ask for it again and again
            known = layout(rep)
            known.flags.writeable = False
            object.__setattr__(rep, "_known_layout", known)
        return known

    # numbers, from repalg.numeric ------------------------------------------

    def rho(self, g):
        """The action of the group element ``g`` (a matrix, or a dict of one
        matrix per group for several groups) as a structured linear operator."""
        return numeric().rho(as_node(self), g)

    def rho_dense(self, g):
        """``rho(g)`` as a dense matrix; traceable by ``jax.jit`` and ``jax.vmap``."""
        return numeric().rho(as_node(self), g).dense()

    def drho(self, A):
        """The action of the Lie algebra element ``A`` (or a dict per group) as a
        structured linear operator."""
        return numeric().drho(as_node(self), A)

    def drho_dense(self, A):
        """``drho(A)`` as a dense matrix."""
        return numeric().drho(as_node(self), A).dense()

    def equivariant_basis(self):
        """An orthonormal basis of the invariant vectors ``{v : rho(g) v = v}``
        (for ``A >> B``, the equivariant maps from A to B, flattened row-major),
        in this expression's coordinates, as a lazy matrix of shape (size, rank)."""
        return numeric().equivariant_basis(as_node(self))

    def equivariant_projector(self):
        """The orthogonal projector onto the equivariant subspace, applied lazily."""
        return numeric().equivariant_projector(as_node(self))

    # decomposition ---------------------------------------------------------

    def decompose(self):
        """The isotypic decomposition: irreducibles with multiplicities.

        >>> from repalg.symbolic.nodes import V
        >>> from repalg.symbolic.group_descriptors import SO
        >>> print((V**2)(SO(3)).decompose())
        Irrep(SO(3),0)+Irrep(SO(3),1)+Irrep(SO(3),2)
        """
        return decompose(as_node(self))

    def predicted_rank(self) -> int | None:
        """The dimension of the equivariant subspace, from characters alone
        (or, for finite groups without a character theory, Burnside's average
        over their elements); None where there is no prediction: a group
        without a character theory that is not finite, or too large to
        enumerate (``RubiksCube``).

        >>> from repalg.symbolic.constructors import T
        >>> from repalg.symbolic.group_descriptors import SO
        >>> T(4, 0, SO(3)).predicted_rank()
        3
        """
        return predicted_rank(as_node(self))

    def isomorphic(self, other) -> bool:
        """Whether both (bound) representations have the same decomposition.

        >>> from repalg.symbolic.nodes import V
        >>> from repalg.symbolic.group_descriptors import SO
        >>> (V**2)(SO(2)).isomorphic((2 + V**2)(SO(2)) )
        False
        """
        coerced = coerce(other)
        if coerced is None:
            raise TypeError(f"cannot compare a representation with {other!r}")
        return isomorphic(as_node(self), coerced)

    def latex(self) -> str:
        r"""The expression in LaTeX.

        >>> from repalg.symbolic.nodes import V
        >>> (2 * V + V**2 * V.T).latex()
        '2V \\oplus V^{\\otimes 2} \\otimes V^{*}'
        """
        return show_latex(as_node(self))

    # printing --------------------------------------------------------------

    def __repr__(self) -> str:
        return show(as_node(self), ASCII)

    def __str__(self) -> str:
        return show(self, UNICODE) if is_node(self) else type(self).__name__  # emlp's default for a user's

    # emlp's equality for a user's representation (the nodes define their own)

    __eq__ = user_eq
    __hash__ = user_hash



_CLASS_ATTRIBUTES = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__firstlineno__",
                     "__static_attributes__"}
for _name, _value in vars(RepMethods).items():
    if _name not in _CLASS_ATTRIBUTES:
        setattr(Rep, _name, _value)
