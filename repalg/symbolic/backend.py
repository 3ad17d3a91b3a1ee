"""Where the numeric half of repalg plugs in.

``repalg.symbolic`` never imports JAX or the solvers; ``repalg.numeric``
installs itself here when ``repalg`` is imported, and the numeric methods of
expressions and groups (``rho``, ``equivariant_basis``, ``lie_algebra``,
``samples``) call through it.

>>> import repalg
>>> numeric() is not None
True
"""

from __future__ import annotations

_installed = None


def install(implementation) -> None:
    """Make ``implementation`` (a module) answer the numeric methods."""
    global _installed
    _installed = implementation


def numeric():
    """The installed numeric implementation."""
    if _installed is None:
        raise RuntimeError("the numeric half of repalg is not loaded: import repalg")
    return _installed
