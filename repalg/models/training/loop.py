"""The loop that runs a config: :func:`train` evaluates the validation
split each ``eval_every`` epochs, keeps the best weights, appends a line to
``metrics.jsonl`` and atomically rewrites ``checkpoint.npz``; a run started
again in the same directory resumes from the checkpoint and ends with
exactly the parameters of an uninterrupted run. At the end it reports the
test MSE (or accuracy) and the trained model's equivariance error (and, for
trajectories, the rollouts), writes ``results.json`` and draws the curves.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
import warnings
from pathlib import Path
from typing import Callable

import jax
import numpy as np
from tqdm.auto import tqdm

from ...files import atomic_write, remove_stale_temporaries
from ..binding import as_rep
from ..config.schema import ConfigError
from ..config.settings import Settings, config_digest, label
from ..fingerprints import layer_fingerprints
from ..rollouts import rollout_metrics
from .build import Run, build_model, prepare
from .checkpoint import load_checkpoint, read_header, save_checkpoint
from .evaluate import equivariance_error_on, metrics, predictor
from .lock import hold_run
from .plots import plot_curves, plot_rollouts
from .run_dir import (CHECKPOINT, CONFIG, METRICS, RESULTS, ROLLOUT_PLOT, ROLLOUTS, RunDirWarning, append_line,
                      check_run_dir, json_number, resume_history, write_lines)
from .sharding import data_mesh, shard_batch, to_host
from .step import TrainingState, epoch_batches, init_state, make_update, padded_batch, padded_rows, replicate_state

@dataclasses.dataclass
class RunResult:
    """What :func:`train` returns: the run directory, the resolved settings,
    the final results (test metrics, equivariance error), the per-epoch
    history and the final :class:`TrainingState` (host arrays)."""

    run_dir: Path
    settings: Settings
    results: dict
    history: list
    state: TrainingState


def train(settings: Settings | Run, out=None, *, progress: bool = True, hook: Callable | None = None,
          devices=None) -> RunResult:
    """Run the config ``settings`` (or a :class:`Run` that :func:`prepare`
    made from it) in the directory ``out`` (default ``settings.output.dir``),
    resuming from its checkpoint if it has one.

    ``progress`` shows a tqdm bar with the running loss (on process 0 only);
    ``hook(state)`` is called after each checkpoint is written (every
    ``eval_every`` epochs, after the validation; a
    test raises from it to simulate an interruption); ``devices`` (default:
    all) are the devices the batch is split across. Every process of a
    multi-host run calls this with the same settings; process 0 writes the
    files.

    >>> import tempfile
    >>> from repalg.models.config import parse_config
    >>> settings = parse_config('''
    ... [dataset]
    ... name = "Inertia"
    ... N = 30
    ... val = 10
    ... test = 10
    ... [model]
    ... name = "MLP"
    ... ch = 8
    ... [train]
    ... epochs = 2
    ... ''')
    >>> result = train(settings, tempfile.mkdtemp(), progress=False)
    >>> [r["epoch"] for r in result.history], result.results["weights"], result.results["test_mse"] > 0
    ([1, 2], 'best', True)
    >>> from repalg.models.training.inference import load
    >>> load(result.run_dir)(np.ones(20, np.float32)).shape
    (9,)
    """
    run = settings if isinstance(settings, Run) else prepare(settings)
    s = run.settings
    run_dir = Path(out if out is not None else (s.output.dir or f"runs/{s.dataset.name}-{s.model.name}"))
    s = dataclasses.replace(s, output=dataclasses.replace(s.output, dir=str(run_dir)))
    with hold_run(run_dir):  # one run per directory, until this one ends
        return _train(run, s, run_dir, progress, hook, devices)


def _train(run: Run, s: Settings, run_dir: Path, progress: bool, hook: Callable | None, devices) -> RunResult:
    data = run.data
    main = jax.process_index() == 0
    mesh = data_mesh(devices)
    rows = padded_rows(run.batch_size, mesh.size)
    fresh = init_state(run.model, run.optimizer, data.X_train[:1], s.train.seed)
    fingerprints = layer_fingerprints(run.model, data.X_train[:1])
    checkpoint = run_dir / CHECKPOINT
    if main:
        remove_stale_temporaries(run_dir)  # what a process killed mid-write left
    if check_run_dir(run_dir, s) is not None:
        try:
            state, _ = load_checkpoint(checkpoint, fresh, fingerprints)
        except ValueError as error:  # the run's checkpoint does not fit the model its config builds
            raise ConfigError(None, f"{error}; choose another output directory") from None
        digest = config_digest((run_dir / CONFIG).read_text(encoding="utf-8"))
        saved = (read_header(checkpoint).get("run") or {}).get("history")
        history, notice = resume_history(run_dir, state.epoch, saved, write=main)
        if main:
            write_lines(run_dir / METRICS, history)
            if notice is not None:
                warnings.warn(notice, RunDirWarning, stacklevel=3)
    else:
        state, history = fresh, []
        text = s.to_toml()
        digest = config_digest(text)
        if main:
            atomic_write(run_dir / CONFIG, lambda file: file.write(text.encode()))
            write_lines(run_dir / METRICS, [])
    classification = data.classification
    update = make_update(run.model.apply, run.optimizer, classification, mesh)
    predict = predictor(run.model, rows)
    state = replicate_state(state, mesh)
    epochs, n = s.train.epochs, len(data.X_train)
    metric = "accuracy" if classification else "mse"
    show = progress and main
    bar = tqdm(total=epochs * run.steps_per_epoch, initial=state.epoch * run.steps_per_epoch, unit="step",
               desc=f"{s.dataset.name} {s.model.name}", disable=not show, dynamic_ncols=True)
    try:
        for epoch in range(state.epoch, epochs):
            start, last_shown, losses = time.perf_counter(), time.monotonic(), []
            for index in epoch_batches(n, run.batch_size, s.train.seed, epoch):
                batch = shard_batch(padded_batch(data.X_train, data.Y_train, index, rows), mesh)
                state = update(state, batch)
                losses.append((state.loss, len(index)))
                bar.update(1)
                if show and time.monotonic() - last_shown > 0.5:
                    running = sum(float(to_host(l)) * k for l, k in losses) / sum(k for _, k in losses)
                    bar.set_postfix(epoch=epoch + 1, loss=f"{running:.4g}", refresh=False)
                    last_shown = time.monotonic()
            record = {"epoch": epoch + 1, "step": state.step,
                      "train_loss": sum(float(to_host(l)) * k for l, k in losses) / n,
                      "lr": float(run.schedule(state.step))}
            evaluate = (epoch + 1) % s.train.eval_every == 0 or epoch + 1 == epochs
            best_params, best_metric = state.best_params, state.best_metric
            if evaluate and len(data.X_val):
                params = to_host(state.params)
                found = metrics(predict(params, data.X_val), data.Y_val, classification)
                record.update({f"val_{k}": v for k, v in found.items()})
                value = found[metric]
                better = best_metric is None or (value > best_metric if classification else value < best_metric)
                if better and math.isfinite(value):
                    best_params, best_metric = params, value
            record["seconds"] = time.perf_counter() - start
            record = {k: (json_number(v) if isinstance(v, float) else v) for k, v in record.items()}
            state = state._replace(epoch=epoch + 1, best_params=best_params, best_metric=best_metric)
            history.append(record)
            if main:
                append_line(run_dir / METRICS, record)
                if evaluate:
                    save_checkpoint(checkpoint, state, data.stats, fingerprints,
                                    run={"config": digest, "history": history})
            loss = record["train_loss"]
            postfix = {"epoch": epoch + 1, "loss": "not finite" if loss is None else f"{loss:.4g}"}
            if f"val_{metric}" in record and record[f"val_{metric}"] is not None:
                postfix[f"val_{metric}"] = f"{record[f'val_{metric}']:.4g}"
            bar.set_postfix(postfix)
            if hook is not None and evaluate:
                hook(state)
    finally:
        bar.close()
    state = state._replace(params=to_host(state.params), opt_state=to_host(state.opt_state),
                           key=to_host(state.key), loss=None)
    results = _finish(run, s, state, history, predict, run_dir if main else None)
    return RunResult(run_dir, s, results, history, state)


def _finish(run: Run, s: Settings, state: TrainingState, history: list, predict, run_dir: Path | None) -> dict:
    data, classification = run.data, run.data.classification
    which = "best" if state.best_params is not None else "last"
    params = state.best_params if which == "best" else state.params
    rolled = "best" if s.train.rollout_weights == "best" and state.best_params is not None else "final"
    found = metrics(predict(params, data.X_test), data.Y_test, classification)
    error = equivariance_error_on(lambda x: predict(params, x[None])[0], data.X_test, data.rep_in, data.rep_out,
                                  samples=s.train.equivariance_samples, key=s.train.seed)
    metric = "accuracy" if classification else "mse"
    best_epoch = None
    scored = [r for r in history if r.get(f"val_{metric}") is not None]
    complete = [r["epoch"] for r in history] == list(range(1, state.epoch + 1))
    if scored and complete:  # with epochs gone, the best of those left may not be the best
        pick = max if classification else min
        best_epoch = pick(scored, key=lambda r: r[f"val_{metric}"])["epoch"]
    results = {"final": True, "epochs": state.epoch, "steps": state.step, "weights": which,
               "best_epoch": best_epoch, **{f"test_{k}": json_number(v) for k, v in found.items()},
               "equivariance_error": json_number(error), "equivariance_samples": s.train.equivariance_samples}
    if data.flow is not None:
        # emlp rolls out its final weights (hnn_trial: no early stopping)
        results.update(_rollouts(run, s, state.best_params if rolled == "best" else state.params, run_dir))
        results["rollout_weights"] = rolled
    if run_dir is not None:
        append_line(run_dir / METRICS, results)
        text = (json.dumps(results, indent=2) + "\n").encode()
        atomic_write(run_dir / RESULTS, lambda file: file.write(text))
        if s.output.plot:
            plot_curves(run_dir)
    return results


def _rollouts(run: Run, s: Settings, params, run_dir: Path | None) -> dict:
    """Roll the trained dynamics out over the dataset's whole horizon
    (``T_long``) from the first ``train.rollouts`` test states, each system
    integrated with its own steps, against the
    true dynamics: the rollout error and the drift of energy and ``L_z``
    (see :func:`~repalg.models.dynamics.rollout_metrics`); ``rollout.png``
    and ``rollouts.npz`` (times, predicted and true states) in ``run_dir``."""
    data, system, t = run.data, run.data.system, s.train
    count = len(data.X_test) if t.rollouts is None else min(t.rollouts, len(data.X_test))
    X = data.X_test[:count]
    size = as_rep(data.flow["rep_state"], data.group).size()
    ts = np.asarray(system.T_long)
    if t.rollout_horizon is not None:  # the dataset's time step, as many as the horizon holds
        ts = np.arange(max(2, int(round(t.rollout_horizon / (ts[1] - ts[0]))))) * (ts[1] - ts[0])
    start = time.perf_counter()
    long = build_model(s.model, data.rep_in, data.rep_out, data.group, data.stats,
                       {**data.flow, "ts": tuple(ts), "independent": True, "rtol": t.rollout_rtol,
                        "atol": t.rollout_atol}, data.points)
    predicted = predictor(long, rows=max(1, min(count, 500)))(params, X).reshape(count, len(ts), size)
    true = system.integrate(X.astype(np.float64), ts)
    found = rollout_metrics(predicted, true, *system.conserved(X), floor=t.rollout_floor)
    seconds = time.perf_counter() - start
    if run_dir is not None:
        arrays = {"ts": ts, "predicted": predicted, "true": true}
        atomic_write(run_dir / ROLLOUTS, lambda file: np.savez(file, **arrays))
        if s.output.plot:
            bodies = (data.points["n"], data.points["d"]) if data.points else (2, 3)
            plot_rollouts(run_dir / ROLLOUT_PLOT, ts, predicted, true, found,
                          f"{s.dataset.name}, {label(s)}: {count} test systems, {ts[-1] + ts[1]:.0f} s",
                          bodies=bodies)
    keys = ("rollout_error", "rollout_error_capped", "rollout_error_std", "rollout_systems", "budget_systems",
            "diverged_systems", "error_floor", "energy_drift", "true_energy_drift", "lz_drift", "true_lz_drift")
    return {**{k: (json_number(found[k]) if isinstance(found[k], float) else found[k]) for k in keys},
            "rollout_seconds": round(seconds, 2)}


__all__ = ["RunResult", "train"]
