"""What every character theory answers (``Theory``), and how labels are read,
written and ordered.

>>> integers(((1, 0), -1), "a label"), single((2,)), label_key((1, -1))
((1, 0, -1), 2, (2, -1, 1))
"""

from __future__ import annotations


class Theory:
    """The irreducibles of one group, with ``decompose_monomial``."""

    complex = False
    trivial = 0

    def label(self, args: tuple):
        """The canonical label for the arguments written after the group in
        ``Irrep(G, ...)``; ValueError for anything that names no irreducible."""
        raise NotImplementedError

    def show(self, label) -> tuple:
        """The arguments that spell ``label`` (``label(show(x)) == x``)."""
        return label if isinstance(label, tuple) else (label,)

    def dim(self, label) -> int:
        raise NotImplementedError

    def dual(self, label):
        return label

    def conj(self, label):
        """The complex conjugate irreducible (None for a group acting on ℂⁿ)."""
        return None if self.complex else label

    def decompose_monomial(self, factors: list) -> dict:
        """``{label: multiplicity}`` over ℂ of a tensor product; ``factors``
        holds ``(spec, exponent)`` with spec ``("V", dual)``, ``("irrep",
        label)`` (a real irreducible: for complex type, ``label`` plus its
        conjugate) or ``("complex", label)`` (one complex irreducible)."""
        raise NotImplementedError

    def real_label(self, label):
        """The canonical label of the real irreducible that holds ``label``."""
        other = self.conj(label)
        return label if other is None else min(label, other, key=label_key)

    def real_dim(self, label) -> int:
        """The real dimension of that real irreducible (complex dimension for
        a group acting on ℂⁿ)."""
        other = self.conj(label)
        return self.dim(label) * (1 if other is None or other == label else 2)


def integers(args: tuple, what: str) -> tuple:
    """The integers of a label, flattened; ValueError for anything else."""
    flat: list = []
    for a in args:
        flat.extend(a if isinstance(a, tuple) else (a,))
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in flat):
        raise ValueError(f"{what}: a label is made of integers, got {args!r}")
    return tuple(flat)


def single(label: tuple):
    """A one-integer label as the integer itself, longer ones as tuples."""
    return label[0] if len(label) == 1 else label


def label_key(label) -> tuple:
    """The order of labels: by size, then by content."""
    flat = tuple(flatten(label))
    return (sum(abs(x) for x in flat),) + tuple(-x for x in flat)


def flatten(label):
    if isinstance(label, tuple):
        for x in label:
            yield from flatten(x)
    else:
        yield label
