"""Computing in float64 for a while, whatever JAX's global setting."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def float64():
    """A context in which JAX computes in float64, leaving the global flag as it was.

    >>> with float64():
    ...     print(jnp.ones(1).dtype)
    float64
    """
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # deferred: the optional fallback of JAX before 0.7

    return enable_x64()
