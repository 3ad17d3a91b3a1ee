"""Training: a :class:`TrainingState`, a jitted ``update(state, batch) ->
state``, and the loop that runs a config with checkpoints, metrics, plots
and resumption.

The pieces, from the bottom up:

- :func:`init_state` and :func:`make_update`: Adam (emlp's settings by
  default) on the mean squared error, or on the cross-entropy for
  classification, jit-compiled over a 1-D device mesh: the batch is split
  across ``jax.devices()`` and the parameters are replicated, so one device
  or many (or many hosts, after ``jax.distributed.initialize()``) train the
  same model with the same config.
- :func:`epoch_batches`: mini-batches from a seeded permutation per epoch, so
  epoch ``e`` sees the same order whether or not the run was interrupted.
- :func:`train`: the loop driver for a config. Each epoch it evaluates the
  validation split, keeps the best weights, appends a line to
  ``metrics.jsonl`` and atomically rewrites ``checkpoint.npz``; a run started
  again in the same directory resumes from the checkpoint and ends with
  exactly the parameters of an uninterrupted run. At the end it reports the
  test MSE (or accuracy) and the trained model's equivariance error, writes
  ``results.json`` and draws ``curves.png``.
- :func:`load`: a finished (or interrupted) run back for inference.

One module each: :mod:`.sharding` (the mesh), :mod:`.step` (the state and
the update), :mod:`.evaluate` (metrics, equivariance error),
:mod:`.checkpoint` (the file format), :mod:`.build` (a run from settings),
:mod:`.sizes` (models and datasets too large, refused first),
:mod:`.run_dir` (its files), :mod:`.lock` (one run per directory),
:mod:`.plots`, :mod:`.loop` (:func:`train`) and :mod:`.inference` (:func:`load`).

A run directory holds ``config.toml`` (the resolved config: group and
representations spelled out, so :func:`load` needs no dataset),
``checkpoint.npz`` (flattened arrays and a JSON header; no pickle),
``metrics.jsonl``, ``results.json`` and ``curves.png``.

>>> import haiku as hk, numpy as np, optax
>>> from repalg.models import MLP
>>> model = hk.transform(lambda x: MLP("2*V", "Scalar", "O(2)", ch=8)(x))
>>> optimizer = optax.adam(3e-3)
>>> state = init_state(model, optimizer, np.zeros((1, 4), np.float32), seed=0)
>>> update = make_update(model.apply, optimizer)
>>> x = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
>>> y = (x ** 2).sum(1, keepdims=True)
>>> state = update(update(state, (x, y)), (x, y))
>>> state.step, bool(state.loss > 0)
(2, True)
"""

from .build import (DEFAULT_TEST, DEFAULT_VAL, Data, Run, build_data, build_model, flow_of, make_optimizer, points_of,
                    prepare)
from .checkpoint import checkpoint_progress, load_checkpoint, save_checkpoint
from .evaluate import equivariance_error_on, metrics, predictor
from .inference import TrainedModel, load
from .loop import RunResult, train
from .plots import plot_curves, plot_rollouts
from .run_dir import (CHECKPOINT, CONFIG, CURVES, METRICS, RESULTS, ROLLOUT_PLOT, ROLLOUTS, check_run_dir,
                      same_settings)
from .sharding import DATA_AXIS, data_mesh, replicate, shard_batch, to_host
from .step import (TrainingState, epoch_batches, init_state, make_update, padded_batch, padded_rows,
                   replicate_state)

__all__ = ["CHECKPOINT", "CONFIG", "CURVES", "DATA_AXIS", "DEFAULT_TEST", "DEFAULT_VAL", "METRICS", "RESULTS",
           "ROLLOUTS", "ROLLOUT_PLOT", "Data", "Run", "RunResult", "TrainedModel", "TrainingState", "build_data",
           "build_model", "check_run_dir", "checkpoint_progress", "data_mesh", "epoch_batches",
           "equivariance_error_on", "flow_of", "init_state", "load", "load_checkpoint", "make_optimizer",
           "make_update", "metrics", "padded_batch", "padded_rows", "plot_curves", "plot_rollouts", "points_of",
           "predictor", "prepare", "replicate", "replicate_state", "same_settings", "save_checkpoint",
           "shard_batch", "to_host", "train"]
