"""The mathematics of the ``BiLinear`` layer (emlp's ``bilinear_weights``): a weight matrix that depends linearly and
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

from ..symbolic.nodes import Rep


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


def _permutation(perm: np.ndarray, axis: int = -1):
    """``x ↦ x`` permuted by ``perm`` along ``axis``, whose gradient is the
    inverse permutation (a gather), not the scatter-add XLA would make of it."""
    perm = np.asarray(perm)
    inverse = np.argsort(perm)

    @jax.custom_vjp
    def apply(x):
        return jnp.take(x, perm, axis=axis)

    apply.defvjp(lambda x: (jnp.take(x, perm, axis=axis), None), lambda _, g: (jnp.take(g, inverse, axis=axis),))
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


UNROLLED = 32
"""The longest contraction ``_products`` writes as a sum of broadcast
products; a longer one is a batched ``dot``. Unrolled, the 2304-term
contractions of the Rubik's-cube EMLP took XLA minutes and 13 GB to compile;
at 32, EMLP steps are as fast as unrolled everywhere (interleaved A/B), and
the O(1,3) one 1.6x faster."""


def _products(A, Bm):
    """``out[p, q, N] = Σ_k A[p, k, N] Bm[k, q, N]``: a small contraction for
    each of N examples (the minor axis), as a sum of broadcast products over
    ``k``, which XLA fuses into one vectorised loop; its batched ``dot`` (a
    loop of tiny matrix products) is several times slower on a CPU, and is
    used only where ``k`` is longer than ``UNROLLED``."""
    if A.shape[1] > UNROLLED:
        return jnp.einsum("pkn,kqn->pqn", A, Bm)
    return sum(A[:, k, None, :] * Bm[None, k, :, :] for k in range(A.shape[1]))


@jax.custom_vjp
def _contract(A, Bm):
    return _products(A, Bm)


def _contract_forward(A, Bm):
    return _products(A, Bm), (A, Bm)


def _contract_backward(saved, g):
    """Both gradients as sums of products too, never the reductions over a
    middle axis that autodiff of the broadcasts makes (slow on a CPU); and
    through ``_contract`` itself, so that a second derivative (a Hamiltonian
    model's loss) is again one: the EMLPH training step 20% faster, its
    compile 12% shorter (interleaved A/B)."""
    A, Bm = saved
    return _contract(g, jnp.swapaxes(Bm, 0, 1)), _contract(jnp.swapaxes(A, 0, 1), g)


_contract.defvjp(_contract_forward, _contract_backward)


def bilinear_product(out_rep: Rep, in_rep: Rep):
    """``(size, product)`` with ``product(params, x) == weights(params, x) @ x``
    for ``bilinear_weights``' ``(size, weights)`` and the same parameters,
    without forming the weights.

    W's copies of each monomial are pairs of a component ``a`` of the input
    and ``b`` of the output, and the pairs of one kind of ``(a, b)`` are
    computed together: ``Σ c[b, a, n] y_n[o, i] x_a[i]`` for x's copies
    ``y_n`` of the monomial, in two steps, the one that involves the
    parameters a matrix product over the whole batch, the other a small
    product for each example (whichever order costs less). The examples lie
    along the minor axis inside, so that both are long vectorised loops.

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
    types = [m for m, _ in in_rep.canonical_terms()]
    outputs = monomial_copies(out_rep)
    plans, order, macs = [], [], 0  # order: the parameters as the plans read them, each plan's a block (b, n, a)
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
            nb, na, o, i = len(b_ids), len(a_ids), b_type.size(), a_type.size()
            order.append((firsts[copy][:, None, :] + np.arange(used)[None, :, None]).reshape(-1))  # (b, n, a)
            # y_n's components as (i, o), so that (n, i) and o are axes without a transpose
            params_first = (nb * na * used * i + nb * used * o * i, used * na * o * i + nb * na * used * o)
            macs += min(params_first)
            plan = dict(y=monomial, used=used, size=monomial.size(), perm=local[0, 0].T.reshape(-1),
                        a=a_type, na=na, i=i, o=o, b=b_type, nb=nb, params_first=params_first[0] <= params_first[1])
            plan["perm"] = None if (plan["perm"] == np.arange(monomial.size())).all() else (lambda y, p=plan["perm"]: y[:, p])
            plans.append(plan)
    offsets = np.cumsum([0] + [len(o) for o in order])
    reorder = _permutation(np.concatenate(order)) if order else None
    split_at = np.cumsum([count * m.size() for m, count in in_rep.canonical_terms()])[:-1]
    to_canonical_rows = _permutation(in_rep.layout(), axis=0)
    to_user_rows = _permutation(np.argsort(out_rep.layout()), axis=0)

    def canonical_product(params, xt):
        n = xt.shape[1]
        slabs = dict(zip(types, jnp.split(xt, split_at)))  # x's copies of each monomial
        blocks = reorder(params) if plans else params
        sums = {}
        for plan, begin in zip(plans, offsets):
            used, na, i, o, nb = plan["used"], plan["na"], plan["i"], plan["o"], plan["nb"]
            y = slabs[plan["y"]][:used * plan["size"]].reshape(used, plan["size"], n)
            if plan["perm"] is not None:
                y = plan["perm"](y)
            y = y.reshape(used, i, o, n)
            xa = slabs[plan["a"]].reshape(na, i, n)
            c = blocks[begin:begin + nb * used * na]
            if plan["params_first"]:
                t = (c.reshape(nb * used, na) @ xa.reshape(na, i * n)).reshape(nb, used * i, n)
                term = _contract(t, y.reshape(used * i, o, n))
            else:
                p = jnp.stack([_contract(xa, y[k]) for k in range(used)])  # (n, a, o, N)
                term = (c.reshape(nb, used * na) @ p.reshape(used * na, o * n)).reshape(nb, o, n)
            sums[plan["b"]] = sums[plan["b"]] + term if plan["b"] in sums else term
        flat = [sums[b].reshape(-1, n) if b in sums else jnp.zeros((ids.size, n), xt.dtype)
                for b, ids in outputs.items()]
        return jnp.concatenate(flat, axis=0) if flat else jnp.zeros((0, n), xt.dtype)

    def product(params, x):
        params, x = jnp.asarray(params), jnp.asarray(x)
        batch = x.shape[:-1]
        out = to_user_rows(canonical_product(params, to_canonical_rows(x.reshape(-1, n_in).T))).T
        return out.reshape(batch + (out_rep.size(),))

    product.macs = macs  # multiply-adds per example
    return size, product
