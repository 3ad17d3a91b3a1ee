"""Character theories: exact decompositions of the built-in groups.

A ``Theory`` knows the irreducible representations of one group, over ℂ:
their labels, dimensions, duals and complex conjugates, and how to split a
monomial in ``V``, ``V*`` and irreducibles into irreducibles. Labels are
integers or tuples of integers (highest weights, partitions, signs).

How each group is handled:

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
>>> t = theory(SO(3))
>>> t.decompose_monomial([(("V", False), 2)])
{0: 1, 1: 1, 2: 1}
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from math import comb, factorial

from . import weights as W
from .group_descriptors import DirectProduct, Embedded, GroupBase, NamedGroup


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
        return label if other is None else min(label, other, key=_label_key)

    def real_dim(self, label) -> int:
        """The real dimension of that real irreducible (complex dimension for
        a group acting on ℂⁿ)."""
        other = self.conj(label)
        return self.dim(label) * (1 if other is None or other == label else 2)


def _ints(args: tuple, what: str) -> tuple:
    flat: list = []
    for a in args:
        flat.extend(a if isinstance(a, tuple) else (a,))
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in flat):
        raise ValueError(f"{what}: a label is made of integers, got {args!r}")
    return tuple(flat)


def _single(label: tuple):
    return label[0] if len(label) == 1 else label


# characters on slices -----------------------------------------------------------

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
        return dict(sorted(out.items(), key=lambda kv: _label_key(kv[0])))


def _label_key(label) -> tuple:
    flat = tuple(_flatten(label))
    return (sum(abs(x) for x in flat),) + tuple(-x for x in flat)


def _flatten(label):
    if isinstance(label, tuple):
        for x in label:
            yield from _flatten(x)
    else:
        yield label


class Connected(SlicedTheory):
    """A connected group by the weights of its complexification."""

    def __init__(self, system, v_weights: dict, dual_of, conj_of=None, complex=False, normalize=None):
        self.system = system
        self.slices = (system,)
        self.v = v_weights
        self._dual = dual_of
        self._conj = conj_of
        self.complex = complex
        self._normalize = normalize
        self.trivial = _single((0,) * system.rank) if system.rank else ()

    def _weight(self, label) -> tuple:
        return label if isinstance(label, tuple) else (label,)

    def label(self, args):
        lam = _ints(args, "a highest weight")
        if self._normalize and len(lam) == self.system.rank - 1:
            lam += (0,)
        if self._normalize:
            lam = self._normalize(lam)
        if len(lam) != self.system.rank or not self.system.is_dominant(lam):
            raise ValueError(f"expected a dominant weight of {self.system.rank} integers "
                             f"({_describe_dominance(self.system)}), got {args!r}")
        if self.system.modulus:
            lam = self.system.reduce(lam)
        return _single(lam) if self.system.rank else ()

    def show(self, label) -> tuple:
        if self._normalize and isinstance(label, tuple):
            return (_single(label[:-1]),) if len(label) > 1 else ()
        return super().show(label)

    def dim(self, label) -> int:
        return self.system.dim(self._weight(label))

    def dual(self, label):
        return _single(self._dual(self._weight(label))) if self.system.rank else label

    def conj(self, label):
        if self.complex:
            return None
        return _single(self._conj(self._weight(label))) if self.system.rank else label

    def v_chars(self, dual):
        return (W.conjugate(self.v, self.system.modulus) if dual else self.v,)

    def irrep_chars(self, label):
        return (W.irreducible_character(self.system, self._weight(label)),)

    def split(self, readings):
        out: Counter = Counter()
        for lam, m in readings[0].items():
            key = self._normalize(lam) if self._normalize else lam
            out[_single(key) if self.system.rank else ()] += m
        return dict(out)


def _describe_dominance(system) -> str:
    if system.kind == "T":
        return "any integers" + (f" mod {system.modulus}" if system.modulus else "")
    if system.kind == "D":
        return "λ1 ≥ λ2 ≥ … ≥ |λm|"
    return "non-increasing" + ("" if system.kind == "A" else ", non-negative")


def _negate(w):
    return tuple(-x for x in w)


def _flip_last(w):
    return w[:-1] + (-w[-1],)


def _vector_weights(kind: str, m: int) -> dict:
    v: dict = {}
    for i in range(m):
        for s in (1, -1):
            e = [0] * m
            e[i] = s
            v[tuple(e)] = 1
    if kind == "B":
        v[(0,) * m] = 1
    return v


def special_orthogonal(n: int, flip_conj: bool = False) -> Connected:
    """SO(n): type B for odd n, D for even n, a torus for n = 2."""
    m = n // 2
    kind = "B" if n % 2 else "D"
    system = W.root_system(kind, m)
    dual = _flip_last if kind == "D" and m % 2 else (lambda w: w)
    conj = dual if not flip_conj else (lambda w: _flip_last(dual(w)))
    return Connected(system, _vector_weights(kind, m), dual, conj)


def general_linear(n: int, special: bool, complex: bool) -> Connected:
    """U(n)/GL(n) (weights of gl(n)), or SU(n)/SL(n) (labels with λn = 0)."""
    system = W.root_system("A", n)
    v = {tuple(1 if j == i else 0 for j in range(n)): 1 for i in range(n)}

    def dual(w):
        return _negate(w[::-1])

    normalize = (lambda w: tuple(x - w[-1] for x in w)) if special else None
    if special:
        base = dual
        dual = lambda w: normalize(base(w))  # noqa: E731
    return Connected(system, v, dual, conj_of=lambda w: w, complex=complex, normalize=normalize)


# disconnected groups ---------------------------------------------------------------

class OddOrthogonal(SlicedTheory):
    """O(2m+1) = SO(2m+1) × {±I}: labels (λ1, …, λm, ε), ε the sign of -I."""

    def __init__(self, n: int):
        self.m = n // 2
        self.system = W.root_system("B", self.m)
        self.slices = (self.system, self.system)
        self.v = _vector_weights("B", self.m)
        self.trivial = _single((0,) * self.m + (1,))

    def _split_label(self, label):
        flat = label if isinstance(label, tuple) else (label,)
        return flat[:-1], flat[-1]

    def label(self, args):
        flat = _ints(args, "an O(n) label")
        lam, eps = flat[:-1], flat[-1] if flat else None
        if len(lam) != self.m or eps not in (1, -1) or not self.system.is_dominant(lam):
            raise ValueError(f"expected {self.m} non-increasing non-negative integers and a sign ±1 "
                             f"(the action of -I), got {args!r}")
        return _single(flat)

    def dim(self, label):
        return self.system.dim(self._split_label(label)[0])

    def v_chars(self, dual):
        return (self.v, {w: -c for w, c in self.v.items()})

    def irrep_chars(self, label):
        lam, eps = self._split_label(label)
        chi = W.irreducible_character(self.system, lam)
        return (chi, {w: eps * c for w, c in chi.items()})

    def split(self, readings):
        plain, twisted = readings
        out = {}
        for lam in set(plain) | set(twisted):
            a, b = plain.get(lam, 0), twisted.get(lam, 0)
            for eps in (1, -1):
                out[_single(lam + (eps,))] = (a + eps * b) // 2
        return out


class EvenOrthogonal(SlicedTheory):
    """O(2m): labels (λ1, …, λm) with λm > 0 (restricting to λ ⊕ σλ on SO(2m)),
    and (λ1, …, λ_{m-1}, 0, ε) with ε = ±1, the sign of the twining character
    (ε = -1 is the twist by det)."""

    def __init__(self, n: int):
        self.m = n // 2
        self.system = W.root_system("D", self.m) if self.m >= 2 else W.root_system("T", 1)
        self.twist = W.root_system("C", self.m - 1)
        self.slices = (self.system, self.twist)
        self.v = _vector_weights("D", self.m)
        self.v_twisted = _vector_weights("C", self.m - 1) if self.m > 1 else {}
        self.trivial = (0,) * self.m + (1,)

    def label(self, args):
        flat = _ints(args, "an O(n) label")
        if len(flat) == self.m + 1 and flat[-1] in (1, -1) and len(flat) >= 2 and flat[-2] == 0:
            lam = flat[:-1]
        elif len(flat) == self.m and flat[-1] > 0:
            lam = flat
        else:
            raise ValueError(f"expected {self.m} non-increasing integers with the last > 0, or "
                             f"{self.m - 1} such integers then 0 and a sign ±1, got {args!r}")
        if any(a < b for a, b in zip(lam, lam[1:])) or lam[-1] < 0:
            raise ValueError(f"expected non-increasing non-negative integers, got {args!r}")
        return _single(flat)

    def _lam(self, label):
        flat = label if isinstance(label, tuple) else (label,)
        return (flat[:-1], flat[-1]) if len(flat) == self.m + 1 else (flat, 0)

    def dim(self, label):
        lam, eps = self._lam(label)
        return self.system.dim(lam) * (1 if eps else 2)

    def v_chars(self, dual):
        return (self.v, self.v_twisted)

    def irrep_chars(self, label):
        lam, eps = self._lam(label)
        chi = W.irreducible_character(self.system, lam)
        if eps == 0:
            return (W.add(chi, W.irreducible_character(self.system, _flip_last(lam))), {})
        twined = W.irreducible_character(self.twist, lam[:-1])
        return (chi, {w: eps * c for w, c in twined.items()})

    def split(self, readings):
        plain, twisted = readings
        out = {}
        for lam, a in plain.items():
            if lam[-1] > 0:
                out[_single(lam)] = a
            elif lam[-1] == 0:
                b = twisted.get(lam[:-1], 0)
                for eps in (1, -1):
                    out[lam + (eps,)] = (a + eps * b) // 2
        return out


class Dihedral(SlicedTheory):
    """C(k), Z(n) and D(k): a torus mod k, with reflections for D(k). Labels:
    a character a mod k for the cyclic groups; for D(k), (0, ε) and (k/2, ε)
    (one-dimensional; ε the sign on emlp's reflection) and 1 ≤ a < k/2."""

    def __init__(self, k: int, reflections: bool, v: dict):
        self.k = k
        self.reflections = reflections
        torus = W.root_system("T", 1, k)
        point = W.root_system("T", 0)
        classes = 0 if not reflections else (2 if k % 2 == 0 else 1)
        self.slices = (torus,) + (point,) * classes
        reduced: Counter = Counter()
        for w, c in v.items():
            reduced[torus.reduce(w)] += c
        self.v = dict(reduced)
        self.trivial = (0, 1) if reflections else 0

    def _ends(self) -> tuple:
        return (0, self.k // 2) if self.k % 2 == 0 else (0,)

    def label(self, args):
        flat = _ints(args, "a label")
        if not self.reflections:
            if len(flat) != 1:
                raise ValueError(f"expected one integer mod {self.k}, got {args!r}")
            return flat[0] % self.k
        if len(flat) == 2 and flat[0] in self._ends() and flat[1] in (1, -1):
            return flat
        if len(flat) == 1 and 0 < flat[0] < self.k / 2:
            return flat[0]
        raise ValueError(f"expected (a, ±1) with a in {self._ends()}, or an integer 0 < a < {self.k / 2:g}, "
                         f"got {args!r}")

    def dim(self, label):
        return 2 if self.reflections and not isinstance(label, tuple) else 1

    def dual(self, label):
        return label if self.reflections else (-label) % self.k

    def conj(self, label):
        return self.dual(label)

    def v_chars(self, dual):
        # a reflection of the plane has trace 0
        torus = W.conjugate(self.v, self.k) if dual else self.v
        return (torus,) + ({},) * (len(self.slices) - 1)

    def irrep_chars(self, label):
        if not self.reflections:
            return ({(label,): 1},)
        if isinstance(label, tuple):
            a, eps = label
            signs = (eps, eps if a == 0 else -eps)[:len(self.slices) - 1]
            return ({(a,): 1},) + tuple({(): s} for s in signs)
        return ({(label,): 1, ((-label) % self.k,): 1},) + ({},) * (len(self.slices) - 1)

    def split(self, readings):
        torus = {w[0]: c for w, c in readings[0].items()}
        if not self.reflections:
            return torus
        values = [r.get((), 0) for r in readings[1:]]
        out = {}
        for a in range(1, (self.k + 1) // 2):
            out[a] = torus.get(a, 0)
        for a in self._ends():
            if len(values) == 1:
                t = values[0]
            elif a == 0:
                t = (values[0] + values[1]) // 2
            else:
                t = (values[0] - values[1]) // 2
            for eps in (1, -1):
                out[(a, eps)] = (torus.get(a, 0) + eps * t) // 2
        return out


# the symmetric group ---------------------------------------------------------------

class Symmetric(Theory):
    """S(n) on ℝⁿ by permutations: labels are partitions of n."""

    MAX_TABLE = 14

    def __init__(self, n: int):
        self.n = n
        self.trivial = (n,)

    def label(self, args):
        lam = _ints(args, "a partition")
        if sum(lam) != self.n or any(a < b for a, b in zip(lam, lam[1:])) or (lam and lam[-1] < 1):
            raise ValueError(f"expected a partition of {self.n} (non-increasing positive integers "
                             f"summing to {self.n}), got {args!r}")
        return lam

    def show(self, label):
        return (label,)

    def dim(self, label):
        return _hook_dim(label)

    def decompose_monomial(self, factors):
        # every irreducible of S(n) is real: "irrep" and "complex" agree
        ring = {self.trivial: 1}
        for (kind, value), exponent in factors:
            for _ in range(exponent):
                ring = _branch(ring) if kind == "V" else self._times(ring, value)
        return dict(sorted(ring.items(), key=lambda kv: tuple(-x for x in kv[0])))

    def _times(self, ring: dict, mu: tuple) -> dict:
        if self.n > self.MAX_TABLE:
            raise ValueError(f"tensor products of irreducibles of S({self.n}) need its character table; "
                             f"repalg computes it up to S({self.MAX_TABLE})")
        out: Counter = Counter()
        for lam, m in ring.items():
            for nu, c in _kronecker(lam, mu).items():
                out[nu] += m * c
        return {k: v for k, v in out.items() if v}


def _branch(ring: dict) -> dict:
    """``ring ⊗ V`` for S(n) on ℝⁿ: remove a box, then add a box."""
    out: Counter = Counter()
    for lam, m in ring.items():
        for mu in _remove_box(lam):
            for nu in _add_box(mu):
                out[nu] += m
    return dict(out)


def _remove_box(lam: tuple):
    for i in range(len(lam)):
        if i == len(lam) - 1 or lam[i] > lam[i + 1]:
            mu = list(lam)
            mu[i] -= 1
            yield tuple(x for x in mu if x)


def _add_box(mu: tuple):
    for i in range(len(mu) + 1):
        if i == 0 or mu[i - 1] > (mu[i] if i < len(mu) else 0):
            nu = list(mu) + [0]
            nu[i] += 1
            yield tuple(x for x in nu if x)


def _hook_dim(lam: tuple) -> int:
    n = sum(lam)
    cols = [sum(1 for r in lam if r > j) for j in range(lam[0])] if lam else []
    hooks = 1
    for i, r in enumerate(lam):
        for j in range(r):
            hooks *= (r - j - 1) + (cols[j] - i - 1) + 1
    return factorial(n) // hooks


def _partitions(n: int, largest: int | None = None):
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first,) + rest


@lru_cache(maxsize=None)
def _mn(lam: tuple, rho: tuple) -> int:
    """Murnaghan–Nakayama: the character of λ on the class of cycle type ρ."""
    if not rho:
        return 1 if not lam else 0
    k, rest = rho[0], rho[1:]
    total = 0
    # beta numbers: remove k-rim hooks as moves of a bead k places down
    length = len(lam)
    beta = [lam[i] + length - 1 - i for i in range(length)]
    beads = set(beta)
    for b in beta:
        if b - k >= 0 and b - k not in beads:
            height = sum(1 for c in beta if b - k < c < b)
            new = sorted((beads - {b}) | {b - k}, reverse=True)
            mu = tuple(x for x in (new[i] - (length - 1 - i) for i in range(length)) if x > 0)
            total += (-1) ** height * _mn(mu, rest)
    return total


def _class_size(rho: tuple) -> int:
    n = sum(rho)
    size = factorial(n)
    for part in set(rho):
        count = rho.count(part)
        size //= part**count * factorial(count)
    return size


@lru_cache(maxsize=None)
def _kronecker(lam: tuple, mu: tuple) -> dict:
    n = sum(lam)
    out = {}
    for nu in _partitions(n):
        total = sum(_class_size(rho) * _mn(lam, rho) * _mn(mu, rho) * _mn(nu, rho) for rho in _partitions(n))
        if total:
            out[nu] = total // factorial(n)
    return out


# embedded groups -------------------------------------------------------------------

class Padded(Theory):
    """G acting on the first d coordinates of ℝⁿ: V is G's V plus n-d scalars."""

    def __init__(self, base: Theory, extra: int):
        self.base, self.extra = base, extra
        self.trivial = base.trivial
        self.complex = base.complex

    def label(self, args):
        return self.base.label(args)

    def show(self, label):
        return self.base.show(label)

    def dim(self, label):
        return self.base.dim(label)

    def dual(self, label):
        return self.base.dual(label)

    def conj(self, label):
        return self.base.conj(label)

    def decompose_monomial(self, factors):
        # (V + e)^k = sum_j C(k, j) e^(k-j) V^j, for V and V* alike
        terms = [([], 1)]
        for spec, exponent in factors:
            if spec[0] != "V":
                terms = [(f + [(spec, exponent)], c) for f, c in terms]
                continue
            terms = [(f + ([(spec, j)] if j else []), c * comb(exponent, j) * self.extra ** (exponent - j))
                     for f, c in terms for j in range(exponent + 1)]
        out: Counter = Counter()
        for f, c in terms:
            if c:
                for label, m in self.base.decompose_monomial(f).items():
                    out[label] += c * m
        return dict(out)


class ProductTheory(Theory):
    """A direct product G1 × G2 × …: labels are tuples of the factors' labels,
    and V is the tensor product of the factors' V (as in emlp)."""

    def __init__(self, factors: tuple):
        self.factors = factors
        self.trivial = tuple(t.trivial for t in factors)
        self.complex = any(t.complex for t in factors)

    def label(self, args):
        if len(args) == 1 and isinstance(args[0], tuple) and len(args[0]) == len(self.factors):
            args = args[0]
        if len(args) != len(self.factors):
            raise ValueError(f"expected one label per factor ({len(self.factors)}), got {args!r}")
        return tuple(t.label(a if isinstance(a, tuple) else (a,)) for t, a in zip(self.factors, args))

    def show(self, label):
        return (tuple(_single(t.show(x)) if len(t.show(x)) == 1 else t.show(x)
                      for t, x in zip(self.factors, label)),)

    def dim(self, label):
        out = 1
        for t, x in zip(self.factors, label):
            out *= t.dim(x)
        return out

    def dual(self, label):
        return tuple(t.dual(x) for t, x in zip(self.factors, label))

    def conj(self, label):
        if self.complex:
            return None
        return tuple(t.conj(x) for t, x in zip(self.factors, label))

    def decompose_monomial(self, factors):
        return product_decompose(self.factors, [(self.split_spec(spec), e) for spec, e in factors])

    def split_spec(self, spec) -> list:
        """A spec as a list of alternatives, each one spec per factor."""
        kind, value = spec
        if kind == "V":
            return [tuple(("V", value) for _ in self.factors)]
        labels = [value]
        other = self.conj(value)
        if kind == "irrep" and other is not None and other != value:
            labels.append(other)
        return [tuple(("complex", x) for x in label) for label in labels]


def product_decompose(theories: tuple, factors: list) -> dict:
    """The decomposition over ℂ of a product of factors over several groups:
    each factor is ``(alternatives, exponent)``, an alternative holding one
    spec per group (a sum of alternatives, raised to the exponent)."""
    expansions = [([[] for _ in theories], 1)]
    for alternatives, exponent in factors:
        grown = []
        for counts in _compositions(exponent, len(alternatives)):
            coefficient = _multinomial(exponent, counts)
            for monomials, c in expansions:
                new = [list(m) for m in monomials]
                for alternative, k in zip(alternatives, counts):
                    if k:
                        for i, spec in enumerate(alternative):
                            if spec is not None:
                                new[i].append((spec, k))
                grown.append((new, c * coefficient))
        expansions = grown
    out: Counter = Counter()
    for monomials, c in expansions:
        parts = [t.decompose_monomial(m) for t, m in zip(theories, monomials)]
        combined = {(): c}
        for part in parts:
            combined = {key + (label,): m * n for key, m in combined.items() for label, n in part.items()}
        for key, m in combined.items():
            out[key] += m
    return {k: v for k, v in out.items() if v}


def _compositions(total: int, parts: int):
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first,) + rest


def _multinomial(total: int, counts: tuple) -> int:
    out = factorial(total)
    for c in counts:
        out //= factorial(c)
    return out


MAX_RANK = 32
"""Groups whose torus has a larger rank (SO(n) for n > 65, SU(n) for n > 32)
get no character theory: their root systems alone would be too large."""

MAX_CYCLIC = 100_000
"""Z(n) beyond this order gets no character theory (its V has n weights)."""

MAX_PARTITION = 10_000
"""S(n) beyond this n gets no character theory for its irreducibles' labels."""


# which theory ----------------------------------------------------------------------

@lru_cache(maxsize=256)
def theory(group: GroupBase) -> Theory | None:
    """The character theory of a single (not product) group, or None where
    repalg has no closed form (decompose numerically then).

    >>> from repalg.symbolic.group_descriptors import O
    >>> theory(O(3)).dim((2, -1))
    5
    """
    if isinstance(group, DirectProduct):
        factors = tuple(theory(g) for g in group.factors)
        return None if None in factors else ProductTheory(factors)
    if isinstance(group, Embedded):
        base = theory(group.base)
        return None if base is None else Padded(base, group.n - group.base.d)
    if not isinstance(group, NamedGroup):
        return None
    name, args = group.name, group.args
    if name in ("SO", "O", "SO+", "SU", "U", "SL", "GL", "Sp") and group.d // (1 if name in ("SU", "U", "SL", "GL") else 2) > MAX_RANK:
        return None
    if (name == "Z" and args[0] > MAX_CYCLIC) or (name == "S" and args[0] > MAX_PARTITION):
        return None
    if name in ("SO", "O", "SO+") and len(args) == 2:
        p, q = args
        n = p + q
        if name == "O" or (name == "SO" and n % 2):
            return _orthogonal(n)
        return special_orthogonal(n, flip_conj=n % 2 == 0 and p % 2 == 1)
    if name == "SO":
        return special_orthogonal(args[0]) if args[0] > 1 else _trivial(1)
    if name == "O":
        return _orthogonal(args[0])
    if name in ("SU", "SL"):
        return general_linear(args[0], special=True, complex=name == "SU")
    if name in ("U", "GL"):
        return general_linear(args[0], special=False, complex=name == "U")
    if name == "Sp":
        m = args[0]
        return Connected(W.root_system("C", m), _vector_weights("C", m), lambda w: w, lambda w: w)
    if name == "Scaling":
        return Connected(W.root_system("T", 1), {(1,): args[0]}, _negate, lambda w: w)
    if name == "Trivial":
        return _trivial(args[0])
    if name == "C":
        return Dihedral(args[0], False, {(1,): 1, (-1,): 1})
    if name == "D":
        return Dihedral(args[0], True, {(1,): 1, (-1,): 1})
    if name == "Z":
        return Dihedral(args[0], False, {(a,): 1 for a in range(args[0])})
    if name == "S":
        return Symmetric(args[0])
    return None


def _orthogonal(n: int) -> Theory:
    return OddOrthogonal(n) if n % 2 else EvenOrthogonal(n)


def _trivial(n: int) -> Theory:
    return Connected(W.root_system("T", 0), {(): n}, lambda w: w, lambda w: w)
