"""The matrix-free rung: null spaces for large Lie-group problems.

The constraint operator ``M = Σ_A drho(A)ᴴ drho(A)`` is applied by Kronecker
structure (jit-compiled JAX, on a GPU when there is one), never formed. When
M is central — a Casimir, as for compact groups, and for the Lorentz groups
with emlp's symmetric boosts — it has a handful of distinct eigenvalues, one
per kind of irreducible component. A few Lanczos steps from a random vector
find them all (the Krylov space closes); the polynomial ``Π (1 - M/μ)`` over
the nonzero ones then maps a random block straight onto the null space, and a
Rayleigh–Ritz step on the filtered block certifies the rank with a spectral
gap. Memory is O(N · rank).

>>> import numpy as np
>>> from repalg.groups import SO
>>> q, gap = null_space([[a] * 4 for a in SO(3).lie_algebra], 81, block=8)
>>> q.shape, gap > 1e6
((81, 3), True)
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse

from ..memory import guard, usable_bytes
from ..precision import float64
from ..rho import atom_drho
from ..span import discrete_cut, orthonormal
from ..spectral_gap import zero_level
from ..subproblem import describe

LANCZOS_STEPS = 80
"""Lanczos steps tried before M is taken not to be central."""


def _kronsum(mats, x, k: int, d: int):
    """(Σ_j I ⊗ … ⊗ mats[j] ⊗ … ⊗ I) x for x of shape (d**k, b): each step
    applies one matrix to the leading axis and rotates the axes, so that a
    loop of fixed shapes keeps three arrays alive, whatever k is."""
    shape = (d,) * k + (x.shape[-1],)

    def step(j, carry):
        t, out = carry
        out = out + jnp.tensordot(mats[j], t, axes=(1, 0))
        return jnp.moveaxis(t, 0, k - 1), jnp.moveaxis(out, 0, k - 1)

    t = x.reshape(shape)
    _, out = jax.lax.fori_loop(0, k, step, (t, jnp.zeros_like(t)))
    return out.reshape(x.shape)


def _operator(generators: list, k: int, d: int):
    """x ↦ M x, jit-compiled; generators[l][j] is the matrix of the l-th Lie
    generator on the j-th tensor factor (each d × d)."""
    forward = jnp.asarray(np.array(generators))  # (L, k, d, d)
    backward = jnp.conj(jnp.swapaxes(forward, 2, 3))

    @jax.jit
    def apply(x):
        def one(l, total):
            return total + _kronsum(backward[l], _kronsum(forward[l], x, k, d), k, d)

        return jax.lax.fori_loop(0, forward.shape[0], one, jnp.zeros_like(x))

    return apply


def _spectrum(apply, n: int, dtype, rng) -> np.ndarray | None:
    """The distinct eigenvalues of M (from a random vector's Krylov space),
    or None when the space does not close within LANCZOS_STEPS."""
    v = rng.standard_normal((n, 1)).astype(dtype)
    v /= np.linalg.norm(v)
    basis, alphas, betas = [v], [], []
    for _ in range(min(LANCZOS_STEPS, n)):
        w = np.asarray(apply(basis[-1]))
        alphas.append(float(np.real(np.vdot(basis[-1], w))))
        for b in basis:  # full reorthogonalization: the space is small
            w = w - b * np.vdot(b, w)
        beta = float(np.linalg.norm(w))
        scale = max(abs(a) for a in alphas) + max(betas, default=0.0)
        if beta <= 1e-10 * max(scale, 1e-300):
            tridiagonal = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
            values = np.linalg.eigvalsh(tridiagonal)
            return values
        betas.append(beta)
        basis.append(w / beta)
    return None


def _distinct(values: np.ndarray, scale: float) -> list:
    out = []
    for v in np.sort(values):
        if v > 1e-8 * scale and (not out or v - out[-1] > 1e-6 * scale):
            out.append(float(v))
    return out


def central_basis(lie: np.ndarray) -> np.ndarray:
    """Another basis of the same Lie algebra in which ``M`` is a Casimir:
    Frobenius-orthonormal Hermitian and anti-Hermitian parts of the
    generators. That needs the algebra to be closed under the adjoint (as
    so(p,q), sp, sl, gl, su, u are); otherwise the generators come back as
    they were.

    >>> from repalg.groups import SU
    >>> b = central_basis(SU(3).lie_algebra)
    >>> b.shape, bool(np.allclose(np.einsum("iab,jab->ij", b.conj(), b), np.eye(8)))
    ((8, 3, 3), True)
    """
    k = len(lie)
    if k == 0:
        return lie
    adjoint = np.conj(np.swapaxes(lie, 1, 2))
    parts = []
    for piece in ((lie + adjoint) / 2, (lie - adjoint) / 2):
        flat = piece.reshape(k, -1)
        u, sigma, vh = np.linalg.svd(flat, full_matrices=False)
        keep = sigma > 1e-10 * max(sigma.max(initial=0.0), 1e-300)
        parts.append(vh[keep])
    basis = np.concatenate(parts)
    span = lie.reshape(k, -1).T
    residual = basis.T - span @ np.linalg.lstsq(span, basis.T, rcond=None)[0]
    if len(basis) != np.linalg.matrix_rank(span) or np.abs(residual).max() > 1e-9:
        return lie
    d = lie.shape[-1]
    return basis.reshape(-1, d, d).astype(lie.dtype if np.iscomplexobj(lie) else float)


def null_space(generators: list, n: int, block: int, dtype=np.float64, seed: int = 0,
               max_bytes: float = float("inf"), zero_level: float = 1e-12):
    """The null space of M for the Lie generators given factor by factor
    (``generators[l][j]``, each d_j × d_j; n is the product of the d_j), as
    (orthonormal columns, spectral gap); None when M is not central, when a
    Ritz value is neither roundoff (at most ``zero_level`` of the largest) nor
    a clear constraint (above 1e-6 of it), or when the null space turns out
    too wide for ``max_bytes`` (about 8 blocks of n × block numbers live at
    once)."""
    k, d = len(generators[0]), np.shape(generators[0][0])[0]
    rng = np.random.default_rng(seed)
    with float64():
        apply = _operator(generators, k, d)
        values = _spectrum(apply, n, dtype, rng)
        if values is None:
            return None
        scale = max(float(np.max(np.abs(values))), 1e-300)
        mus = jnp.asarray(_distinct(values, scale))

        @jax.jit
        def filtered(x):
            def step(i, y):
                return y - apply(y) / mus[i % len(mus)]

            return jax.lax.fori_loop(0, 2 * len(mus), step, x) if len(mus) else x

        # the rank is the trace of the projector p(M): estimate it (Hutchinson)
        # to choose a block that holds the whole null space in one pass
        probes = rng.standard_normal((n, 16)).astype(dtype)
        traces = np.real(np.sum(probes.conj() * np.asarray(filtered(jnp.asarray(probes))), axis=0))
        estimate = float(np.mean(traces))
        spread = float(np.std(traces)) / 4
        block = int(min(n, max(block // 4, estimate + 4 * spread + 16)))
        itemsize = np.dtype(dtype).itemsize
        while True:
            if 8.0 * n * block * itemsize > max_bytes:
                return None
            x = rng.standard_normal((n, block)).astype(dtype)
            if np.iscomplexobj(np.empty(0, dtype)):
                x = x + 1j * rng.standard_normal((n, block))
            q, _ = np.linalg.qr(np.asarray(filtered(jnp.asarray(x))))
            h = q.conj().T @ np.asarray(apply(jnp.asarray(q)))
            theta, y = np.linalg.eigh((h + h.conj().T) / 2)
            rank = int(np.sum(theta <= zero_level * scale))
            if rank < block or block >= n:
                break
            block = min(2 * block, n)  # every direction came back null: look wider
    smallest_nonzero = theta[rank] if rank < len(theta) else scale
    largest_zero = max(theta[rank - 1], 0.0) if rank else 0.0
    if smallest_nonzero < 1e-6 * scale:
        return None  # an eigenvalue neither roundoff nor a clear constraint: let an exact rung decide
    gap = float(smallest_nonzero / max(largest_zero, np.finfo(float).eps * scale))
    return q @ y[:, :rank], gap


def invariants(group, atoms: tuple, lie, disc, size: int, zero_count: int):
    """The invariants of a tensor product of V and V* for a Lie group whose
    zero-weight space has ``zero_count`` dimensions (the block to start
    from), by the filter, then cut down by the discrete generators:
    (basis, gap), or None where the filter does not apply (the constraint
    operator is not central, or the null space will not fit)."""
    what = describe(atoms)
    guard(group, atoms, size, 64.0 * size * max(32, zero_count // 8), "filter")
    dtype = np.complex128 if group.is_complex else np.float64
    generators_by_factor = [[atom_drho(a, x, xp=np) for a in atoms] for x in central_basis(lie)]
    found = null_space(generators_by_factor, size, block=max(32, zero_count // 16), dtype=dtype,
                       max_bytes=usable_bytes(), zero_level=zero_level(group, atoms))
    if found is None:
        return None
    q, gap = found
    q = orthonormal(q, real=not group.is_complex, what=what) if q.shape[1] else q
    if len(disc) and q.shape[1]:
        q, discrete_gap = discrete_cut(q, group, atoms, disc, what)
        gap = min(gap, discrete_gap)
    return scipy.sparse.csr_matrix(q), gap
