"""Writes emlp_rollouts.npz: emlp's table of rollout errors, computed by the
formula of emlp's ``experiments/notebooks/paper_figures.ipynb`` (cells 12-15,
copied below as they are) on fixed trajectories, so that repalg's rollout
metric and its sweep table are tested against emlp's own arithmetic.

Run it with the interpreter of an emlp virtualenv
(../shared/reference/setup_emlp_venv.sh: jax 0.4.13, float32 as there):

    ~/.venvs/emlp/bin/python tests/data/make_emlp_rollouts.py

The trajectories (``pred`` and ``gt``, trials x systems x 60 times x 12,
seeded numpy) are smooth oscillations and predictions that leave them
quadratically in time, from 0 at t = 0 (the clamp at 1e-5 decides that
term), one trial close enough that its early errors fall below the clamp,
and one trial with a rollout that stopped (``inf`` from t = 8 s): the
notebook drops that trial (its angular-momentum error is NaN). Recorded:
each trial's ``state_err`` and ``ang_err`` (NaN where dropped), and the
table's mean and standard deviation over the trials kept (pandas' ``std``,
ddof 1, here in numpy).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax
import jax.numpy as jnp
import numpy as np
from jax import vmap

OUT = Path(__file__).resolve().parent / "emlp_rollouts.npz"
SCALES = (3e-2, 1e-2, 3e-3, 3e-4, 2e-2)
"""How far each trial's predictions wander by the end (relative); the
fourth stays under the clamp for its first quarter."""


def trajectories():
    rng = np.random.default_rng(0)
    trials, systems, times, size = len(SCALES), 4, 60, 12
    t = np.arange(times) * 0.2
    amplitude = rng.uniform(0.5, 2.0, (trials, systems, 1, size))
    frequency = rng.uniform(0.3, 2.0, (trials, systems, 1, size))
    phase = rng.uniform(0, 2 * np.pi, (trials, systems, 1, size))
    gt = amplitude * np.sin(frequency * t[:, None] + phase)
    wander = rng.standard_normal((trials, systems, times, size)) * (t[:, None] / t[-1]) ** 2
    pred = gt + np.asarray(SCALES)[:, None, None, None] * wander * amplitude
    pred[2, 3, 40:] = np.inf  # trial 2, system 3 stopped at t = 8 s
    return pred.astype(np.float32), gt.astype(np.float32)


# paper_figures.ipynb, cell 12
def rel_err(a, b):
    return jnp.sqrt(((a - b) ** 2).mean()) / (jnp.sqrt((a ** 2).mean()) + jnp.sqrt((b ** 2).mean()))


verr = vmap(vmap(rel_err))
v1err = vmap(vmap(rel_err, (0, None)))


def notebook(pred, gt):
    """Cell 13's per-trial numbers (its ``z[..., 0]``, ``z[..., 1]`` are pred, gt)."""
    errs = verr(pred, gt)  # (bs,T,)
    clamped_errs = jax.lax.clamp(1e-5, errs, np.inf)
    geo_mean_err = np.exp(jnp.log(clamped_errs).mean())
    qs = pred[..., :6]
    ps = pred[..., 6:]
    zang_mom = qs[..., 0] * ps[..., 1] - qs[..., 1] * ps[..., 0] + qs[..., 0 + 3] * ps[..., 1 + 3] - qs[
        ..., 1 + 3] * ps[..., 0 + 3]
    clamped_errs = jax.lax.clamp(1e-5, v1err(zang_mom, zang_mom[:, 0]), np.inf)
    angmom_geomean_err = np.exp(jnp.log(clamped_errs).mean())
    return float(geo_mean_err), float(angmom_geomean_err)


def main() -> int:
    pred, gt = trajectories()
    rows = [notebook(jnp.asarray(p), jnp.asarray(g)) for p, g in zip(pred, gt)]
    state_err, ang_err = np.array(rows).T
    kept = state_err[~np.isnan(ang_err)]  # cell 14: ddf = ddf[~np.isnan(ddf['ang_err'])]
    meta = {"jax": jax.__version__, "scales": SCALES, "kept": len(kept)}
    out = {"pred": pred, "gt": gt, "state_err": state_err, "ang_err": ang_err,
           "table": np.array([kept.mean(), kept.std(ddof=1)]), "meta": np.array(json.dumps(meta))}
    np.savez_compressed(OUT, **out)
    print(f"{OUT}: {OUT.stat().st_size / 1e3:.0f} kB; state errors {state_err}, table {out['table']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
