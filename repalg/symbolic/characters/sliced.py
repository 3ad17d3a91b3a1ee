"""Theories computed from characters on a few slices of the group (a torus,
and representatives of its other components), each with a root system
(``weights.py``): the base class of the connected, orthogonal and dihedral
theories.
"""

from __future__ import annotations

from .. import weights as W
from .theory import Theory, label_key


class SlicedTheory(Theory):
    """A theory computed from characters on a few slices of the group (a torus,
    and representatives of the other components), each with a root system."""

    slices: tuple = ()

    def v_chars(self, dual: bool) -> tuple:
        raise NotImplementedError

    def irrep_chars(self, label) -> tuple:
        raise NotImplementedError

    def split(self, readings: tuple) -> dict:
        """Labels and multiplicities from each slice's multiplicities."""
        raise NotImplementedError

    def char(self, spec) -> tuple:
        kind, value = spec
        if kind == "V":
            return self.v_chars(value)
        chars = self.irrep_chars(value)
        if kind == "complex":
            return chars
        # a real irreducible of complex type is the sum of a conjugate pair
        other = self.conj(value)
        if other is not None and other != value:
            chars = tuple(W.add(a, b) for a, b in zip(chars, self.irrep_chars(other)))
        return chars

    def decompose_monomial(self, factors: list) -> dict:
        chars = tuple({(0,) * s.rank: 1} for s in self.slices)
        for spec, exponent in factors:
            atom = self.char(spec)
            for _ in range(exponent):  # one small factor at a time
                chars = tuple(W.product(c, a, s.modulus) for c, a, s in zip(chars, atom, self.slices))
        readings = tuple(W.multiplicities(s, c, check=i == 0) for i, (s, c) in enumerate(zip(self.slices, chars)))
        out = {k: v for k, v in self.split(readings).items() if v}
        if any(v < 0 for v in out.values()):
            raise ArithmeticError(f"negative multiplicities {out}")
        return dict(sorted(out.items(), key=lambda kv: label_key(kv[0])))
