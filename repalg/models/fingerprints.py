"""What gives a layer's parameters their meaning, recorded with a checkpoint
so that a saved run loads after any change to repalg's code, and is refused
only when that meaning really changed.

A ``Linear`` layer's weights are coefficients in a solved basis ``Q`` of
its equivariant maps: ``W = Q c``. A solver that chose another basis of the
same space (columns in another order, another sign, another rotation) would
give the same numbers another meaning. A layer's fingerprint is the space
it maps (its representations' text and group), its number of parameters,
and three fixed probes of the map from parameters to weights: ``u · Qᵀ v``
for fixed seeded vectors ``u`` and ``v``, which any change of basis moves.
The bilinear layer's parameters are probed through its product: ``u ·
product(w, x)`` for fixed ``w``, ``x`` and ``u``.

Layers say what they hold with :func:`note` while a model is traced;
:func:`layer_fingerprints` traces a model's ``init`` (shapes only, nothing
computed) and returns each fingerprint under its parameter's checkpoint
path; :func:`compare` refuses a stored set that differs, naming the layer.

>>> import haiku as hk, jax.numpy as jnp
>>> from repalg.models.layers import Linear
>>> model = hk.transform(lambda x: Linear("2*V", "V", "O(3)")(x))
>>> found = layer_fingerprints(model, jnp.zeros((1, 6)))
>>> list(found), found["['linear']['w']"]["rank"]
(["['linear']['b']", "['linear']['w']"], 2)
>>> compare(found, layer_fingerprints(model, jnp.zeros((1, 6))), "run/checkpoint.npz")
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

import jax
import numpy as np

PROBES = 3
"""Probes per fingerprint."""

TOLERANCE = 1e-4
"""The relative difference beyond which a probe counts as changed: float32
round-off in the bilinear probe is far below it, any change of basis far
above."""

_found: contextvars.ContextVar = contextvars.ContextVar("repalg_fingerprints", default=None)


def note(module_name: str, parameter: str, describe: Callable[[], dict]) -> None:
    """Record, while :func:`layer_fingerprints` traces a model, that the
    parameter ``parameter`` of the Haiku module ``module_name`` means what
    ``describe()`` says (called after the trace, outside it). Outside a
    recording, nothing happens.

    >>> note("linear", "w", lambda: {"space": "V -> V", "rank": 1, "probes": []})
    """
    found = _found.get()
    if found is not None:
        found[f"[{module_name!r}][{parameter!r}]"] = describe


def layer_fingerprints(model, example_x) -> dict:
    """The fingerprints of ``model``'s basis-holding parameters (a Haiku
    transformed model, traced on ``example_x``'s shape), by checkpoint path
    (``jax.tree_util.keystr`` of the parameter)."""
    found: dict = {}
    token = _found.set(found)
    try:
        # a new function each time: JAX reuses the trace of a function it has traced, without running the layers
        jax.eval_shape(lambda key, x: model.init(key, x), jax.random.PRNGKey(0), example_x)
    finally:
        _found.reset(token)
    return {path: found[path]() for path in sorted(found)}


def basis_fingerprint(Q, space: str) -> dict:
    """The fingerprint of parameters that are coefficients in the basis
    ``Q`` (shape ``(size, rank)``) of ``space``.

    >>> from repalg import parse
    >>> Q = parse("T(2)(SO(3))").equivariant_basis()
    >>> f = basis_fingerprint(Q, "T(2)(SO(3))")
    >>> f["rank"], len(f["probes"])
    (1, 3)
    """
    size, rank = Q.shape
    rng = np.random.default_rng(0)
    probes = [float(rng.standard_normal(rank) @ np.asarray(Q.T @ rng.standard_normal(size)).ravel())
              for _ in range(PROBES)]
    return {"space": space, "rank": int(rank), "probes": probes}


def product_fingerprint(product: Callable, size: int, n_in: int, n_out: int, space: str) -> dict:
    """The fingerprint of ``size`` parameters ``w`` that act through
    ``product(w, x)``, a map from ``n_in`` inputs to ``n_out`` outputs."""
    rng = np.random.default_rng(0)
    probes = []
    for _ in range(PROBES):
        w, x, u = (rng.standard_normal(n).astype(np.float32) for n in (size, n_in, n_out))
        probes.append(float(u @ np.asarray(product(w, x), np.float64)))
    return {"space": space, "rank": int(size), "probes": probes}


def _layer(path: str) -> str:
    """``"['emlp/linear']['w']"`` as ``emlp/linear (its w)``."""
    parts = [p.strip("'\"") for p in path.strip("[]").split("][")]
    return f"{parts[0]} (its {parts[1]})" if len(parts) == 2 else path


def compare(stored: dict, current: dict, where) -> None:
    """Raise ``ValueError`` naming the first layer whose stored fingerprint
    differs from the model's (``where``: the checkpoint, for the message)."""
    for path in sorted(set(stored) | set(current)):
        old, new = stored.get(path), current.get(path)
        layer = _layer(path)
        if old is None or new is None:
            raise ValueError(f"{where}: the layer {layer} holds coefficients in an equivariant basis "
                             f"{'in the model but not in the checkpoint' if old is None else 'in the checkpoint but not in the model'}; "
                             "was the model or its options changed?")
        if old["space"] != new["space"] or old["rank"] != new["rank"]:
            raise ValueError(f"{where}: the layer {layer} was saved as {old['rank']} coefficients of "
                             f"{old['space']}, but the model makes it {new['rank']} of {new['space']}")
        for a, b in zip(old["probes"], new["probes"]):
            if abs(a - b) > TOLERANCE * max(abs(a), abs(b), 1.0):
                raise ValueError(f"{where}: the layer {layer} has the same space ({new['space']}) and number of "
                                 f"coefficients ({new['rank']}) as when it was saved, but this version of repalg "
                                 "solves another basis for it, in which the saved coefficients mean other weights; "
                                 "load it with the version that saved it, or train again")
