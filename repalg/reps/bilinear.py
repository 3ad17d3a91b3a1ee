"""emlp's ``bilinear_weights``: a weight matrix that depends linearly and
equivariantly on the input.

The weights ``W`` of ``rep_in >> rep_out`` split, in their canonical form,
into copies of canonical monomials; so does the input. Wherever a monomial
``μ`` (not a scalar) appears in both, each of W's copies of ``μ`` is set to a
learned combination of ``n = min(copies in x, size of μ)`` of x's copies:
as both transform by the same ``ρ_μ(g)``, ``W(ρ_in(g) x) = ρ_W(g) W(x)``.
emlp picks the n copies at random; repalg takes the first n, so that a model
is the same every time it is built.

>>> import jax.numpy as jnp
>>> from repalg import parse, group
>>> rep = parse("Scalar+2*V")(group("O(3)"))
>>> size, weights = bilinear_weights(rep, rep)
>>> size, weights(jnp.ones(size), jnp.ones(7)).shape
(8, (7, 7))
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..symbolic.expr import Rep


def monomial_copies(rep: Rep) -> dict:
    """For each canonical monomial of ``rep``, the coordinates of its copies in
    ``rep``'s layout, as an array (copies, size), in canonical order."""
    perm = rep.layout()
    out, start = {}, 0
    for monomial, count in rep.canonical_terms():
        size = monomial.size()
        out[monomial] = perm[start:start + count * size].reshape(count, size)
        start += count * size
    return out


def _permutation(perm: np.ndarray):
    """``x ↦ x[..., perm]`` for a permutation, whose gradient is the inverse
    permutation (a gather), not the scatter-add XLA would make of it."""
    inverse = np.argsort(perm)

    @jax.custom_vjp
    def apply(x):
        return x[..., perm]

    def forward(x):
        return x[..., perm], None

    def backward(_, g):
        return (g[..., inverse],)

    apply.defvjp(forward, backward)
    return apply


def bilinear_weights(out_rep: Rep, in_rep: Rep):
    """``(size, weights)``: the number of parameters, and
    ``weights(params, x)``, of shape ``x.shape[:-1] + (out, in)``, linear in
    each of ``params`` (size,) and ``x`` (..., in_rep.size()) and equivariant
    in ``x`` (see the module's docstring)."""
    w_rep = in_rep >> out_rep
    inputs = {m: ids for m, ids in monomial_copies(in_rep).items() if m.atoms()}
    blocks, size = [], 0  # (canonical start, copies of μ in W, ids of x's copies used, parameter start)
    start = 0
    for monomial, count in w_rep.canonical_terms():
        width = count * monomial.size()
        if monomial in inputs:
            ids = inputs[monomial][:min(len(inputs[monomial]), monomial.size())]
            blocks.append((start, count, ids, size))
            size += count * len(ids)
        start += width
    total = start
    to_user = _permutation(np.argsort(w_rep.layout()))
    shape = (out_rep.size(), in_rep.size())

    def weights(params, x):
        params, x = jnp.asarray(params), jnp.asarray(x)
        batch = x.shape[:-1]
        parts, at = [], 0
        for begin, count, ids, first in blocks:
            if begin > at:
                parts.append(jnp.zeros(batch + (begin - at,), x.dtype))
            coefficients = params[first:first + count * len(ids)].reshape(count, len(ids))
            values = jnp.einsum("mn,...nj->...mj", coefficients, x[..., ids])
            parts.append(values.reshape(batch + (-1,)))
            at = begin + count * ids.shape[1]
        if total > at:
            parts.append(jnp.zeros(batch + (total - at,), x.dtype))
        canonical = jnp.concatenate(parts, axis=-1) if parts else jnp.zeros(batch + (0,), x.dtype)
        return to_user(canonical).reshape(batch + shape)

    return size, weights


def _copy_ranges(w_rep: Rep, inputs: dict):
    """For each canonical copy of W: (monomial, start, index of its first
    parameter or None); and the number of parameters, ordered as
    ``bilinear_weights`` orders them (copy by copy, then x's copies)."""
    copies, start, size = [], 0, 0
    for monomial, count in w_rep.canonical_terms():
        width = monomial.size()
        used = min(len(inputs[monomial]), width) if monomial in inputs else 0
        for _ in range(count):
            copies.append((monomial, start, size if used else None, used))
            start += width
            size += used
    return copies, size


def bilinear_product(out_rep: Rep, in_rep: Rep):
    """``(size, product)`` with ``product(params, x) == weights(params, x) @ x``
    for ``bilinear_weights``' ``(size, weights)`` and the same parameters,
    without forming the weights: W's copies of each monomial are pairs of a
    component ``a`` of the input and ``b`` of the output, and the pairs of
    one kind of ``(a, b)`` are contracted together, in one dense contraction
    of three factors (parameters, x's copies of the monomial, and ``a``).

    >>> import jax.numpy as jnp
    >>> from repalg import parse, group
    >>> rep = parse("Scalar+2*V")(group("O(3)"))
    >>> size, product = bilinear_product(rep, rep)
    >>> _, weights = bilinear_weights(rep, rep)
    >>> p, x = jnp.arange(size) / 10.0, jnp.arange(7.0)
    >>> bool(jnp.allclose(product(p, x), weights(p, x) @ x))
    True
    """
    w_rep = in_rep >> out_rep
    inputs = {m: ids for m, ids in monomial_copies(in_rep).items() if m.atoms()}
    copies, size = _copy_ranges(w_rep, inputs)
    starts = np.array([c[1] for c in copies])
    firsts = np.array([-1 if c[2] is None else c[2] for c in copies])
    to_canonical = np.argsort(w_rep.layout())  # a user coordinate of W -> its canonical one
    n_in = in_rep.size()
    outputs = monomial_copies(out_rep)
    plans = []
    for a_type, a_ids in monomial_copies(in_rep).items():
        for b_type, b_ids in outputs.items():
            # every pair (b, a) of copies is one copy of W, laid out the same way for the kind
            canonical = to_canonical[b_ids[:, None, :, None] * n_in + a_ids[None, :, None, :]]
            copy = np.searchsorted(starts, canonical.reshape(len(b_ids), len(a_ids), -1).min(-1), side="right") - 1
            monomial, _, _, used = copies[copy[0, 0]]
            if firsts[copy[0, 0]] < 0:
                continue
            local = canonical - starts[copy][..., None, None]
            if not (local == local[:1, :1]).all() or local.min() != 0 or local.max() != monomial.size() - 1:
                raise AssertionError(f"copies of {monomial!r} in {w_rep!r} are laid out differently")
            index = firsts[copy][..., None] + np.arange(used)
            plans.append((inputs[monomial][:used], local[0, 0], a_ids, b_ids, index))
    order = np.argsort(np.concatenate([b.reshape(-1) for b in outputs.values()])) if outputs else np.zeros(0, int)
    to_user = _permutation(order)

    def product(params, x):
        params, x = jnp.asarray(params), jnp.asarray(x)
        batch = x.shape[:-1]
        sums = {id(b_ids): jnp.zeros(batch + b_ids.shape, x.dtype) for b_ids in outputs.values()}
        for x_ids, local, a_ids, b_ids, index in plans:
            coefficients = params[index]  # (n_b, n_a, used)
            y = x[..., x_ids][..., local]  # (used, |b|, |a|): x's copies laid out as W's blocks
            # one contraction of three factors: opt_einsum picks the cheapest order for the sizes
            term = jnp.einsum("ban,...noi,...ai->...bo", coefficients, y, x[..., a_ids], optimize="optimal")
            sums[id(b_ids)] = sums[id(b_ids)] + term
        flat = [sums[id(b)].reshape(batch + (-1,)) for b in outputs.values()]
        return to_user(jnp.concatenate(flat, axis=-1))

    return size, product
